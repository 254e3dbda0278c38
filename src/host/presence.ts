import * as vscode from 'vscode';
import { readConfig } from './config';
import { Disposable } from './disposable';
import type { ChatViewProvider } from './chatViewProvider';
import type { Session } from './session';

/** What the tracker needs of time (the real clock in VS Code; a test's own in tests). */
export interface PresenceClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realClock: PresenceClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/**
 * Reports "away" after the configured minutes without activity in this window, "online" again on
 * the next activity. Activity is what VS Code's window state says (`active`: the window was
 * interacted with recently, anywhere in it; `focused`), plus typing, the cursor, editors,
 * terminals and anything done in the chat view. No polling: one timer waits for the moment the
 * window would turn away, and looks again then.
 */
export class PresenceTracker extends Disposable {
  private lastActive: number;
  private reported: 'online' | 'away' = 'online';
  private timer: unknown;

  constructor(
    private readonly session: Session,
    chat: Pick<ChatViewProvider, 'onDidInteract'>,
    private readonly clock: PresenceClock = realClock,
  ) {
    super();
    this.lastActive = clock.now();
    const touch = () => this.touch();
    this._register(chat.onDidInteract(touch));
    this._register(vscode.window.onDidChangeWindowState((s) => (s.active || s.focused) && touch()));
    this._register(vscode.window.onDidChangeTextEditorSelection(touch));
    this._register(vscode.workspace.onDidChangeTextDocument(touch));
    this._register(vscode.window.onDidChangeActiveTextEditor(touch));
    this._register(vscode.window.onDidChangeActiveTerminal(touch));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('parley.awayAfterMinutes') && this.rearm()));
    this._register({ dispose: () => this.timer !== undefined && clock.clearTimeout(this.timer) });
    // A new connection starts online (the relay knows nothing else); report away again if idle.
    this._register(
      session.onClientEvent('ready', () => {
        this.reported = 'online';
        this.check();
      }),
    );
    this.arm();
  }

  touch(): void {
    this.lastActive = this.clock.now();
    if (this.reported === 'away') this.report('online');
    this.arm();
  }

  private get awayMs(): number {
    return readConfig().awayAfterMinutes * 60_000;
  }

  /** Makes sure a timer waits (typing touches often: the timer is not made anew each time). */
  private arm(): void {
    if (this.timer === undefined) this.timer = this.clock.setTimeout(() => this.fire(), Math.max(1000, this.lastActive + this.awayMs - this.clock.now()));
  }

  private rearm(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.check();
  }

  private fire(): void {
    this.timer = undefined;
    this.check();
  }

  /** Away once the minutes have passed with no activity (VS Code saying the window is in use counts); else wait for then. */
  private check(): void {
    const state = vscode.window.state;
    if (state.active && state.focused) this.lastActive = this.clock.now();
    const left = this.lastActive + this.awayMs - this.clock.now();
    if (left > 0) {
      this.report('online');
      this.arm();
    } else this.report('away');
  }

  private report(state: 'online' | 'away'): void {
    if (state === this.reported) return;
    this.reported = state;
    const c = this.session.client;
    if (c?.state === 'connected') c.setPresence(state);
  }
}
