import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ParleyClient } from '../client/client';
import { mentions } from '../protocol/mentions';
import { Coalescer, shouldNotify, summarize, type NotifyCandidate } from '../client/notifyPolicy';
import { pidAlive } from '../infra/pidLock';
import { isShownBody, threadOf, type Message } from '../protocol/wire';
import type { ChatViewProvider } from './chatViewProvider';
import type { NotificationPrefs } from './notificationPrefs';
import { readConfig } from './config';
import { Disposable } from './disposable';
import type { Session } from './session';
import { showInfo } from './messages';

/**
 * Raises notifications for new messages per the user's setting, coalescing bursts. Of several
 * VS Code windows only the one focused last notifies (a small file in global storage says which).
 */
export class Notifier extends Disposable {
  private readonly coalescer = new Coalescer<NotifyCandidate>(4000, (items) => this.show(items));
  private readonly electionFile: string;
  private debugging = vscode.debug.activeDebugSession !== undefined;
  /** Messages that arrive during the first sync after connecting are catch-up, not news. */
  private catchingUp = true;

  constructor(
    context: vscode.ExtensionContext,
    session: Session,
    private readonly chat: ChatViewProvider,
    private readonly prefs: NotificationPrefs,
  ) {
    super();
    this.electionFile = join(context.globalStorageUri.fsPath, 'notifier.json');
    if (vscode.window.state.focused) this.claim();
    this._register(vscode.window.onDidChangeWindowState((s) => s.focused && this.claim()));
    this._register(vscode.debug.onDidStartDebugSession(() => (this.debugging = true)));
    this._register(vscode.debug.onDidTerminateDebugSession(() => (this.debugging = vscode.debug.activeDebugSession !== undefined)));
    this._register({ dispose: () => this.coalescer.dispose() });
    this._register(session.onDidChangeClient(() => (this.catchingUp = true)));
    this._register(session.onClientEvent('synced', () => (this.catchingUp = false)));
    this._register(session.onClientEvent('state', (s) => s !== 'connected' && (this.catchingUp = true)));
    this._register(
      session.onClientEvent('message', (m) => {
        const client = session.client;
        if (client) this.onMessage(client, m);
      }),
    );
  }

  private onMessage(client: ParleyClient, m: Message): void {
    const me = client.self;
    if (!me || m.author === me.id || this.catchingUp) return;
    // (Notices by kind, not NOTICE_KINDS.has(): the kinds narrow the body's type below.)
    if (!isShownBody(m.body) || m.body.kind === 'deleted' || m.body.kind === 'topic' || m.body.kind === 'archive' || m.body.kind === 'admin') return;
    const conv = client.conversation(m.conv);
    if (!conv) return;
    const author = client.members().find((x) => x.id === m.author)?.name ?? 'someone';
    const text = m.body.kind === 'text' ? m.body.text : m.body.kind === 'snippet' ? `shared ${m.body.path ?? 'a snippet'}` : `sent ${m.body.name}`;
    const isDm = conv.kind === 'dm';
    const candidate: NotifyCandidate = {
      conv: conv.id,
      convTitle: isDm ? author : `#${conv.name}`,
      isDm,
      authorName: author,
      text,
      mentionsMe: m.body.kind === 'text' && mentions(m.body.text, me.name, { room: !isDm }),
      ...(this.prefs.muted(conv.id) ? { muted: true } : {}),
    };
    const root = threadOf(m.body);
    if (root !== undefined) {
      candidate.thread = root;
      candidate.inMyThread = client.store.threadParticipants(m.conv, root).has(me.id);
      const following = this.prefs.following(conv.id, root);
      if (following !== undefined) candidate.following = following;
    }
    const cfg = readConfig();
    const ok = shouldNotify(candidate, {
      level: cfg.notifications,
      quietWhileDebugging: cfg.quietWhileDebugging,
      debugging: this.debugging,
      windowFocused: vscode.window.state.focused,
      viewVisible: this.chat.visible,
      isNotifierWindow: true,
      snoozed: this.prefs.snoozedUntil() !== undefined,
    });
    // The election file is read only for messages that would notify.
    if (ok && this.isNotifier()) this.coalescer.add(candidate);
  }

  /** One notification; "Mute …" is offered when all of it is from one conversation (or one thread). */
  private async show(items: NotifyCandidate[]): Promise<void> {
    const { text, conv, thread } = summarize(items);
    const one = items.every((i) => i.conv === conv);
    const inThread = one && thread !== undefined && items.every((i) => i.thread === thread);
    const first = items[0];
    const mute = !one ? undefined : inThread ? 'Mute Thread' : first.isDm ? `Mute ${first.authorName}` : `Mute ${first.convTitle}`;
    const pick = await showInfo(text, 'Reply', 'Open', ...(mute ? [mute] : []));
    if (pick === 'Reply') await this.chat.reveal(conv, true, thread);
    else if (pick === 'Open') await this.chat.reveal(conv, false, thread);
    else if (pick !== undefined && pick === mute) await this.muteFromNotification(conv, inThread ? thread : undefined, mute.slice('Mute '.length));
  }

  /** The notification's Mute: the conversation, or (for a thread's replies) the thread; then a chance to undo it. */
  private async muteFromNotification(conv: string, thread: number | undefined, what: string): Promise<void> {
    const before = thread !== undefined ? this.prefs.following(conv, thread) : undefined;
    if (thread !== undefined) this.prefs.setFollowing(conv, thread, false);
    else this.prefs.setMuted(conv, true);
    const said =
      thread !== undefined
        ? 'Thread muted: its replies notify you only when they mention you.'
        : `${what} muted: it notifies you of nothing until you unmute it (the bell in its header).`;
    if ((await showInfo(said, 'Undo')) !== 'Undo') return;
    if (thread !== undefined) this.prefs.setFollowing(conv, thread, before);
    else this.prefs.setMuted(conv, false);
  }

  private claim(): void {
    try {
      mkdirSync(join(this.electionFile, '..'), { recursive: true });
      writeFileSync(this.electionFile, JSON.stringify({ pid: process.pid }));
    } catch {
      /* a read-only storage folder just means every window notifies */
    }
  }

  private isNotifier(): boolean {
    try {
      const { pid } = JSON.parse(readFileSync(this.electionFile, 'utf8')) as { pid: number };
      if (pid === process.pid) return true;
      if (pidAlive(pid)) return false;
    } catch {
      /* no election yet */
    }
    this.claim();
    return true;
  }
}
