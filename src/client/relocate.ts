// Finds where a shared snippet is in the receiver's copy of a file, which may have changed since
// it was sent: lines inserted above, the snippet itself edited, the file renamed or gone.

export type Located = { status: 'same'; start: number; end: number } | { status: 'moved'; start: number; end: number; exact: boolean } | { status: 'notFound' };

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
  // Edited (and maybe moved): align whole lines.
  const hit = align(file, want, start - 1);
  return hit ? { status: 'moved', start: hit.start + 1, end: hit.end + 1, exact: false } : { status: 'notFound' };
}

// --- Fuzzy relocation: a line-level alignment (LCS with gaps) of the snippet against the file ---
//
// Lines are compared trimmed with runs of whitespace collapsed; blank lines never count as a
// match but still take up room in the span. Candidate regions come from "anchors": snippet lines
// with a letter or digit that occur at most ANCHOR_MAX times in the file; each occurrence votes for
// the offset it implies, and the regions of the best-voted offsets (plus slack for lines inserted
// or deleted inside) are aligned with an O(n × window) dynamic programme. Within a region the
// alignment may start and end anywhere in the file; it pairs snippet lines with file lines in
// order (a pair of equal lines is a match, any other pair is an edited line and costs nothing) and
// otherwise skips a snippet line (deleted in the file) or a file line (inserted), each costing one.
// The best alignment has the most matched lines, then the fewest skips (a span length closest to
// the snippet's), then the most matches on distinctive lines, then the start nearest the old one.
// Because edited lines are pairs, an edited first or last line is still covered when the file has a
// line there, and the span runs from the first to the last paired file line.

/** A line occurring more often than this in the file is too common to anchor a region. */
const ANCHOR_MAX = 32;
/** At most this many regions are aligned. */
const MAX_REGIONS = 12;
/** Weight of a matched line against a skipped one: matches always win. */
const MATCH = 1 << 20;

const key = (l: string) => l.trim().replace(/\s+/g, ' ');
const distinctive = (k: string) => /[\p{L}\p{N}]/u.test(k);

interface Alignment {
  score: number;
  distinct: number;
  start: number;
  end: number;
}

/** The snippet's lines interned for matching (see `align`). */
interface Interned {
  ids: Map<string, number>;
  /** Per snippet line: its id (1..), or -1 for a blank line. */
  wantId: Int32Array;
  /** Per snippet line: 1 when it holds a letter or digit (worth anchoring on). */
  wantDistinct: Uint8Array;
  keys: string[];
  /** Snippet lines that are not blank. */
  meaningful: number;
}

function intern(want: string[]): Interned {
  const n = want.length;
  const out: Interned = { ids: new Map(), wantId: new Int32Array(n), wantDistinct: new Uint8Array(n), keys: [], meaningful: 0 };
  for (let i = 0; i < n; i++) {
    const k = key(want[i]);
    if (!k) {
      out.wantId[i] = -1;
      continue;
    }
    out.meaningful++;
    let id = out.ids.get(k);
    if (id === undefined) {
      id = out.keys.push(k);
      out.ids.set(k, id);
    }
    out.wantId[i] = id;
    out.wantDistinct[i] = distinctive(k) ? 1 : 0;
  }
  return out;
}

/**
 * Where the snippet may start (file line minus snippet line), best first: offsets voted for by
 * its distinctive lines (rare ones first; common ones only near the old position), at most
 * MAX_REGIONS, none within half the slack of one already chosen. With nothing distinctive, only
 * where it was. Undefined when no line votes.
 */
function candidateOffsets(w: Interned, occurrences: number[][], old: number, fileLines: number, slack: number): number[] | undefined {
  const n = w.wantId.length;
  if (!w.wantDistinct.some((d) => d === 1)) return [Math.max(0, Math.min(old, fileLines - 1))];
  const votes = new Map<number, number>();
  const vote = (near: boolean) => {
    for (let i = 0; i < n; i++) {
      if (!w.wantDistinct[i]) continue;
      const js = occurrences[w.wantId[i] - 1];
      if (!near && js.length > ANCHOR_MAX) continue;
      for (const j of js) {
        if (near && Math.abs(j - i - old) > n + slack) continue;
        votes.set(j - i, (votes.get(j - i) ?? 0) + 1);
      }
    }
  };
  vote(false);
  // Only common lines in common: their occurrences near the old position.
  if (votes.size === 0) vote(true);
  if (votes.size === 0) return undefined;
  const ranked = [...votes].sort((a, b) => b[1] - a[1] || Math.abs(a[0] - old) - Math.abs(b[0] - old) || a[0] - b[0]);
  const offsets: number[] = [];
  for (const [o] of ranked) {
    if (offsets.length >= MAX_REGIONS) break;
    // A region already chosen covers offsets within half its slack.
    if (!offsets.some((p) => Math.abs(p - o) <= slack / 2)) offsets.push(o);
  }
  return offsets;
}

