import * as vscode from 'vscode';
import type { CodeLinks } from '../codeLinks';
import type { ViewHandlers, ViewHost } from './viewHost';

type EditorHandlers = Pick<ViewHandlers, 'openLink' | 'copy' | 'snippet' | 'openRef'>;

/** What leaves the view for VS Code: links, the clipboard, shared code and file references. */
export function editorHandlers(host: ViewHost, codeLinks: Pick<CodeLinks, 'run' | 'openRef'>): EditorHandlers {
  return {
    openLink: (msg) => openLink(host, msg.url),
    copy: (msg) => vscode.env.clipboard.writeText(msg.text),
    snippet: async (msg) => {
      const client = host.session.client;
      const m = client?.store.message(msg.conv, msg.seq);
      if (!client || !m || m.body.kind !== 'snippet') throw new Error('That snippet is not available.');
      const sender = client.members().find((x) => x.id === m.author)?.name ?? 'the sender';
      await codeLinks.run(msg.action, m.body, sender);
    },
    openRef: (msg) => codeLinks.openRef(msg.path, msg.line, msg.col),
  };
}

/** Opens a link from a message in the browser (or mail client): those schemes only, never `command:` or `file:`. */
async function openLink(host: ViewHost, url: string): Promise<void> {
  let uri: vscode.Uri;
  try {
    uri = vscode.Uri.parse(url, true);
  } catch {
    // Not a URL at all: the view rendered something link-like; nothing to open.
    return;
  }
  if (!['http', 'https', 'mailto'].includes(uri.scheme)) {
    host.post({ type: 'notice', level: 'error', text: `Parley opens only http, https and mailto links, not ${uri.scheme}:` });
    return;
  }
  await vscode.env.openExternal(uri);
}
