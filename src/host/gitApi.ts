import * as vscode from 'vscode';

// What Parley reads of VS Code's built-in git extension (`vscode.git`, its API version 1): the
// repository of a file, its remotes and HEAD, and a file at HEAD. Written here from the shapes
// Parley uses; the extension's exports are reached only in the same extension host (they do not
// cross to another one, as commands do), so undefined here means "ask the command line".

export interface GitRepository {
  readonly rootUri: vscode.Uri;
  readonly state: {
    readonly HEAD?: { readonly name?: string; readonly commit?: string };
    readonly remotes: readonly { readonly name: string; readonly fetchUrl?: string; readonly pushUrl?: string }[];
  };
  show(ref: string, path: string): Promise<string>;
}

interface GitApi {
  readonly state: 'uninitialized' | 'initialized';
  getRepository(uri: vscode.Uri): GitRepository | null;
}

interface GitExtension {
  readonly enabled: boolean;
  getAPI(version: 1): GitApi;
}

/** How long the git extension may take to start before the command line is used instead. */
const ACTIVATE_MS = 3000;

/** The repository VS Code's git extension has open for `uri`, or undefined (no extension, disabled, not started yet, not a repository it knows). */
export async function repositoryOf(uri: vscode.Uri): Promise<GitRepository | undefined> {
  try {
    const ext = vscode.extensions?.getExtension<GitExtension>('vscode.git');
    if (!ext) return undefined;
    const exports = ext.isActive ? ext.exports : await Promise.race([ext.activate(), new Promise<undefined>((r) => setTimeout(r, ACTIVATE_MS))]);
    if (!exports?.enabled) return undefined;
    const api = exports.getAPI(1);
    if (api.state !== 'initialized') return undefined;
    return api.getRepository(uri) ?? undefined;
  } catch {
    return undefined;
  }
}
