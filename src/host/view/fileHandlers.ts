import { writeFile } from 'node:fs/promises';
import { posix } from 'node:path';
import * as vscode from 'vscode';
import type { ParleyClient } from '../../client/client';
import type { CachedMessage } from '../../client/clientStore';
import { sanitizeFileName } from '../../client/fileNames';
import { formatBytes } from '../../protocol/formatBytes';
import type { FileBody } from '../../protocol/wire';
import type { CodeLinks } from '../codeLinks';
import { showInfo, withProgressNotification } from '../messages';
import { plainLabel } from '../plainText';
import { mayWrite } from '../safeWrite';
import type { ViewHandlers, ViewHost } from './viewHost';

/** Received files up to this size open in an editor (larger ones are saved). */
const OPEN_MAX_BYTES = 1024 * 1024;

type FileHandlers = Pick<ViewHandlers, 'saveFile' | 'openFile'>;

/** A received file's buttons: save it where the user chooses, or read it in an editor. */
export function fileHandlers(host: ViewHost, codeLinks: Pick<CodeLinks, 'showReceived'>): FileHandlers {
  return {
    saveFile: (msg) => saveFile(receivedFile(host, msg.conv, msg.seq)),
    openFile: (msg) => openFile(receivedFile(host, msg.conv, msg.seq), codeLinks),
  };
}

interface ReceivedFile {
  client: ParleyClient;
  m: CachedMessage;
  body: FileBody;
  /** The sent name, sanitized (see client/fileNames.ts). */
  name: string;
}

/** A received file this window has: its client, message, body and sanitized name. */
function receivedFile(host: ViewHost, conv: string, seq: number): ReceivedFile {
  const client = host.session.client;
  const m = client?.store.message(conv, seq);
  if (!client || !m || m.body.kind !== 'file') throw new Error('That file is not available.');
  return { client, m, body: m.body, name: sanitizeFileName(m.body.name) };
}

function download({ client, body, name }: ReceivedFile): Thenable<Buffer> {
  return withProgressNotification(`Downloading ${name}…`, () => client.fetchFile(body));
}

async function saveFile(file: ReceivedFile): Promise<void> {
  const { body, name } = file;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const target = await vscode.window.showSaveDialog({
    ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, name) } : {}),
    saveLabel: 'Save',
    title: plainLabel(`Save ${name} (${formatBytes(body.size)})`),
  });
  // Checked before the download so a refused place costs no transfer.
  if (!target || !(await mayWrite(target, `save ${name} as`, true))) return;
  const bytes = await download(file);
  if (target.scheme === 'file') await writeFile(target.fsPath, bytes);
  else await vscode.workspace.fs.writeFile(target, bytes);
  // The name it was saved under (the dialog may have changed it), not the name it was sent with.
  const saved = posix.basename(target.path);
  void showInfo(`Saved ${saved === name ? name : `${name} as ${saved}`} (${formatBytes(bytes.length)}, sha256 checked).`);
}

/** Opens a received text file in a read-only editor (fetched and hash-checked, never written to disk). */
async function openFile(file: ReceivedFile, codeLinks: Pick<CodeLinks, 'showReceived'>): Promise<void> {
  const { client, m, body, name } = file;
  if (body.size > OPEN_MAX_BYTES)
    throw new Error(`${name} is ${formatBytes(body.size)}: files up to ${formatBytes(OPEN_MAX_BYTES)} open here; use Save as… for this one.`);
  const bytes = await download(file);
  let text: string;
  try {
    if (bytes.includes(0)) throw new Error('binary');
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new Error(`${name} is not a UTF-8 text file; use Save as… to keep it.`);
  }
  const sender = client.members().find((x) => x.id === m.author)?.name ?? 'sender';
  await codeLinks.showReceived(`${sanitizeFileName(sender)}/${name}`, text);
}
