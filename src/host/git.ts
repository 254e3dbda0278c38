import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { normalizeRemote } from '../client/gitRemote';
import { relativeTo } from '../client/paths';
import { repositoryOf, type GitRepository } from './gitApi';
import { trusted } from './trust';

// Git context for shared code: from VS Code's git extension where it knows the file's repository
// (its git, its `git.path`, remote file systems too; see gitApi.ts), else from the git command
// line for files on this disk (with the user's own `git.path`). Every call is bounded in time; no
// git means no context. In Restricted Mode no git runs at all: a repository's own config can make
// git run commands (core.fsmonitor runs on `git diff`), which is what an untrusted workspace must
// not do (VS Code's git extension is off there too).

/**
 * The git to run: the user's own `git.path` setting (from their user settings only: a workspace's
 * settings must not choose a program to run), else `git` from the PATH.
 */
export function gitBinary(): string {
  const set = vscode.workspace.getConfiguration('git').inspect<string | string[] | null>('path')?.globalValue;
  const first = Array.isArray(set) ? set[0] : set;
  return typeof first === 'string' && first.trim() ? first.trim() : 'git';
}

function git(cwd: string, args: string[], maxBuffer = 4 * 1024 * 1024): Promise<string | undefined> {
  if (!trusted()) return Promise.resolve(undefined);
  return new Promise((resolve) => {
    execFile(gitBinary(), args, { cwd, timeout: 5000, maxBuffer, windowsHide: true }, (err, stdout) => resolve(err ? undefined : stdout));
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

/** A file's repository, its path inside it, and its content at HEAD. */
export interface FileInRepo {
  repo: RepoInfo;
  path: string;
  /** The file at HEAD, or undefined when it is not tracked. */
  head(): Promise<string | undefined>;
}

/** The repository of a file (of this disk or of the workspace's file system): VS Code's git extension first, else the git command line. */
export async function fileInRepository(uri: vscode.Uri): Promise<FileInRepo | undefined> {
  if (!trusted()) return undefined;
  const api = await repositoryOf(uri);
  if (api) {
    const root = api.rootUri.fsPath;
    const path = relativeTo(root, uri.fsPath);
    if (path)
      return {
        repo: infoOf(api),
        path,
        head: () =>
          api.show('HEAD', uri.fsPath).then(
            (t) => t,
            () => undefined,
          ),
      };
  }
  if (uri.scheme !== 'file') return undefined;
  const where = await fileInRepo(uri.fsPath);
  return where && { ...where, head: () => showHead(where.repo.root, where.path) };
}

/** What a repository of VS Code's git extension says of itself, as the command line would. */
function infoOf(r: GitRepository): RepoInfo {
  const remotes = r.state.remotes;
  const named = remotes.find((x) => x.name === 'origin') ?? remotes[0];
  const url = named?.fetchUrl ?? named?.pushUrl;
  const remote = url ? normalizeRemote(url) : undefined;
  const commit = r.state.HEAD?.commit;
  const branch = r.state.HEAD?.name;
  return {
    root: r.rootUri.fsPath,
    ...(remote ? { remote } : {}),
    ...(commit && /^[0-9a-f]{7,64}$/.test(commit) ? { commit } : {}),
    ...(branch && branch !== 'HEAD' ? { branch } : {}),
  };
}

/** The repository holding a workspace folder (VS Code's git extension first). */
export async function repoOf(folder: vscode.Uri): Promise<RepoInfo | undefined> {
  if (!trusted()) return undefined;
  const api = await repositoryOf(folder);
  if (api) return infoOf(api);
  return folder.scheme === 'file' ? repoFor(folder.fsPath) : undefined;
}

/** A file's repository and its path inside it (the git command line). */
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
