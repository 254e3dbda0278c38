// Applies a unified diff (one file, as `git diff` prints it) to a text. Hunks are placed at
// their stated line, or at the nearest place where their context matches (the file may have
// moved on since the diff was made).

export interface Hunk {
  oldStart: number;
  lines: string[];
}

export function parsePatch(patch: string): Hunk[] {
  const hunks: Hunk[] = [];
  let cur: Hunk | undefined;
  const all = patch.replace(/\r\n?/g, '\n').split('\n');
  all.forEach((line, idx) => {
    const head = /^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@/.exec(line);
    if (head) {
      cur = { oldStart: Number(head[1]), lines: [] };
      hunks.push(cur);
      return;
    }
    if (!cur || line.startsWith('\\')) return; // before the first hunk, or "\ No newline at end of file"
    if (line[0] === ' ' || line[0] === '+' || line[0] === '-') cur.lines.push(line);
    else if (line === '' && idx < all.length - 1) cur.lines.push(' '); // an empty context line
  });
  return hunks;
}

export type ApplyResult = { ok: true; text: string } | { ok: false; hunk: number; message: string };

export function applyPatch(text: string, patch: string): ApplyResult {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const hunks = parsePatch(patch);
  if (hunks.length === 0) return { ok: false, hunk: 0, message: 'no hunks in the patch' };
  let delta = 0; // how far the file has shifted from the patch's line numbers so far
  for (const [i, h] of hunks.entries()) {
    const old = h.lines.filter((l) => l[0] !== '+').map((l) => l.slice(1));
    const neu = h.lines.filter((l) => l[0] !== '-').map((l) => l.slice(1));
    // A pure insertion's start names the line it goes after.
    const expected = (old.length === 0 ? h.oldStart : h.oldStart - 1) + delta;
    const at = findBlock(lines, old, expected);
    if (at < 0) return { ok: false, hunk: i + 1, message: `hunk ${i + 1} does not match the file (it changed too much)` };
    lines.splice(at, old.length, ...neu);
    delta += at - expected + neu.length - old.length;
  }
  return { ok: true, text: lines.join(eol) };
}

function findBlock(lines: string[], block: string[], near: number): number {
  const fits = (s: number) => s >= 0 && s + block.length <= lines.length && block.every((b, k) => lines[s + k].replace(/\s+$/, '') === b.replace(/\s+$/, ''));
  if (block.length === 0) return Math.min(near, lines.length);
  for (let d = 0; d <= lines.length; d++) {
    if (fits(near - d)) return near - d;
    if (d > 0 && fits(near + d)) return near + d;
  }
  return -1;
}
