import * as vscode from 'vscode';
import { Disposable } from './disposable';
import type { Session } from './session';

/** Connection state and unread count in the status bar; a click opens the chat. */
export class StatusBar extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('parley.status', vscode.StatusBarAlignment.Left, 50));

  constructor(private readonly session: Session) {
    super();
    this.item.name = 'Parley';
    this.item.command = 'parley.openChat';
    this._register(session.onDidChange(() => this.update()));
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
    this.setContext('parley.signedIn', c.state !== 'signedOut');
    this.setContext('parley.hosting', c.hosting !== undefined);
    const unread = this.session.client?.conversations().reduce((n, x) => n + x.unread, 0) ?? 0;
    const count = unread > 0 ? ` ${unread}` : '';
    const h = c.hosting;
    const hosting = h
      ? `\nHosting on ${h.addresses.join(', ')}${h.shared ? '' : ' (this machine only)'}${h.secure ? ', TLS' : ''} · ${h.online} online of ${h.members}${h.announced ? ' · announced on the network' : ''}`
      : '';
    switch (c.state) {
      case 'connected':
        this.item.text = `$(${c.hosting ? 'broadcast' : 'comment-discussion'}) Parley${count}`;
        this.item.tooltip = `Parley: connected to ${c.relayUrl}${hosting}${unread ? `\n${unread} unread` : ''}`;
        this.item.backgroundColor = undefined;
        break;
      case 'connecting':
      case 'reconnecting':
        this.item.text = `$(sync~spin) Parley${count}`;
        this.item.tooltip = `Parley: relay offline — reconnecting to ${c.relayUrl}${c.detail ? ` (${c.detail})` : ''}. Messages you send are queued.`;
        this.item.backgroundColor = undefined;
        break;
      case 'failed':
        this.item.text = `$(error) Parley`;
        this.item.tooltip = `Parley: cannot connect: ${c.detail ?? 'refused'}`;
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
        break;
      default:
        this.item.text = c.hosting ? `$(broadcast) Parley` : `$(comment-discussion) Parley`;
        this.item.tooltip = c.hosting ? `Parley${hosting}` : 'Parley: not signed in — click to join or host a team';
        this.item.backgroundColor = undefined;
    }
  }
}
