// Finds where a shared snippet is in the receiver's copy of a file, which may have changed since
// it was sent: lines inserted above, the snippet itself edited, the file renamed or gone.

export type Located =
  | { status: 'same'; start: number; end: number }
  | { status: 'moved'; start: number; end: number; exact: boolean }
  | { status: 'notFound' };

const norm = (l: string) => l.replace(/\s+$/, '');
const splitLines = (t: string) => t.replace(/\r\n?/g, '\n').split('\n');

/** `start` is the 1-based line where the snippet began in the sender's file. */
export function relocate(fileText: string, code: string, start: number): Located {
  const file = splitLines(fileText).map(norm);
  const want = splitLines(code).map(norm);
  while (want.length > 1 && want[want.length - 1] === '') want.pop();
  const n = want.length;
  if (n === 0 || file.length === 0) return { status: 'notFound' };
  const at = (s: number) => {
    for (let i = 0; i < n; i++) if (file[s + i] !== want[i]) return false;
    return true;
  };
  if (start >= 1 && start - 1 + n <= file.length && at(start - 1)) return { status: 'same', start, end: start + n - 1 };
  // Exact block elsewhere: the nearest occurrence to where it was.
  let best = -1;
  for (let s = 0; s + n <= file.length; s++) {
    if (at(s) && (best < 0 || Math.abs(s - (start - 1)) < Math.abs(best - (start - 1)))) best = s;
  }
  if (best >= 0) return { status: 'moved', start: best + 1, end: best + n, exact: true };
  // Edited: the window of the same length sharing the most non-blank lines (at least half).
  const meaningful = want.filter((l) => l.trim() !== '').length;
  if (meaningful === 0) return { status: 'notFound' };
  const wantTrim = want.map((l) => l.trim());
  let bestScore = 0;
  let bestAt = -1;
  for (let s = 0; s + n <= file.length || (s === 0 && file.length < n); s++) {
    let score = 0;
    const used = new Set<number>();
    for (let i = 0; i < n; i++) {
      const w = wantTrim[i];
      if (!w) continue;
      // Allow a line to have shifted by a little inside the window (lines added or removed in it).
      for (let d = -2; d <= 2; d++) {
        const j = s + i + d;
        if (j >= 0 && j < file.length && !used.has(j) && file[j].trim() === w) {
          used.add(j);
          score++;
          break;
        }
      }
    }
    if (score > bestScore || (score === bestScore && bestAt >= 0 && Math.abs(s - (start - 1)) < Math.abs(bestAt - (start - 1)))) {
      bestScore = score;
      bestAt = s;
    }
    if (s + n > file.length) break;
  }
  if (bestAt >= 0 && bestScore * 2 >= meaningful) {
    // Not exact: the lines were edited (and maybe moved); this is the closest match.
    return { status: 'moved', start: bestAt + 1, end: Math.min(file.length, bestAt + n), exact: false };
  }
  return { status: 'notFound' };
}

/** Finds the snippet in several candidate files (a renamed file); the best exact match wins. */
export function relocateIn(candidates: { path: string; text: string }[], code: string, start: number): { path: string; located: Exclude<Located, { status: 'notFound' }> } | undefined {
  let fuzzy: { path: string; located: Exclude<Located, { status: 'notFound' }> } | undefined;
  for (const c of candidates) {
    const located = relocate(c.text, code, start);
    if (located.status === 'notFound') continue;
    if (located.status === 'same' || located.exact) return { path: c.path, located };
    fuzzy ??= { path: c.path, located };
  }
  return fuzzy;
}
