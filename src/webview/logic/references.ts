// `path:line` and `path:line:col` references in message text (compiler output, stack traces,
// "see src/app.ts:42"), found so the view can make them links that open the file.

export interface FileRef {
  /** Offset of the reference in the text and its length. */
  index: number;
  length: number;
  path: string;
  line: number;
  col?: number;
}

const SEG = String.raw`[\w.@~+-]+`;
const PATH = String.raw`(?:[A-Za-z]:[\\/]|\.{1,2}[\\/]|[\\/])?(?:${SEG}[\\/])*${SEG}`;
// A reference starts where a run of path characters starts: the lookbehind refuses every path
// character (and `:`), so a long run without a `:line` is tried once, not from each of its
// characters (16,000 characters of `@a@a…` took 180 ms when `@`, `~` and `+` were not refused).
const COLON_REF = new RegExp(String.raw`(?<![\w.@~+/\\:-])(${PATH}):(\d{1,7})(?::(\d{1,5}))?(?![\w:])`, 'g');
const PY_REF = /File "([^"\n]{1,500})", line (\d{1,7})/g;
const WEB_TLDS = /\.(com|org|net|io|dev|app|local|lan|internal|localhost)$/i;

export function findFileRefs(text: string): FileRef[] {
  const out: FileRef[] = [];
  for (const m of text.matchAll(COLON_REF)) {
    const path = m[1];
    const hasDir = /[\\/]/.test(path);
    const hasExt = /\.[A-Za-z0-9]{1,10}$/.test(path);
    if (!hasDir && !hasExt) continue;
    if (!hasDir && WEB_TLDS.test(path)) continue; // example.com:443
    const before = text.slice(Math.max(0, m.index - 3), m.index);
    if (before.endsWith('://') || /^[a-z]+:\/\//i.test(text.slice(m.index))) continue;
    const line = Number(m[2]);
    if (line < 1) continue;
    out.push({ index: m.index, length: m[0].length, path, line, ...(m[3] ? { col: Number(m[3]) } : {}) });
  }
  for (const m of text.matchAll(PY_REF)) {
    if (out.some((r) => r.index >= m.index && r.index < m.index + m[0].length)) continue;
    out.push({ index: m.index, length: m[0].length, path: m[1], line: Number(m[2]) });
  }
  return out.sort((a, b) => a.index - b.index);
}