function align(file: string[], want: string[], old: number): { start: number; end: number } | undefined {
  const n = want.length;
  // Intern the snippet's meaningful lines as ids 1..; blank snippet lines are -1, file lines not in
  // the snippet 0, so a match is `wantId[i] > 0 && fileId[j] === wantId[i]`.
  const w = intern(want);
  if (w.meaningful === 0) return undefined;
  const fileId = new Int32Array(file.length);
  const occurrences: number[][] = w.keys.map(() => []);
  for (let j = 0; j < file.length; j++) {
    const id = w.ids.get(key(file[j]));
    if (id === undefined) continue;
    fileId[j] = id;
    occurrences[id - 1].push(j);
  }
  // Not even half of the lines are anywhere in the file.
  let present = 0;
  for (let i = 0; i < n; i++) if (w.wantId[i] > 0 && occurrences[w.wantId[i] - 1].length > 0) present++;
  if (present * 2 < w.meaningful) return undefined;

  const slack = Math.min(500, Math.max(10, Math.ceil(n / 2)));
  const offsets = candidateOffsets(w, occurrences, old, file.length, slack);
  if (!offsets) return undefined;
  let best: Alignment | undefined;
  for (const o of offsets) {
    const lo = Math.max(0, o - slack);
    const hi = Math.min(file.length, o + n + slack);
    const a = alignIn(fileId, w.wantId, w.wantDistinct, lo, hi, old, n);
    if (a && (!best || better(a, best, n, old))) best = a;
  }
  if (!best) return undefined;
  const matches = Math.ceil(best.score / MATCH);
  const anyDistinct = w.wantDistinct.some((d) => d === 1);
  if (matches * 2 < w.meaningful || (anyDistinct && best.distinct === 0)) return undefined;
  return { start: best.start, end: best.end };
}

const better = (a: Alignment, b: Alignment, n: number, old: number) =>
  a.score !== b.score
    ? a.score > b.score
    : a.distinct !== b.distinct
      ? a.distinct > b.distinct
      : Math.abs(a.end - a.start + 1 - n) !== Math.abs(b.end - b.start + 1 - n)
        ? Math.abs(a.end - a.start + 1 - n) < Math.abs(b.end - b.start + 1 - n)
        : Math.abs(a.start - old) !== Math.abs(b.start - old)
          ? Math.abs(a.start - old) < Math.abs(b.start - old)
          : a.start < b.start;

/**
 * The best alignment of the whole snippet with some span of file[lo, hi). Two rolling rows over the
 * file positions: after row i, cell j holds the best alignment of snippet[0, i) ending just before
 * file line lo + j: its score, its distinctive matches and the file line it starts at.
 */
function alignIn(fileId: Int32Array, wantId: Int32Array, wantDistinct: Uint8Array, lo: number, hi: number, old: number, n: number): Alignment | undefined {
  const w = hi - lo;
  let prevScore = new Float64Array(w + 1);
  let prevDistinct = new Int32Array(w + 1);
  let prevStart = new Int32Array(w + 1);
  let score = new Float64Array(w + 1);
  let distinct = new Int32Array(w + 1);
  let start = new Int32Array(w + 1);
  // Row 0: nothing aligned yet; the file lines before are free.
  for (let j = 0; j <= w; j++) prevStart[j] = lo + j;
  for (let i = 1; i <= n; i++) {
    const id = wantId[i - 1];
    const isDistinct = wantDistinct[i - 1];
    // Column 0: snippet lines with no file line under them.
    score[0] = prevScore[0] - 1;
    distinct[0] = prevDistinct[0];
    start[0] = prevStart[0];
    for (let j = 1; j <= w; j++) {
      // Pair snippet line i-1 with file line lo+j-1 (a match, or an edited line).
      const match = id > 0 && fileId[lo + j - 1] === id;
      let s = prevScore[j - 1] + (match ? MATCH : 0);
      let d = prevDistinct[j - 1] + (match ? isDistinct : 0);
      let t = prevStart[j - 1];
      // Skip the snippet line (deleted in the file), or the file line (inserted in the file).
      for (let k = 0; k < 2; k++) {
        const s2 = k === 0 ? prevScore[j] - 1 : score[j - 1] - 1;
        const d2 = k === 0 ? prevDistinct[j] : distinct[j - 1];
        const t2 = k === 0 ? prevStart[j] : start[j - 1];
        if (
          s2 > s ||
          (s2 === s && (d2 > d || (d2 === d && (Math.abs(t2 - old) < Math.abs(t - old) || (Math.abs(t2 - old) === Math.abs(t - old) && t2 < t)))))
        ) {
          s = s2;
          d = d2;
          t = t2;
        }
      }
      score[j] = s;
      distinct[j] = d;
      start[j] = t;
    }
    [prevScore, score] = [score, prevScore];
    [prevDistinct, distinct] = [distinct, prevDistinct];
    [prevStart, start] = [start, prevStart];
  }
  let best: Alignment | undefined;
  for (let j = 1; j <= w; j++) {
    const end = lo + j - 1;
    if (end < prevStart[j]) continue; // no file line in it
    const a = { score: prevScore[j], distinct: prevDistinct[j], start: prevStart[j], end };
    if (!best || better(a, best, n, old)) best = a;
  }
  return best;
}

/** Finds the snippet in several candidate files (a renamed file); the best exact match wins. */
export function relocateIn(
  candidates: { path: string; text: string }[],
  code: string,
  start: number,
): { path: string; located: Exclude<Located, { status: 'notFound' }> } | undefined {
  let fuzzy: { path: string; located: Exclude<Located, { status: 'notFound' }> } | undefined;
  for (const c of candidates) {
    const located = relocate(c.text, code, start);
    if (located.status === 'notFound') continue;
    if (located.status === 'same' || located.exact) return { path: c.path, located };
    fuzzy ??= { path: c.path, located };
  }
  return fuzzy;
}
