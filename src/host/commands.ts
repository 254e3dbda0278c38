import * as vscode from 'vscode';
import { conversationMarkdown, loadAllHistory } from '../core/exportMarkdown';
import { sanitizeFileName } from '../core/fileNames';
import { conversationViews } from '../core/viewModel';
import { checkJoin } from '../protocol/joinForm';
import { readConfig, saveConfig } from './config';
import type { ChatViewProvider } from './chatViewProvider';
import { formatFingerprint } from '../core/fingerprint';
import { HostedElsewhere, type HostChoice } from './hosting';
import type { Invites } from './invites';
import type { Session } from './session';
import type { Sharer } from './share';
import { ask, showError, showInfo } from './messages';
import { mayWrite } from './safeWrite';

interface Deps {
  session: Session;
  chat: ChatViewProvider;
  log: vscode.LogOutputChannel;
  sharer: Sharer;
  invites: Invites;
}

interface HostArgs {
  name?: string;
  share?: boolean;
  secure?: boolean;
  team?: string;
}

/** Every command in package.json `contributes.commands`, registered in one place. */
export function registerCommands(context: vscode.ExtensionContext, { session, chat, log, sharer, invites }: Deps): void {
  const reg = (id: string, fn: (...args: never[]) => unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: never[]) => {
        try {
          return await fn(...args);
        } catch (err) {
          log.error(`${id}: ${(err as Error).stack ?? err}`);
          void showError(`Parley: ${(err as Error).message}`);
          return undefined;
        }
      }),
    );

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

  reg('parley.joinTeam', async (args?: { relayUrl: string; name: string; secret: string }) => {
    const cfg = readConfig();
    const relayUrl =
      args?.relayUrl ??
      (await vscode.window.showInputBox({ title: 'Join a Parley team', prompt: 'Relay address', value: cfg.relayUrl || 'ws://127.0.0.1:7420', ignoreFocusOut: true }));
    if (relayUrl === undefined) return;
    const name = args?.name ?? (await vscode.window.showInputBox({ title: 'Join a Parley team', prompt: 'Your display name', value: cfg.displayName, ignoreFocusOut: true }));
    if (name === undefined) return;
    const secret =
      args?.secret ?? (await vscode.window.showInputBox({ title: 'Join a Parley team', prompt: 'Team secret (leave empty if the relay has none)', password: true, ignoreFocusOut: true }));
    if (secret === undefined) return;
    const check = checkJoin(relayUrl, name, secret);
    if (!check.ok) throw new Error(check.message);
    await session.join(check.url, check.name, secret || undefined);
    await chat.reveal();
  });

  /** Starts hosting (asking how unless told) and joins this window to it. */
  const host = async (args: HostArgs | undefined, interactive: boolean): Promise<void> => {
    const cfg = readConfig();
    const name = args?.name || cfg.displayName || (interactive ? await vscode.window.showInputBox({ title: 'Host a Parley team', prompt: 'Your display name', ignoreFocusOut: true }) : undefined);
    if (!name) return;
    const check = checkJoin('ws://127.0.0.1', name, '');
    if (!check.ok) throw new Error(check.message);
    let share = args?.share ?? cfg.hostShare;
    let secure = args?.secure ?? cfg.hostSecure;
    if (interactive && args?.share === undefined) {
      const pick = await vscode.window.showQuickPick(
        [
          { label: '$(lock) This machine only', description: 'loopback; nobody else can connect', share: false, secure: false },
          { label: '$(broadcast) Share on this network', description: 'teammates join with an invite (team secret required)', share: true, secure: false },
          { label: '$(shield) Share on this network, encrypted', description: 'as above, over TLS with a self-signed certificate pinned by invites', share: true, secure: true },
        ],
        { title: 'Host a Parley team', placeHolder: 'Who should be able to connect?' },
      );
      if (!pick) return;
      ({ share, secure } = pick);
    }
    const choice: HostChoice = {
      port: cfg.hostPort,
      share,
      address: cfg.hostAddress,
      secure,
      team: args?.team || cfg.teamName || `${check.name}'s team`,
      discovery: { enabled: cfg.discovery.enabled, interface: cfg.discovery.interface },
    };
    let local;
    try {
      local = await session.hosting.start(choice, interactive);
    } catch (err) {
      if (!(err instanceof HostedElsewhere)) throw err;
      await session.join(err.local.url, check.name, err.local.secret, err.local.fingerprint);
      void showInfo(`Parley: ${err.message}; this window joined it.`);
      return;
    }
    await saveConfig({ hostOnStartup: true, hostShare: share, hostSecure: secure });
    await session.join(local.url, check.name, local.secret, local.fingerprint);
    const where = session.hosting.relay!.addresses().map((a) => session.hosting.relay!.url(a)).join(', ');
    if (interactive) {
      const copy = 'Copy Invite';
      void showInfo(`Parley: hosting on ${where}${share ? '' : ' (this machine only)'}.`, copy).then((p) => (p === copy ? invites.copy() : undefined));
    }
  };

  reg('parley.hostTeam', (args?: HostArgs) => host(args, args?.name === undefined || args.share === undefined));

  reg('parley.stopHosting', async () => {
    await session.hosting.stop();
    await saveConfig({ hostOnStartup: false });
  });

  reg('parley.joinInvite', async (args?: { text: string; name?: string }) => {
    const text =
      args?.text ??
      (await vscode.window.showInputBox({ title: 'Join with an invite', prompt: 'Paste the invite link or the whole invite text', ignoreFocusOut: true }));
    if (!text) return false;
    const joined = await invites.acceptText(text, args?.name);
    if (joined) await chat.reveal();
    return joined;
  });

  reg('parley.copyInvite', () => invites.copy());

  reg('parley.hostingStatus', async () => {
    const h = session.hosting.relay;
    if (!h) throw new Error('this window does not host a relay (Parley: Host Team Relay)');
    const items: (vscode.QuickPickItem & { run?: () => unknown })[] = [
      ...h.addresses().map((a) => ({ label: `$(globe) ${h.url(a)}`, description: h.shared ? 'reachable on the network' : 'this machine only' })),
      { label: `$(person) ${h.relay.onlineCount()} online of ${h.relay.memberCount()} members`, description: h.announcing ? 'announced on the network' : 'not announced' },
      ...(h.fingerprint ? [{ label: `$(shield) ${formatFingerprint(h.fingerprint)}`, description: 'certificate SHA-256' }] : []),
      { label: '$(link) Copy Invite', run: () => invites.copy() },
      { label: '$(debug-stop) Stop Hosting', run: () => vscode.commands.executeCommand('parley.stopHosting') },
    ];
    const pick = await vscode.window.showQuickPick(items, { title: 'Parley: hosting' });
    await pick?.run?.();
  });

  reg('parley.reconnect', () => {
    const c = session.client;
    if (c) c.reconnect();
    else return session.restore(() => host(undefined, false));
    return undefined;
  });

  reg('parley.signOut', async () => {
    const pick = await ask('warning', 'Sign out of Parley? Unsent messages stay queued for the next sign-in.', { modal: true }, 'Sign Out');
    if (pick === 'Sign Out') await session.signOut();
  });

  reg('parley.showLog', () => log.show());

  reg('parley.switchConversation', async () => {
    const c = needClient();
    const names = new Map(c.members().map((m) => [m.id, m]));
    const items = c.conversations().map((conv) => {
      const peer = conv.kind === 'dm' ? names.get(conv.members.find((m) => m !== c.self?.id) ?? '') : undefined;
      return {
        label: conv.kind === 'room' ? `#${conv.name}` : `$(person) ${peer?.name ?? 'direct message'}`,
        description: conv.unread ? `${conv.unread} unread` : undefined,
        detail: conv.topic,
        id: conv.id,
      };
    });
    const pick = await vscode.window.showQuickPick(items, { title: 'Switch conversation', matchOnDetail: true });
    if (pick) await chat.reveal(pick.id, true);
  });

  reg('parley.startDm', async () => {
    const c = needClient();
    const others = c.members().filter((m) => m.id !== c.self?.id);
    if (others.length === 0) throw new Error('nobody else has joined this team yet');
    const order = { online: 0, away: 1, offline: 2 };
    const pick = await vscode.window.showQuickPick(
      others.sort((a, b) => order[a.presence] - order[b.presence] || a.name.localeCompare(b.name)).map((m) => ({ label: m.name, description: m.presence, id: m.id })),
      { title: 'Direct message to…' },
    );
    if (!pick) return;
    const conv = await c.openDm(pick.id);
    await chat.reveal(conv.id, true);
  });

  reg('parley.createRoom', async () => {
    const c = needClient();
    const name = await vscode.window.showInputBox({
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
    const pick = await vscode.window.showQuickPick(
      rooms.map((r) => ({ label: `#${r.name}`, description: `${r.memberCount} member${r.memberCount === 1 ? '' : 's'}${r.archived ? ' · archived' : ''}`, detail: r.topic, id: r.id })),
      { title: 'Join a room' },
    );
    if (!pick) return;
    const conv = await c.joinRoom(pick.id);
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
      (await vscode.window.showQuickPick(
        views.map((v) => ({ label: v.title, id: v.id })),
        { title: 'Export which conversation?' },
      ))?.id;
    const view = views.find((v) => v.id === convId);
    if (!view) {
      if (convId !== undefined) throw new Error(`no conversation ${convId}`);
      return undefined;
    }
    const incomplete = await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Parley: loading the history of ${view.title}…` }, () => loadAllHistory(c, view.id));
    const messages = c.messages(view.id, { limit: Number.MAX_SAFE_INTEGER, scope: 'any' });
    const names = new Map(c.members().map((m) => [m.id, m.name]));
    const text = conversationMarkdown(messages, { title: view.title, names, now: Date.now(), ...(incomplete ? { incomplete } : {}) });
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const fileName = `${sanitizeFileName(view.title.replace(/^#/, ''))}-${new Date().toISOString().slice(0, 10)}.md`;
    const target =
      args?.target ??
      (await vscode.window.showSaveDialog({ ...(folder ? { defaultUri: vscode.Uri.joinPath(folder, fileName) } : {}), filters: { Markdown: ['md'] }, title: `Export ${view.title}` }));
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

  /** The active room, or one the user picks. */
  const pickRoom = async (title: string, filter: (archived: boolean) => boolean = () => true) => {
    const c = needClient();
    const active = chat.active ? c.conversation(chat.active) : undefined;
    if (active?.kind === 'room' && filter(active.archived === true)) return active;
    const rooms = c.conversations().filter((x) => x.kind === 'room' && filter(x.archived === true));
    const pick = await vscode.window.showQuickPick(rooms.map((r) => ({ label: `#${r.name}`, id: r.id })), { title });
    return pick ? c.conversation(pick.id) : undefined;
  };

  reg('parley.setTopic', async () => {
    const c = needClient();
    const room = await pickRoom('Set the topic of which room?', (archived) => !archived);
    if (!room) return;
    const text = await vscode.window.showInputBox({
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
    const room = await pickRoom('Archive which room?', (archived) => !archived);
    if (!room) return;
    const ok = await ask('warning', `Archive #${room.name}?`, { modal: true, detail: 'It becomes read-only for everyone, with its history kept, until someone unarchives it.' }, 'Archive');
    if (ok === 'Archive') c.send(room.id, { kind: 'archive', on: true });
  });

  reg('parley.unarchiveRoom', async () => {
    const c = needClient();
    const room = await pickRoom('Unarchive which room?', (archived) => archived);
    if (room) c.send(room.id, { kind: 'archive', on: false });
  });

  reg('parley.leaveRoom', async () => {
    const c = needClient();
    const active = chat.active ? c.conversation(chat.active) : undefined;
    const rooms = c.conversations().filter((x) => x.kind === 'room');
    const target =
      active?.kind === 'room'
        ? active
        : await vscode.window.showQuickPick(
            rooms.map((r) => ({ label: `#${r.name}`, id: r.id })),
            { title: 'Leave which room?' },
          ).then((p) => (p ? c.conversation(p.id) : undefined));
    if (!target) return;
    const ok = await ask('warning', `Leave #${target.name}?`, { modal: true }, 'Leave');
    if (ok === 'Leave') await c.leaveRoom(target.id);
  });
}
