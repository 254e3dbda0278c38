import * as vscode from 'vscode';
import { conversationMarkdown, loadAllHistory } from '../core/exportMarkdown';
import { sanitizeFileName } from '../core/fileNames';
import { conversationViews } from '../core/viewModel';
import type { ChatViewProvider } from './chatViewProvider';
import { formatFingerprint } from '../core/fingerprint';
import type { Invites } from './invites';
import type { Session } from './session';
import type { Sharer } from './share';
import { ask, reportingFailure, showInfo, withProgressNotification } from './messages';
import { askText, pickOne, type Choice } from './picks';
import { plainLabel } from './plainText';
import { mayWrite } from './safeWrite';
import type { TeamCommands } from './teamCommands';
import { registerAdminCommands } from './adminCommands';
import { canManageRoom } from '../protocol/roles';
import { registerDeviceCommands } from './deviceCommands';

interface Deps {
  session: Session;
  chat: ChatViewProvider;
  log: vscode.LogOutputChannel;
  sharer: Sharer;
  invites: Invites;
  team: TeamCommands;
}

/**
 * Every command in package.json `contributes.commands`, registered in one place; the ones that
 * change the team (teamChange.ts TEAM_COMMANDS) by `team`, behind its guard.
 */
export function registerCommands(context: vscode.ExtensionContext, { session, chat, log, sharer, invites, team }: Deps): void {
  const reg = (id: string, fn: (...args: never[]) => unknown) =>
    context.subscriptions.push(vscode.commands.registerCommand(id, (...args: never[]) => reportingFailure(log, id, () => fn(...args))));
  team.register(reg);
  context.subscriptions.push(registerAdminCommands(reg, session, () => invites.copy()));
  registerDeviceCommands(reg, session, context);

  const needClient = () => {
    const c = session.client;
    if (!c) throw new Error('join or host a team first (Parley: Join Team…)');
    return c;
  };

  reg('parley.openChat', () => chat.reveal());

  reg('parley.sendSelection', (uri?: vscode.Uri) => {
    const editor = vscode.window.activeTextEditor;
    const target = uri instanceof vscode.Uri ? vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString()) : undefined;
    return sharer.sendSelection(target ?? editor);
  });
  reg('parley.sendSelectionAgain', () => sharer.sendSelection(vscode.window.activeTextEditor, true));
  reg('parley.sendFile', (uri?: vscode.Uri, uris?: vscode.Uri[]) => sharer.sendFiles(uri instanceof vscode.Uri ? uri : undefined, Array.isArray(uris) ? uris : undefined));
  reg('parley.sendTo', () => sharer.sendSelection(vscode.window.activeTextEditor));
  // From the explorer or an editor tab: a Uri; from the Source Control view: a resource state.
  reg('parley.sendChanges', (arg?: vscode.Uri | { resourceUri?: vscode.Uri }) =>
    sharer.sendChanges(arg instanceof vscode.Uri ? arg : arg?.resourceUri instanceof vscode.Uri ? arg.resourceUri : undefined),
  );

  reg('parley.copyInvite', () => invites.copy());
  reg('parley.inviteByName', () => invites.copyFor());

  reg('parley.hostingStatus', async () => {
    const h = session.hosting.relay;
    if (!h) throw new Error('this window does not host a relay (Parley: Host Team Relay)');
    const items: Choice<(() => unknown) | undefined>[] = [
      ...h.addresses().map((a) => ({ icon: 'globe', label: h.url(a), description: h.shared ? 'reachable on the network' : 'this machine only', value: undefined })),
      { icon: 'person', label: `${h.relay.onlineCount()} online of ${h.relay.memberCount()} members`, description: h.announcing ? 'announced on the network' : 'not announced', value: undefined },
      ...(h.fingerprint ? [{ icon: 'shield', label: formatFingerprint(h.fingerprint), description: 'certificate SHA-256', value: undefined }] : []),
      { icon: 'link', label: 'Copy Invite', value: () => invites.copy() },
      { icon: 'debug-stop', label: 'Stop Hosting', value: () => vscode.commands.executeCommand('parley.stopHosting') },
    ];
    const run = await pickOne(items, { title: 'Parley: hosting' });
    await run?.();
  });

  reg('parley.reconnect', () => {
    const c = session.client;
    if (c) c.reconnect();
    else return session.restore(() => team.resumeHosting());
    return undefined;
  });

  reg('parley.showLog', () => log.show());

  reg('parley.switchConversation', async () => {
    const c = needClient();
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
    const id = await pickOne(items, { title: 'Switch conversation', matchOnDetail: true });
    if (id) await chat.reveal(id, true);
  });

  reg('parley.startDm', async () => {
    const c = needClient();
    const others = c.members().filter((m) => m.id !== c.self?.id);
    if (others.length === 0) throw new Error('nobody else has joined this team yet');
    const order = { online: 0, away: 1, offline: 2 };
    const id = await pickOne(
      others.sort((a, b) => order[a.presence] - order[b.presence] || a.name.localeCompare(b.name)).map((m) => ({ label: m.name, description: m.presence, value: m.id })),
      { title: 'Direct message to…' },
    );
    if (!id) return;
    const conv = await c.openDm(id);
    await chat.reveal(conv.id, true);
  });

  reg('parley.createRoom', async () => {
    const c = needClient();
    const name = await askText({
      title: 'Create a room',
      prompt: 'Room name: lower-case letters, digits, - and _',
      validateInput: (v) => (/^[a-z0-9][a-z0-9_-]{0,39}$/.test(v.replace(/^#/, '')) ? undefined : 'lower-case letters, digits, - and _, up to 40'),
    });
    if (!name) return;
    const conv = await c.createRoom(name.replace(/^#/, ''));
    await chat.reveal(conv.id, true);
  });

  reg('parley.joinRoom', async () => {
    const c = needClient();
    const rooms = (await c.listRooms()).filter((r) => !r.joined);
    if (rooms.length === 0) {
      void showInfo('You are in every room already. Create one with "Parley: Create Room…".');
      return;
    }
    const id = await pickOne(
      rooms.map((r) => ({ label: `#${r.name}`, description: `${r.memberCount} member${r.memberCount === 1 ? '' : 's'}${r.archived ? ' · archived' : ''}`, detail: r.topic, value: r.id })),
      { title: 'Join a room' },
    );
    if (!id) return;
    const conv = await c.joinRoom(id);
    await chat.reveal(conv.id, true);
  });

  /**
   * Exports a conversation (the open one, or one picked) as Markdown, after paging in its whole
   * history. `args` lets a test or another extension name the conversation and the file.
   */
  reg('parley.searchMessages', async () => {
    needClient();
    await chat.focusSearch();
  });

  reg('parley.exportConversation', async (args?: { conv?: string; target?: vscode.Uri }) => {
    const c = needClient();
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
      (await vscode.window.showSaveDialog({ ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, fileName) } : {}), filters: { Markdown: ['md'] }, title: plainLabel(`Export ${view.title}`) }));
    // Messages are teammates' text, so the export goes nowhere a .git reads (a dialog's or a caller's target alike).
    if (!target || !(await mayWrite(target, 'export the conversation to', true))) return undefined;
    await vscode.workspace.fs.writeFile(target, Buffer.from(text, 'utf8'));
    if (!args?.target) {
      void showInfo(`Exported ${messages.length} messages of ${view.title}${incomplete ? ' (not all: see the file)' : ''}.`, 'Open').then((pick) => {
        if (pick === 'Open') void vscode.window.showTextDocument(target);
      });
    }
    return { file: target.toString(), messages: messages.length, complete: !incomplete };
  });

  /** The active room, or one the user picks, among those I may `act` on (the relay's rules, protocol/roles.ts). */
  const pickRoom = async (title: string, filter: (archived: boolean) => boolean, act: 'topic' | 'archive') => {
    const c = needClient();
    const me = { id: c.self?.id ?? '', role: c.roleOf(c.self?.id ?? '') };
    const refusal = (r: { kind: 'room' | 'dm'; name: string; creator?: string }) => canManageRoom(me, r, act);
    const active = chat.active ? c.conversation(chat.active) : undefined;
    if (active?.kind === 'room' && filter(active.archived === true) && !refusal(active)) return active;
    const rooms = c.conversations().filter((x) => x.kind === 'room' && filter(x.archived === true) && !refusal(x));
    if (rooms.length === 0) throw new Error(active?.kind === 'room' ? (refusal(active) ?? 'no room to do that to') : 'there is no room you manage for that');
    const id = await pickOne(rooms.map((r) => ({ label: `#${r.name}`, value: r.id })), { title });
    return id ? c.conversation(id) : undefined;
  };

  reg('parley.setTopic', async () => {
    const c = needClient();
    const room = await pickRoom('Set the topic of which room?', (archived) => !archived, 'topic');
    if (!room) return;
    const text = await askText({
      title: `Topic of #${room.name}`,
      value: room.topic ?? '',
      prompt: 'What the room is about; everyone sees it under the room name. Empty clears it.',
      validateInput: (v) => (v.trim().length > 250 ? `At most 250 characters (${v.trim().length})` : undefined),
    });
    if (text === undefined || text.trim() === (room.topic ?? '')) return;
    c.send(room.id, { kind: 'topic', text: text.trim() });
  });

  reg('parley.archiveRoom', async () => {
    const c = needClient();
    const room = await pickRoom('Archive which room?', (archived) => !archived, 'archive');
    if (!room) return;
    const ok = await ask('warning', `Archive #${plainLabel(room.name)}?`, { modal: true, detail: 'It becomes read-only for everyone, with its history kept, until someone unarchives it.' }, 'Archive');
    if (ok === 'Archive') c.send(room.id, { kind: 'archive', on: true });
  });

  reg('parley.unarchiveRoom', async () => {
    const c = needClient();
    const room = await pickRoom('Unarchive which room?', (archived) => archived, 'archive');
    if (room) c.send(room.id, { kind: 'archive', on: false });
  });

  reg('parley.leaveRoom', async () => {
    const c = needClient();
    const active = chat.active ? c.conversation(chat.active) : undefined;
    const rooms = c.conversations().filter((x) => x.kind === 'room');
    const target =
      active?.kind === 'room'
        ? active
        : await pickOne(
            rooms.map((r) => ({ label: `#${r.name}`, value: r.id })),
            { title: 'Leave which room?' },
          ).then((id) => (id ? c.conversation(id) : undefined));
    if (!target) return;
    const ok = await ask('warning', `Leave #${plainLabel(target.name)}?`, { modal: true }, 'Leave');
    if (ok === 'Leave') await c.leaveRoom(target.id);
  });
}
