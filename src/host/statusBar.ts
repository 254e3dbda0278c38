import * as vscode from 'vscode';
import { Disposable } from './disposable';
import { isSignedIn, type ConnectionView } from '../protocol/view';
import { readConfig } from './config';
import { plainLabel } from './plainText';
import type { Session } from './session';
import type { NotificationPrefs } from './notificationPrefs';
import { unreadTotal } from '../client/viewModel';
import { snoozeEnd } from '../client/snoozeTimes';

/** Connection state and unread count in the status bar; a click opens the chat. */
export class StatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('parley.status', vscode.StatusBarAlignment.Left, 50));

  constructor(
    private readonly session: Session,
    private readonly prefs: Pick<NotificationPrefs, 'mutedSet' | 'onDidChange'>,
  ) {
    super();
    this._register(prefs.onDidChange(() => this.update()));
    this.item.name = 'Parley';
    this.item.command = 'parley.openChat';
    this._register(session.onDidChange(() => this.update()));
    // The name and team in the tooltip come from settings too.
    this._register(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('parley') && this.update()));
    this.update();
    this.item.show();
  }

  private readonly contexts = new Map<string, boolean>();

  /** Context keys for `when` clauses (menus show what applies); set only on change. */
  private setContext(key: string, value: boolean): void {
    if (this.contexts.get(key) === value) return;
    this.contexts.set(key, value);
    void vscode.commands.executeCommand('setContext', key, value);
  }

  private update(): void {
    const c = this.session.connection();
    // The view's own rule: while it shows the join form the title bar offers no Search, DM or Create Room.
    this.setContext('parley.signedIn', isSignedIn(c.state, this.session.client?.self !== undefined));
    this.setContext('parley.hosting', c.hosting !== undefined);
    const cfg = readConfig();
    const name = this.session.client?.self?.name ?? (cfg.displayName || undefined);
    // The team's name is known here when this window hosts and announces it, else from the setting (as invites do).
    const team = this.session.hosting.relay?.opts.discovery?.team || cfg.teamName || undefined;
    const client = this.session.client;
    // Muted conversations count only their mentions (as the view's badge does).
    const muted = this.prefs.mutedSet();
    const unread = client ? unreadTotal(client, (conv) => muted.has(conv)) : 0;
    const s = describeStatus(c, { ...(name ? { name } : {}), ...(team ? { team } : {}), unread });
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.accessibilityInformation = { label: s.label, role: 'button' };
    this.item.backgroundColor = s.error ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
  }
}

/** What the status bar item shows: its text, its tooltip and what a screen reader reads for it. */
export interface StatusView {
  text: string;
  /**
   * Plain text, never markdown: names come from the relay and from teammates, and a plain string
   * tooltip renders no links, images or `$(icon)`s. Each name, address and relay error in it is a
   * plainLabel() too, so none can fake a line of its own.
   */
  tooltip: string;
  label: string;
  error: boolean;
}

