import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import { gitDirProblem } from './paths';

// Where a write really lands. A path can look like it is in the workspace and still leave it
// through a symbolic link (`out -> /elsewhere`), or reach `.git` through one (`cfg -> .git/config`);
// what counts is the real path, resolved the way the OS will when the file is written.

export interface WriteRules {
  /** Absolute workspace folder paths. */
  roots: readonly string[];
  /**
   * The user picked this file (a save dialog, the editor they are in): it may be outside the
   * workspace. Otherwise (a teammate's path) it must really be inside a workspace folder.
   */
  chosenByUser: boolean;
}

/** Why writing `target` (an absolute path) is refused, as a clause for a message, or undefined when it may be written. */
export async function writeRefusal(target: string, rules: WriteRules): Promise<string | undefined> {
  if (!isAbsolute(target)) return 'it is not an absolute path';
  const lexical = gitDirProblem(target);
  if (lexical) return lexical;
  const resolved = await realTarget(target);
  if (!resolved.ok) return resolved.why;
  const real = resolved.path;
  if (gitDirProblem(real)) return `it leads through a symbolic link into a .git directory (${real}), where git keeps settings and hooks that can run commands`;
  const realRoots = (await Promise.all(rules.roots.map((r) => realpath(r).catch(() => undefined)))).filter((r): r is string => r !== undefined);
  const reallyInside = realRoots.some((r) => within(r, real));
  if (reallyInside) return undefined;
  if (rules.roots.some((r) => within(r, target))) return `it leads through a symbolic link out of the workspace folder, to ${real}`;
  if (rules.chosenByUser) return undefined;
  return rules.roots.length ? 'it is outside the workspace folder' : 'no workspace folder is open';
}

type Resolved = { ok: true; path: string } | { ok: false; why: string };

/**
 * The real path of `target`: the real path of its nearest existing ancestor with the rest
 * (which does not exist yet, so holds no links) appended.
 */
async function realTarget(target: string): Promise<Resolved> {
  const rest: string[] = [];
  let p = target;
  for (;;) {
    try {
      return { ok: true, path: join(await realpath(p), ...rest) };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return { ok: false, why: `Parley could not check where it leads (${code ?? String(err)})` };
    }
    // It exists but does not resolve: a link to nothing, and writing through it would create its target wherever that is.
    if (
      await lstat(p).then(
        () => true,
        () => false,
      )
    )
      return { ok: false, why: `${p} is a symbolic link to something that does not exist` };
    const name = basename(p);
    if (name === '..' || name === '.') return { ok: false, why: `Parley could not check where it leads ('${name}' after a missing folder)` };
    const parent = dirname(p);
    if (parent === p) return { ok: false, why: 'none of its folders exists' };
    rest.unshift(name);
    p = parent;
  }
}

/** Whether `file` is strictly below `root` (same separators and case rules as the platform's paths). */
function within(root: string, file: string): boolean {
  const r = relative(root, file);
  return r !== '' && !isAbsolute(r) && r.split(/[\\/]/)[0] !== '..';
}
