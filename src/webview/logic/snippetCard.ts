// The text of a snippet card's header, written the way the host's picks and toasts write it.

/** "12–20" (an en dash, as in "now at lines 7–9"), or "12" for one line. */
export function lineRange(start: number, end: number): string {
  return end !== start ? `${start}\u2013${end}` : String(start);
}

/** "src/math.ts:5–7", or "lines 5–7" for code without a path. */
export function snippetWhere(path: string | undefined, lines: { start: number; end: number }): string {
  const range = lineRange(lines.start, lines.end);
  if (path) return `${path}:${range}`;
  return lines.end !== lines.start ? `lines ${range}` : `line ${range}`;
}