/** The status bar item for a connection: who I am (`name`), which team, how much is unread. */
export function describeStatus(conn: ConnectionView, mine: { name?: string; team?: string; unread: number }): StatusView {
  // Everything below that is not Parley's own words came from settings, a relay or a teammate.
  const c = { ...conn, ...(conn.relayUrl ? { relayUrl: plainLabel(conn.relayUrl) } : {}), ...(conn.detail ? { detail: plainLabel(conn.detail) } : {}) };
  const me = { ...mine, ...(mine.name ? { name: plainLabel(mine.name) } : {}), ...(mine.team ? { team: plainLabel(mine.team) } : {}) };
  const { unread } = me;
  const count = unread > 0 ? ` ${unread}` : '';
  const messages = `${unread || 'no'} unread message${unread === 1 ? '' : 's'}`;
  const Messages = messages.charAt(0).toUpperCase() + messages.slice(1);
  const where = me.team ? (c.relayUrl ? `${me.team} (${c.relayUrl})` : me.team) : (c.relayUrl ?? 'the team');
  const as = me.name ? ` as ${me.name}` : '';
  const h = c.hosting;
  const hosting = h
    ? `Hosting on ${h.addresses.join(', ')}${h.shared ? '' : ' (this machine only)'}${h.secure ? ', TLS' : ''} · ${h.online} online of ${h.members}${h.announced ? ' · announced on the network' : ''}`
    : undefined;
  const tooltip = (state: string, ...more: (string | undefined)[]): string =>
    [
      `Parley: ${state}`,
      me.name ? `You: ${me.name}` : undefined,
      me.team || c.relayUrl ? `Team: ${where}` : undefined,
      ...more,
      hosting,
      'Click to open the chat.',
    ]
      .filter((l): l is string => !!l)
      .join('\n');
  switch (c.state) {
    case 'connected':
      return {
        text: `$(${h ? 'broadcast' : 'comment-discussion'}) Parley${count}`,
        tooltip: tooltip('connected', Messages),
        label: `Parley: ${messages}, connected${as} to ${where}${h ? ', hosting the relay' : ''}`,
        error: false,
      };
    case 'connecting':
    case 'reconnecting': {
      const doing = c.state === 'connecting' ? 'connecting' : 'relay offline, reconnecting';
      return {
        text: `$(sync~spin) Parley${count}`,
        tooltip: tooltip(`${doing}${c.detail ? ` (${c.detail})` : ''}`, Messages, 'Messages you send are queued.'),
        label: `Parley: ${doing}${as} to ${where}, ${messages}; messages you send are queued`,
        error: false,
      };
    }
    case 'failed':
      return {
        text: '$(error) Parley',
        tooltip: tooltip(`cannot connect: ${c.detail ?? 'refused'}`),
        label: `Parley: cannot connect${as} to ${where}: ${c.detail ?? 'refused'}`,
        error: true,
      };
    default:
      return {
        text: h ? '$(broadcast) Parley' : '$(comment-discussion) Parley',
        tooltip: h ? tooltip('hosting, not signed in') : 'Parley: not signed in. Click to join or host a team.',
        label: h ? 'Parley: hosting the relay, not signed in; open the chat to join it' : 'Parley: not signed in; open the chat to join or host a team',
        error: false,
      };
  }
}

/**
 * Shows while Parley's notifications are snoozed, and until when; a click resumes or changes it
 * (notifyCommands.ts). It goes away by itself when the snooze ends, and follows one made in
 * another window. Only Parley's own words are in it.
 */
export class SnoozeIndicator extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('parley.snooze', vscode.StatusBarAlignment.Left, 49));
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly prefs: Pick<NotificationPrefs, 'snoozedUntil' | 'onDidChange'>) {
    super();
    this.item.name = 'Parley Notifications Snoozed';
    this.item.command = 'parley.snoozeNotifications';
    this._register(prefs.onDidChange(() => this.update()));
    this._register({ dispose: () => this.timer && clearTimeout(this.timer) });
    this.update();
  }

  private update(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const until = this.prefs.snoozedUntil();
    void vscode.commands.executeCommand('setContext', 'parley.snoozed', until !== undefined);
    if (until === undefined) {
      this.item.hide();
      return;
    }
    const s = describeSnooze(until, new Date());
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.accessibilityInformation = { label: s.label, role: 'button' };
    this.item.show();
    // When it ends, and at the next midnight (a "tomorrow 9:00" becomes "9:00").
    const midnight = new Date();
    midnight.setHours(24, 0, 1, 0);
    const next = Math.min(until, midnight.getTime());
    this.timer = setTimeout(() => this.update(), Math.max(1000, next - Date.now() + 50));
  }
}

/** What the snooze item shows for a snooze until `until`, at `now`. */
export function describeSnooze(until: number, now: Date): Omit<StatusView, 'error'> {
  const end = snoozeEnd(until, now);
  const said = `Parley notifications are snoozed ${end ? `until ${end}` : 'until you resume them'}`;
  return { text: end ? `$(bell-slash) ${end}` : '$(bell-slash)', tooltip: `${said}. Click to resume or change.`, label: said };
}
