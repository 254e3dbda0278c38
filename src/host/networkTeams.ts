import * as vscode from 'vscode';
import { TeamBrowser } from '../core/discovery';
import type { DiscoveredTeamView } from '../protocol/view';
import { readConfig } from './config';
import { Disposable } from './disposable';
import type { Session } from './session';

/**
 * "Teams on this network" for the join screen: browses DNS-SD while this window is not in a
 * team (signed out or failed to join) and discovery is on; stops as soon as it joins.
 */
export class NetworkTeams extends Disposable {
  private browser: TeamBrowser | undefined;
  private list: DiscoveredTeamView[] = [];
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly session: Session,
    private readonly log: vscode.LogOutputChannel,
  ) {
    super();
    this._register(session.onDidChange(() => this.update()));
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('parley.discovery')) {
          this.stop();
          this.update();
        }
      }),
    );
    this.update();
  }

  teams(): DiscoveredTeamView[] {
    return this.list;
  }

  private wanted(): boolean {
    const c = this.session.client;
    return readConfig().discovery.enabled && (!c || c.state === 'failed');
  }

  private update(): void {
    if (!this.wanted()) {
      this.stop();
      return;
    }
    if (this.browser) return;
    const iface = readConfig().discovery.interface;
    try {
      const browser = new TeamBrowser({ ...(iface ? { interface: iface } : {}), onError: (err) => this.log.warn(`looking for teams on the network failed: ${err.message}`) });
      browser.on('change', (teams) => {
        this.list = teams.map(({ id, team, host, url, members, online, secure, secret }) => ({ id, team, host, url, members, online, secure, secret }));
        this.changed.fire();
      });
      this.browser = browser;
      this.log.info(`looking for teams on the network${iface ? ` (interface ${iface})` : ''}`);
    } catch (err) {
      this.log.warn(`not looking for teams on the network: ${(err as Error).message}`);
    }
  }

  private stop(): void {
    if (!this.browser) return;
    void this.browser.stop();
    this.browser = undefined;
    if (this.list.length) {
      this.list = [];
      this.changed.fire();
    }
  }

  override dispose(): void {
    this.stop();
    super.dispose();
  }
}
