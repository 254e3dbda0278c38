import { posix } from 'node:path';
import * as vscode from 'vscode';
import { formatBytes } from '../protocol/formatBytes';

/** Whatever a relay says, no file over this is read to be sent (it is held in memory whole). */
export const MAX_SEND_BYTES = 64 * 1024 * 1024;

/** A file read to be sent: its name (the last part of its path) and its bytes. */
export interface FileToSend {
  uri: vscode.Uri;
  name: string;
  bytes: Uint8Array;
}

/**
 * Reads a file the user chose to send (Send File to…, a drag from the Explorer): a regular file
 * of this computer or of the workspace's own file system (remote, virtual), not a folder, a
 * device or a pipe, and not over the relay's limit (nor MAX_SEND_BYTES) — checked again on what
 * was read, for a file that grew. Throws an error saying which and why otherwise.
 */
export async function readFileToSend(uri: vscode.Uri, relayMaxBytes: number): Promise<FileToSend> {
  const name = posix.basename(uri.path) || uri.path;
  const maxBytes = Math.min(relayMaxBytes, MAX_SEND_BYTES);
  const schemes = new Set(['file', ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.scheme)]);
  if (!schemes.has(uri.scheme)) throw new Error(`${name} is not a file of this workspace or computer (${uri.scheme}:), so it cannot be sent`);
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.type & vscode.FileType.Directory) throw new Error(`${name} is a folder: Parley sends files, not folders`);
  // (A device such as /dev/zero or a pipe is no File: reading one would not end.)
  if (!(stat.type & vscode.FileType.File)) throw new Error(`${name} is not a regular file, so it cannot be sent`);
  const tooBig = (size: number) => new Error(`${name} is ${formatBytes(size)}; files up to ${formatBytes(maxBytes)} can be sent`);
  if (stat.size > maxBytes) throw tooBig(stat.size);
  const bytes = await vscode.workspace.fs.readFile(uri);
  if (bytes.length > maxBytes) throw tooBig(bytes.length);
  return { uri, name, bytes };
}

/** Whether `uri` is in one of the workspace's folders or open in an editor tab: a file the user has in front of them. */
export function inWorkspaceOrOpen(uri: vscode.Uri): boolean {
  const key = uri.toString();
  const inFolder = (vscode.workspace.workspaceFolders ?? []).some((f) => {
    const root = f.uri.toString().replace(/\/?$/, '/');
    return f.uri.scheme === uri.scheme && f.uri.authority === uri.authority && key.startsWith(root) && !uri.path.split('/').includes('..');
  });
  if (inFolder) return true;
  return vscode.window.tabGroups.all.some((g) =>
    g.tabs.some((t) => {
      const input = t.input as { uri?: vscode.Uri } | undefined;
      return input?.uri instanceof vscode.Uri && input.uri.toString() === key;
    }),
  );
}
