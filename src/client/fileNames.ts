import { isGitDirName } from './paths';

const RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/**
 * A file name that is safe to offer in a save dialog: no path separators, no `..`, no control or
 * shell-hostile characters, no Windows device names, no other name for `.git`, not empty, at most
 * 200 characters.
 */
export function sanitizeFileName(name: string): string {
  let n = name.normalize('NFC');
  // Control characters, and bidi overrides that make `exe.txt` look like `txt.exe`.
  n = n.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '');
  n = n.split(/[\\/]/).pop() ?? '';
  n = n.replace(/[<>:"|?*]/g, '_');
  n = n.replace(/^[.\s]+|[.\s]+$/g, '');
  // `git~1` (or `\u200c.git`) would be the repository's .git on Windows (or a Mac); a leading `_` makes it a plain name.
  if (RESERVED.test(n) || isGitDirName(n)) n = '_' + n;
  if (n.length > 200) {
    const dot = n.lastIndexOf('.');
    const ext = dot > 0 && n.length - dot <= 16 ? n.slice(dot) : '';
    n = n.slice(0, 200 - ext.length) + ext;
  }
  return n || 'file';
}
