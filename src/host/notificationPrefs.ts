import { createHash } from 'node:crypto';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { NotifyPrefs } from '../client/notifyPrefs';
import { Disposable } from './disposable';
import type { Session } from './session';

/**
 * The user's notification choices for the team this window is signed in to: muted conversations,
 * threads followed or left, and the snooze (client/notifyPrefs.ts keeps them, for every window of
 * this VS Code). Another window's change is read when this one gets the focus.
 */
export class NotificationPrefs extends Disposable {
  private readonly prefs: NotifyPrefs;
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  /** The team key of the client it was made for (a snapshot asks once per conversation). */
  private key: { client: unknown; me: string; team: string } | undefined;
  readonly onDidChange = this.changed.event;

  constructor(
    context: vscode.ExtensionContext,
    private readonly session: Pick<Session, 'client'>,
    log: vscode.LogOutputChannel,
  ) {
    super();
    this.prefs = new NotifyPrefs(join(context.globalStorageUri.fsPath, 'notify-prefs.json'), (line) => log.warn(line));
    const off = this.prefs.onDidChange(() => this.changed.fire());
    this._register({ dispose: off });
    this._register(vscode.window.onDidChangeWindowState((s) => s.focused && this.prefs.refresh()));
  }

  /** The team's key: the relay and my member id there (undefined until signed in). */
  team(): string | undefined {
    const c = this.session.client;
    const me = c?.self?.id;
    if (!c || !me) return undefined;
    if (this.key?.client !== c || this.key.me !== me)
      this.key = { client: c, me, team: createHash('sha256').update(`${c.relayUrl}\n${me}`).digest('hex').slice(0, 32) };
    return this.key.team;
  }

  // `team`: of a notification shown before a switch to another team; else the team of now.

  muted(conv: string, team = this.team()): boolean {
    return team !== undefined && this.prefs.muted(team, conv);
  }

  /** The team's muted conversations (one look at the file for a whole list). */
  mutedSet(team = this.team()): ReadonlySet<string> {
    return team === undefined ? new Set() : this.prefs.mutedIn(team);
  }

  setMuted(conv: string, on: boolean, team = this.team()): void {
    if (!team) throw new Error('not signed in to a team');
    this.prefs.setMuted(team, conv, on);
  }

  following(conv: string, root: number, team = this.team()): boolean | undefined {
    return team === undefined ? undefined : this.prefs.following(team, conv, root);
  }

  setFollowing(conv: string, root: number, on: boolean | undefined, team = this.team()): void {
    if (!team) throw new Error('not signed in to a team');
    this.prefs.setFollowing(team, conv, root, on);
  }

  snoozedUntil(): number | undefined {
    return this.prefs.snoozedUntil();
  }

  snooze(until: number | undefined): void {
    this.prefs.snooze(until);
  }
}
