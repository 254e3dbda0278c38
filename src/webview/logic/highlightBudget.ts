// Syntax highlighting with a bound on its cost (issue 14, point 7). highlight.js is fast on real
// code (about 0.5-1 ms per thousand characters) but super-linear on some inputs: the C family's
// function-declaration rule rescans runs of words across lines (quadratic in the block's size),
// markdown's link rule is cubic in a line's length, and java, ini and others are quadratic on long
// lines. One message could freeze the chat view for seconds. So code is highlighted in chunks of
// whole lines under a time budget, and whatever is left when it runs out (very long lines, code
// above a size limit, a chunk after the budget) is shown as plain text in the same block.

/** Code longer than this is shown plain without trying (the relay's snippet limit is 100k). */
export const HIGHLIGHT_MAX_CHARS = 100_000;
/** A line longer than this is shown plain (minified code, data): markdown's link rule is cubic in it. */
export const HIGHLIGHT_MAX_LINE = 1000;
/** Code is highlighted in chunks of at most this many characters, each ending at a line end. */
export const HIGHLIGHT_CHUNK_CHARS = 2000;
/**
 * No new chunk starts once highlighting a block has taken this long. The worst case for a block is
 * this plus one chunk (about 20 ms for the worst input measured, a 2000-character C++ chunk).
 */
export const HIGHLIGHT_BUDGET_MS = 30;
/** Code without a language is auto-detected only up to this size (longer unlabelled code is plain)... */
export const AUTO_DETECT_MAX_CHARS = 4000;
/**
 * ...and from its first this-many characters (cut at a line end): detection runs every grammar
 * (about 40) on them: 20-40 ms on the worst input measured (500 "["); it counts against the budget.
 */
export const AUTO_DETECT_SAMPLE_CHARS = 500;

/** A run of the code: highlighted (`tree`) or plain (no tree). Joined, the runs' code is the input. */
export interface Segment<T> {
  code: string;
  tree?: T;
}

/** A piece of the code to highlight on its own, or to show plain (`plain`: a line too long). */
export interface Piece {
  start: number;
  end: number;
  plain: boolean;
}

/**
 * Time already spent on highlighting that shares the budget: the code blocks of one message, and
 * auto-detecting a block's language. highlightBounded adds its own time to it.
 */
export interface BudgetMeter {
  spentMs: number;
}

export interface BoundOptions {
  maxChars?: number;
  maxLine?: number;
  chunkChars?: number;
  budgetMs?: number;
  /** A clock in milliseconds (performance.now in the view). */
  now?: () => number;
  meter?: BudgetMeter;
}

/**
 * Splits code into chunks of whole lines of at most `chunkChars` characters, cut after a blank
 * line when there is one in the chunk's second half (a blank line is rarely inside a comment or
 * string, so chunks highlighted apart rarely lose state). A line longer than `maxLine` becomes a
 * piece of its own, shown plain.
 */
export function highlightPieces(code: string, chunkChars = HIGHLIGHT_CHUNK_CHARS, maxLine = HIGHLIGHT_MAX_LINE): Piece[] {
  const out: Piece[] = [];
  let start = 0;
  let blank = -1; // end of the last blank line in the current chunk: a good place to cut
  const cut = (at: number) => {
    if (at > start) out.push({ start, end: at, plain: false });
    start = at;
    blank = -1;
  };
  let pos = 0;
  while (pos < code.length) {
    const nl = code.indexOf('\n', pos);
    const end = nl === -1 ? code.length : nl + 1;
    if ((nl === -1 ? end : nl) - pos > maxLine) {
      cut(pos);
      out.push({ start: pos, end, plain: true });
      start = end;
    } else {
      if (end - start > chunkChars && blank > start + chunkChars / 2) cut(blank);
      if (end - start > chunkChars) cut(pos);
      if (/^[ \t\r]*\n$/.test(code.slice(pos, end))) blank = end;
    }
    pos = end;
  }
  cut(code.length);
  return out;
}

/** The start of code to auto-detect its language from: up to `max` characters, cut at a line end. */
export function detectionSample(code: string, max = AUTO_DETECT_SAMPLE_CHARS): string {
  if (code.length <= max) return code;
  const nl = code.lastIndexOf('\n', max);
  return code.slice(0, nl > 0 ? nl + 1 : max);
}

/**
 * Highlights code with `highlight` (one call per chunk; a throw leaves that chunk plain) within
 * the limits above. Adjacent plain runs are merged.
 */
export function highlightBounded<T>(code: string, highlight: (chunk: string) => T, opts: BoundOptions = {}): Segment<T>[] {
  if (code.length > (opts.maxChars ?? HIGHLIGHT_MAX_CHARS)) return code ? [{ code }] : [];
  const now = opts.now ?? (() => performance.now());
  const budget = opts.budgetMs ?? HIGHLIGHT_BUDGET_MS;
  const meter = opts.meter ?? { spentMs: 0 };
  const t0 = now() - meter.spentMs;
  const out: Segment<T>[] = [];
  const plain = (text: string) => {
    const last = out[out.length - 1];
    if (last && last.tree === undefined) last.code += text;
    else out.push({ code: text });
  };
  for (const p of highlightPieces(code, opts.chunkChars, opts.maxLine)) {
    const text = code.slice(p.start, p.end);
    if (p.plain || now() - t0 >= budget) {
      plain(text);
      continue;
    }
    let tree: T | undefined;
    try {
      tree = highlight(text);
    } catch {
      tree = undefined;
    }
    if (tree === undefined) plain(text);
    else out.push({ code: text, tree });
  }
  meter.spentMs = now() - t0;
  return out;
}

/** Whether the code is shown without any highlighting (too big, or nothing was highlighted). */
export function isPlain<T>(segments: readonly Segment<T>[]): boolean {
  return segments.every((s) => s.tree === undefined);
}
