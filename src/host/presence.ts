import * as vscode from 'vscode';
import { readConfig } from './config';
import { Disposable } from './disposable';
import type { ChatViewProvider } from './chatViewProvider';
import type { Session } from './session';

/**
 * Reports "away" after the configured minutes without activity in this window (focus, typing,
 * moving the cursor, anything done in the chat view) or without focus; "online" again on the
 * next activity.
 */
export class PresenceTracker extends Disposable {
  private lastActive = Date.now();
  private reported: 'online' | 'away' = 'online';

  constructor(
    private readonly session: Session,
    chat: Pick<ChatViewProvider, 'onDidInteract'>,
  ) {
    super();
    const touch = () => this.touch();
    this._register(chat.onDidInteract(touch));
    this._register(vscode.window.onDidChangeWindowState((s) => s.focused && touch()));
    this._register(vscode.window.onDidChangeTextEditorSelection(touch));
    this._register(vscode.workspace.onDidChangeTextDocument(touch));
    this._register(vscode.window.onDidChangeActiveTextEditor(touch));
    this._register(vscode.window.onDidChangeActiveTerminal(touch));
    const timer = setInterval(() => this.check(), 30_000);
    this._register({ dispose: () => clearInterval(timer) });
    // A new connection starts online (the relay knows nothing else); report away again if idle.
    this._register(
      session.onClientEvent('ready', () => {
        this.reported = 'online';
        this.check();
      }),
    );
  }

  touch(): void {
    this.lastActive = Date.now();
    if (this.reported === 'away') this.report('online');
  }

  private check(): void {
    const idleMs = Date.now() - this.lastActive;
    const away = idleMs > readConfig().awayAfterMinutes * 60_000;
    this.report(away ? 'away' : 'online');
  }

  private report(state: 'online' | 'away'): void {
    if (state === this.reported) return;
    this.reported = state;
    const c = this.session.client;
    if (c?.state === 'connected') c.setPresence(state);
  }
}
