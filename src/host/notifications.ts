import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ParleyClient } from '../client/client';
import { mentions } from '../protocol/mentions';
import { Coalescer, shouldNotify, summarize, type NotifyCandidate, type NotifyContext } from '../client/notifyPolicy';
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
    const team = this.prefs.team();
    const candidate: NotifyCandidate = {
      conv: conv.id,
      convTitle: isDm ? author : `#${conv.name}`,
      isDm,
      authorName: author,
      text,
      mentionsMe: m.body.kind === 'text' && mentions(m.body.text, me.name, { room: !isDm }),
      ...(this.prefs.muted(conv.id) ? { muted: true } : {}),
      ...(team ? { team } : {}),
    };
    const root = threadOf(m.body);
    if (root !== undefined) {
      candidate.thread = root;
      candidate.inMyThread = client.store.threadParticipants(m.conv, root).has(me.id);
      const following = this.prefs.following(conv.id, root);
      if (following !== undefined) candidate.following = following;
    }
    const ok = shouldNotify(candidate, this.context());
    // The election file is read only for messages that would notify.
    if (ok && this.isNotifier()) this.coalescer.add(candidate);
  }

  private context(): NotifyContext {
    const cfg = readConfig();
    return {
      level: cfg.notifications,
      quietWhileDebugging: cfg.quietWhileDebugging,
      debugging: this.debugging,
      windowFocused: vscode.window.state.focused,
      viewVisible: this.chat.visible,
      isNotifierWindow: true,
      snoozed: this.prefs.snoozedUntil() !== undefined,
    };
  }

  /** `c` as its team's choices say now (a Mute or a snooze may have come while it was held back). */
  private asNow(c: NotifyCandidate): NotifyCandidate {
    const now: NotifyCandidate = { ...c, muted: this.prefs.muted(c.conv, c.team) };
    if (c.thread === undefined) return now;
    const following = this.prefs.following(c.conv, c.thread, c.team);
    if (following === undefined) delete now.following;
    else now.following = following;
    return now;
  }

  /**
   * One notification for what is still to be shown of `held` (choices made while a burst was held
   * back count); "Mute …" is offered when all of it is from one conversation, "Mute Thread" when
   * from one thread.
   */
  private async show(held: NotifyCandidate[]): Promise<void> {
    const ctx = this.context();
    const items = held.filter((i) => shouldNotify(this.asNow(i), ctx));
    if (items.length === 0) return;
    const { text, conv, thread } = summarize(items);
    const first = items[0];
    const one = items.every((i) => i.conv === conv);
    const root = one && first.thread !== undefined && items.every((i) => i.thread === first.thread) ? first.thread : undefined;
    const mute = !one ? undefined : root !== undefined ? 'Mute Thread' : first.isDm ? `Mute ${first.authorName}` : `Mute ${first.convTitle}`;
    const pick = await showInfo(text, 'Reply', 'Open', ...(mute ? [mute] : []));
    if (pick === 'Reply') await this.chat.reveal(conv, true, thread);
    else if (pick === 'Open') await this.chat.reveal(conv, false, thread);
    else if (pick !== undefined && pick === mute) await this.muteFromNotification(first, root, mute.slice('Mute '.length));
  }

  /** The notification's Mute: the conversation, or (for a thread's replies) the thread; then a chance to undo it. */
  private async muteFromNotification(c: NotifyCandidate, root: number | undefined, what: string): Promise<void> {
    const { conv, team } = c;
    const wasFollowing = root !== undefined ? this.prefs.following(conv, root, team) : undefined;
    const wasMuted = this.prefs.muted(conv, team);
    if (root !== undefined) this.prefs.setFollowing(conv, root, false, team);
    else this.prefs.setMuted(conv, true, team);
    const said =
      root !== undefined
        ? 'Thread muted: its replies notify you only when they mention you.'
        : `${what} muted: it notifies you of nothing until you unmute it (the bell in its header).`;
    if ((await showInfo(said, 'Undo')) !== 'Undo') return;
    if (root !== undefined) this.prefs.setFollowing(conv, root, wasFollowing, team);
    else this.prefs.setMuted(conv, wasMuted, team);
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
