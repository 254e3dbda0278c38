import { posix } from 'node:path';
import * as vscode from 'vscode';
import { formatBytes } from '../protocol/formatBytes';

/** A file read to be sent: its name (the last part of its path) and its bytes. */
export interface FileToSend {
  uri: vscode.Uri;
  name: string;
  bytes: Uint8Array;
}

/**
 * Reads a file the user chose to send (Send File to…, a drag from the Explorer): a file of this
 * computer or of the workspace's own file system (remote, virtual), not a folder, not over the
 * relay's limit. Throws an error saying which and why otherwise; nothing is read then.
 */
export async function readFileToSend(uri: vscode.Uri, maxBytes: number): Promise<FileToSend> {
  const name = posix.basename(uri.path) || uri.path;
  const schemes = new Set(['file', ...(vscode.workspace.workspaceFolders ?? []).map((f) => f.uri.scheme)]);
  if (!schemes.has(uri.scheme)) throw new Error(`${name} is not a file of this workspace or computer (${uri.scheme}:), so it cannot be sent`);
  const stat = await vscode.workspace.fs.stat(uri);
  if (stat.type & vscode.FileType.Directory) throw new Error(`${name} is a folder: Parley sends files, not folders`);
  if (stat.size > maxBytes) throw new Error(`${name} is ${formatBytes(stat.size)}; the relay accepts files up to ${formatBytes(maxBytes)}`);
  return { uri, name, bytes: await vscode.workspace.fs.readFile(uri) };
}
