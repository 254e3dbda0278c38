import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import { normalizeRemote } from '../client/gitRemote';
import { relativeTo } from '../client/paths';
import { trusted } from './trust';

// Git context for shared code, from the git command line (works with any workspace, with or
// without VS Code's git extension). Every call is bounded in time; no git means no context.
// In Restricted Mode no git runs at all: a repository's own config can make git run commands
// (core.fsmonitor runs on `git diff`), which is what an untrusted workspace must not do.

function git(cwd: string, args: string[], maxBuffer = 4 * 1024 * 1024): Promise<string | undefined> {
  if (!trusted()) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile('git', args, { cwd, timeout: 5000, maxBuffer, windowsHide: true }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

export interface RepoInfo {
  root: string;
  /** normalizeRemote() of the first remote (origin preferred). */
  remote?: string;
  commit?: string;
  branch?: string;
}

const repoCache = new Map<string, Promise<RepoInfo | undefined>>();

/** The repository holding `dir`, cached per folder for the session. */
export function repoFor(dir: string): Promise<RepoInfo | undefined> {
  // Not cached while untrusted: once trust is granted the next look finds the repository.
  if (!trusted()) return Promise.resolve(undefined);
  let p = repoCache.get(dir);
  if (!p) {
    p = readRepo(dir);
    repoCache.set(dir, p);
    setTimeout(() => repoCache.delete(dir), 30_000).unref();
  }
  return p;
}

async function readRepo(dir: string): Promise<RepoInfo | undefined> {
  const root = (await git(dir, ['rev-parse', '--show-toplevel']))?.trim();
  if (!root) return undefined;
  const remotes =
    (await git(root, ['remote']))
      ?.split('\n')
      .map((r) => r.trim())
      .filter(Boolean) ?? [];
  const name = remotes.includes('origin') ? 'origin' : remotes[0];
  const url = name ? (await git(root, ['remote', 'get-url', name]))?.trim() : undefined;
  const commit = (await git(root, ['rev-parse', 'HEAD']))?.trim();
  const branch = (await git(root, ['rev-parse', '--abbrev-ref', 'HEAD']))?.trim();
  const remote = url ? normalizeRemote(url) : undefined;
  return {
    root,
    ...(remote ? { remote } : {}),
    ...(commit && /^[0-9a-f]{7,64}$/.test(commit) ? { commit } : {}),
    ...(branch && branch !== 'HEAD' ? { branch } : {}),
  };
}

/** A file's repository and its path inside it. */
export async function fileInRepo(file: string): Promise<{ repo: RepoInfo; path: string } | undefined> {
  const repo = await repoFor(dirname(file));
  if (!repo) return undefined;
  const path = relativeTo(repo.root, file);
  return path ? { repo, path } : undefined;
}

/** The file's content at HEAD, or undefined when it is not tracked. */
export function showHead(root: string, path: string): Promise<string | undefined> {
  return git(root, ['show', `HEAD:${path}`], 32 * 1024 * 1024);
}

/** Uncommitted changes (staged and not) of one file against HEAD, as a unified diff. */
export async function diffHead(root: string, path: string): Promise<string | undefined> {
  const out = await git(root, ['diff', '--no-color', '--no-ext-diff', 'HEAD', '--', path], 32 * 1024 * 1024);
  return out && out.trim() ? out : undefined;
}
