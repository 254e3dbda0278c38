/**
 * A repository- or folder-relative path in the form it travels in: forward slashes, no `./`,
 * no empty segments. Returns undefined for paths that are absolute or climb out with `..`.
 */
export function normalizeRelPath(p: string): string | undefined {
  const parts: string[] = [];
  const s = p.replace(/\\/g, '/');
  if (s.startsWith('/') || /^[a-zA-Z]:\//.test(s)) return undefined;
  for (const seg of s.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return undefined;
      parts.pop();
      continue;
    }
    if (/[\u0000-\u001f]/.test(seg)) return undefined;
    parts.push(seg);
  }
  return parts.length ? parts.join('/') : undefined;
}

/** `file` relative to `root` (both absolute, either separator), or undefined when outside it. */
export function relativeTo(root: string, file: string): string | undefined {
  const r = root.replace(/\\/g, '/').replace(/\/+$/, '');
  const f = file.replace(/\\/g, '/');
  const caseless = /^[a-zA-Z]:\//.test(r);
  const a = caseless ? r.toLowerCase() : r;
  const b = caseless ? f.toLowerCase() : f;
  if (b === a || !b.startsWith(a + '/')) return undefined;
  return normalizeRelPath(f.slice(r.length + 1));
}
