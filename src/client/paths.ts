// Code points HFS+ ignores when it compares names, so `.g\u200cit` is `.git` on a Mac (git's own
// check, CVE-2014-9390, drops the same ones).
const HFS_IGNORED = /[\u200c-\u200f\u202a-\u202e\u206a-\u206f\ufeff]/g;

/**
 * Why one path segment is `.git` to some file system, or undefined when it is not: any case,
 * with the trailing dots and spaces Windows drops (`.git.`, `.git `), an NTFS stream suffix
 * (`.git::$INDEX_ALLOCATION` is the directory itself), the 8.3 short name (`git~1`) and HFS+
 * ignorables. `.github`, `.gitignore` and `my.git` are other names.
 */
function gitDirSegment(seg: string): string | undefined {
  let s = seg.replace(HFS_IGNORED, '');
  const colon = s.indexOf(':');
  if (colon >= 0) s = s.slice(0, colon);
  s = s.replace(/[. ]+$/, '').toLowerCase();
  if (s !== '.git' && !/^git~\d+$/.test(s)) return undefined;
  const why = 'it is inside a .git directory, where git keeps settings and hooks that can run commands';
  return seg === '.git' ? why : `${why} ('${seg}' is another name for .git on some systems)`;
}

/** Whether a single name is `.git` to some file system (see gitDirSegment). */
export function isGitDirName(name: string): boolean {
  return gitDirSegment(name) !== undefined;
}

/** Why `p` (relative or absolute, either separator) is or goes into a `.git` directory, or undefined. */
export function gitDirProblem(p: string): string | undefined {
  for (const seg of p.split(/[\\/]/)) {
    const why = gitDirSegment(seg);
    if (why) return why;
  }
  return undefined;
}

type Parsed = { ok: true; path: string } | { ok: false; why: string };

function parseRelPath(p: string): Parsed {
  const parts: string[] = [];
  const s = p.replace(/\\/g, '/');
  if (s.startsWith('/') || /^[a-zA-Z]:/.test(s)) return { ok: false, why: 'it is an absolute path, not one inside the workspace' };
  for (const seg of s.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') {
      if (parts.length === 0) return { ok: false, why: "it climbs out of the workspace folder with '..'" };
      parts.pop();
      continue;
    }
    if (/[\u0000-\u001f]/.test(seg)) return { ok: false, why: 'it contains control characters' };
    // Windows drops trailing dots and spaces, so `.. ` or `...` could be read as `..`.
    if (/^[. ]+$/.test(seg)) return { ok: false, why: `'${seg}' is made only of dots and spaces, which Windows may read as '..'` };
    const git = gitDirSegment(seg);
    if (git) return { ok: false, why: git };
    parts.push(seg);
  }
  return parts.length ? { ok: true, path: parts.join('/') } : { ok: false, why: 'it is empty' };
}

/**
 * A repository- or folder-relative path in the form it travels in: forward slashes, no `./`,
 * no empty segments. Returns undefined for paths that are absolute, climb out with `..`, or go
 * into a `.git` directory: no path a teammate sends has a reason to name git's own files, and
 * refusing here covers every caller (looking a snippet up, patches, `path:line` links).
 */
export function normalizeRelPath(p: string): string | undefined {
  const r = parseRelPath(p);
  return r.ok ? r.path : undefined;
}

/** Why normalizeRelPath() refuses `p`, as a clause for a message ("… : it is …"), or undefined when it accepts it. */
export function relPathProblem(p: string): string | undefined {
  const r = parseRelPath(p);
  return r.ok ? undefined : r.why;
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
