import * as vscode from 'vscode';
import { MAX_DROPPED } from '../../protocol/viewShared';
import { readFileToSend, inWorkspaceOrOpen, type FileToSend } from '../fileToSend';
import { ask } from '../messages';
import { mimeOf } from '../share';
import type { ViewHandlers, ViewHost } from './viewHost';

type DropHandlers = Pick<ViewHandlers, 'sendUris'>;

/**
 * Files dragged from VS Code's Explorer or an editor tab into a composer (the view gets their
 * URIs, not their bytes): read here and sent to that conversation (or thread), as a file dropped
 * from the desktop is. Files of the workspace or open in a tab go at once; any other (a drag from
 * another program can name any file of this computer) only after a question that names them. All
 * are read first: one that cannot be sent (a folder, too large, not a file) sends none and says
 * which and why.
 */
export function dropHandlers(host: Pick<ViewHost, 'session'>): DropHandlers {
  return {
    sendUris: async (msg) => {
      const client = host.session.client;
      const conv = client?.conversation(msg.conv);
      if (!client || !conv) throw new Error('that conversation is not in this team');
      if (msg.uris.length > MAX_DROPPED) throw new Error(`at most ${MAX_DROPPED} files can be dropped at once; nothing was sent`);
      const uris = msg.uris.map((raw) => {
        try {
          return onThisSide(vscode.Uri.parse(raw, true));
        } catch {
          throw new Error(`what was dropped is not a file (${raw.slice(0, 80)}); nothing was sent`);
        }
      });
      const outside = uris.filter((u) => !inWorkspaceOrOpen(u));
      if (outside.length) {
        const where = conv.kind === 'room' ? `#${conv.name}` : 'this direct message';
        const names = outside.map((u) => (u.scheme === 'file' ? u.fsPath : u.toString())).join('\n');
        const go = await ask(
          'warning',
          `Send ${outside.length === 1 ? 'a file' : `${outside.length} files`} from outside this workspace to ${where}?`,
          { detail: names },
          'Send',
        );
        if (go !== 'Send') return;
      }
      const files: FileToSend[] = [];
      for (const uri of uris) files.push(await readFileToSend(uri, client.limits.maxFileBytes));
      for (const f of files) client.sendFile(msg.conv, f.name, f.bytes, { mime: mimeOf(f.name), ...(msg.thread !== undefined ? { thread: msg.thread } : {}) });
    },
  };
}

/**
 * A URI as this extension host reads it. The view (on the user's machine) names files of a remote
 * workspace `vscode-remote://<authority>/<path>`; an extension host that runs on that remote
 * (code-server, Remote-SSH with Parley installed there) sees the same files as `file:` URIs. It is
 * that remote when its workspace folders are `file:` ones while the window is remote.
 */
export function onThisSide(uri: vscode.Uri): vscode.Uri {
  if (uri.scheme !== 'vscode-remote' || vscode.env.remoteName === undefined) return uri;
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0 || folders.some((f) => f.uri.scheme !== 'file')) return uri;
  return vscode.Uri.file(uri.path);
}
