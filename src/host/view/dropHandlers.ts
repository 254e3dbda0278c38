import * as vscode from 'vscode';
import { readFileToSend, type FileToSend } from '../fileToSend';
import { mimeOf } from '../share';
import type { ViewHandlers, ViewHost } from './viewHost';

type DropHandlers = Pick<ViewHandlers, 'sendUris'>;

/**
 * Files dragged from VS Code's Explorer or an editor tab into a composer (the view gets their
 * URIs, not their bytes): read here and sent to that conversation (or thread), as a file dropped
 * from the desktop is. All are read first: one that cannot be sent (a folder, too large, not a
 * file) sends none and says which and why.
 */
export function dropHandlers(host: Pick<ViewHost, 'session'>): DropHandlers {
  return {
    sendUris: async (msg) => {
      const client = host.session.client;
      if (!client?.conversation(msg.conv)) throw new Error('that conversation is not in this team');
      const files: FileToSend[] = [];
      for (const raw of msg.uris) {
        let uri: vscode.Uri;
        try {
          uri = vscode.Uri.parse(raw, true);
        } catch {
          throw new Error(`what was dropped is not a file (${raw.slice(0, 80)})`);
        }
        files.push(await readFileToSend(onThisSide(uri), client.limits.maxFileBytes));
      }
      for (const f of files) client.sendFile(msg.conv, f.name, f.bytes, { mime: mimeOf(f.name), ...(msg.thread !== undefined ? { thread: msg.thread } : {}) });
    },
  };
}

/**
 * A URI as this extension host reads it. The view (on the user's machine) names files of a remote
 * workspace `vscode-remote://<authority>/<path>`; an extension host that runs on that remote
 * (code-server, Remote-SSH with Parley installed there) sees the same files as `file:` URIs.
 */
export function onThisSide(uri: vscode.Uri): vscode.Uri {
  if (uri.scheme !== 'vscode-remote' || vscode.env.remoteName === undefined) return uri;
  const folders = vscode.workspace.workspaceFolders ?? [];
  return folders.some((f) => f.uri.scheme === 'vscode-remote') ? uri : vscode.Uri.file(uri.path);
}
