import * as vscode from 'vscode';
import type { ParleyClient } from '../client/client';
import { conversationMarkdown, loadAllHistory } from '../client/exportMarkdown';
import { sanitizeFileName } from '../client/fileNames';
import { unreadAfter } from '../client/unreadNav';
import { conversationViews } from '../client/viewModel';
import type { ChatViewProvider } from './chatViewProvider';
import { needClient, type Register } from './commandSupport';
import { flashStatus, showInfo, withProgressNotification } from './messages';
import { pickOne } from './picks';
import { plainLabel } from './plainText';
import { mayWrite } from './safeWrite';
import type { Session } from './session';

type Chat = Pick<ChatViewProvider, 'reveal' | 'focusSearch' | 'active'>;

/** Opening the chat, moving between conversations, searching and exporting them. */
export function registerConversationCommands(reg: Register, session: Session, chat: Chat): void {
  reg('parley.openChat', () => chat.reveal());
  reg('parley.switchConversation', async () => {
    const id = await pickConversation(needClient(session));
    if (id) await chat.reveal(id, true);
  });
  const goUnread = async (step: 1 | -1) => {
    const next = unreadAfter(conversationViews(needClient(session)), chat.active, step);
    if (next) await chat.reveal(next, true);
    else flashStatus('check', 'Parley: no other conversation has unread messages', 4000);
  };
  reg('parley.nextUnread', () => goUnread(1));
  reg('parley.previousUnread', () => goUnread(-1));
  reg('parley.startDm', async () => {
    const c = needClient(session);
    const id = await pickMember(c);
    if (!id) return;
    const conv = await c.openDm(id);
    await chat.reveal(conv.id, true);
  });
  reg('parley.searchMessages', async () => {
    needClient(session);
    await chat.focusSearch();
  });
  reg('parley.exportConversation', (args?: ExportArgs) => exportConversation(needClient(session), chat, args));
}

function pickConversation(c: ParleyClient): Thenable<string | undefined> {
  const names = new Map(c.members().map((m) => [m.id, m]));
  const items = c.conversations().map((conv) => {
    const peer = conv.kind === 'dm' ? names.get(conv.members.find((m) => m !== c.self?.id) ?? '') : undefined;
    return {
      ...(conv.kind === 'room' ? { label: `#${conv.name}` } : { icon: 'person', label: peer?.name ?? 'direct message' }),
      description: conv.unread ? `${conv.unread} unread` : undefined,
      detail: conv.topic,
      value: conv.id,
    };
  });
  return pickOne(items, { title: 'Switch conversation', matchOnDetail: true });
}

/** Another member, those online first. */
function pickMember(c: ParleyClient): Thenable<string | undefined> {
  const others = c.members().filter((m) => m.id !== c.self?.id);
  if (others.length === 0) throw new Error('nobody else has joined this team yet');
  const order = { online: 0, away: 1, offline: 2 };
  return pickOne(
    others
      .sort((a, b) => order[a.presence] - order[b.presence] || a.name.localeCompare(b.name))
      .map((m) => ({ label: m.name, description: m.presence, value: m.id })),
    { title: 'Direct message to…' },
  );
}

/** A test or another extension may name the conversation and the file. */
interface ExportArgs {
  conv?: string;
  target?: vscode.Uri;
}

/** Exports a conversation (the open one, or one picked) as Markdown, after paging in its whole history. */
async function exportConversation(c: ParleyClient, chat: Chat, args?: ExportArgs): Promise<{ file: string; messages: number; complete: boolean } | undefined> {
  const views = conversationViews(c);
  const convId =
    args?.conv ??
    chat.active ??
    (await pickOne(
      views.map((v) => ({ label: v.title, value: v.id })),
      { title: 'Export which conversation?' },
    ));
  const view = views.find((v) => v.id === convId);
  if (!view) {
    if (convId !== undefined) throw new Error(`no conversation ${convId}`);
    return undefined;
  }
  const incomplete = await withProgressNotification(`Parley: loading the history of ${view.title}…`, () => loadAllHistory(c, view.id));
  const messages = c.messages(view.id, { limit: Number.MAX_SAFE_INTEGER, scope: 'any' });
  const names = new Map(c.members().map((m) => [m.id, m.name]));
  const text = conversationMarkdown(messages, { title: view.title, names, now: Date.now(), ...(incomplete ? { incomplete } : {}) });
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
  const fileName = `${sanitizeFileName(view.title.replace(/^#/, ''))}-${new Date().toISOString().slice(0, 10)}.md`;
  const target =
    args?.target ??
    (await vscode.window.showSaveDialog({
      ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, fileName) } : {}),
      filters: { Markdown: ['md'] },
      title: plainLabel(`Export ${view.title}`),
    }));
  // Messages are teammates' text, so the export goes nowhere a .git reads (a dialog's or a caller's target alike).
  if (!target || !(await mayWrite(target, 'export the conversation to', true))) return undefined;
  await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
  if (!args?.target) {
    void showInfo(`Exported ${messages.length} messages of ${view.title}${incomplete ? ' (not all: see the file)' : ''}.`, 'Open').then((pick) => {
      if (pick === 'Open') void vscode.window.showTextDocument(target);
    });
  }
  return { file: target.toString(), messages: messages.length, complete: !incomplete };
}
