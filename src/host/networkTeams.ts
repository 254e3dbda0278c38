import * as vscode from 'vscode';
import { TeamBrowser, type BrowserOptions, type DiscoveredTeam } from '../infra/discovery';
import { formatFingerprint } from '../infra/fingerprint';
import { nameKeys } from '../protocol/names';
import type { DiscoveredTeamView } from '../protocol/view';
import { readConfig } from './config';
import { Disposable } from './disposable';

/** What NetworkTeams needs of the session: the certificate pins this client holds. */
export interface PinSource {
  pinned(url: string): string | undefined;
}

/** Answers dropped (over budget or a full list) since browsing started, beyond which the view warns of a flood. */
const FLOOD_NOTICE = 50;

/**
 * "Teams on this network" for the join screen. Browses DNS-SD only while the join screen is
 * on screen (the chat view is visible and shows the join form) and discovery is on: no UDP
 * socket, no query, nothing a firewall could ask about, until someone opens Parley to join. The
 * chat view says when that is (`setJoinScreenShown`); browsing stops as soon as it hides, the
 * window joins a team, or discovery is turned off.
 *
 * Each entry says where it answered from and how far this client trusts it: its certificate
 * pinned for that address (and whether the announced fingerprint agrees), not yet trusted, or
 * plain ws://. Entries whose team names would pass for each other (Unicode confusable skeleton,
 * protocol/names.ts) are counted, so the view can say "2 teams called X — check the address".
 */
export class NetworkTeams extends Disposable {
  private browser: TeamBrowser | undefined;
  private found: DiscoveredTeam[] = [];
  private shown = false;
  private readonly keys = new Map<string, string[]>();
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  readonly onDidChange = this.changed.event;

  constructor(
    private readonly pins: PinSource,
    private readonly log: vscode.LogOutputChannel,
    /** Tests: a port of their own and short query intervals. */
    private readonly browserOptions: Pick<BrowserOptions, 'port' | 'intervalMs' | 'maxIntervalMs'> = {},
  ) {
    super(log);
    this._register(
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('parley.discovery')) {
          this.stop();
          this.update();
        }
      }),
    );
  }

  /** The chat view calls this whenever what it shows may have changed (visibility, sign-in state). */
  setJoinScreenShown(shown: boolean): void {
    if (shown === this.shown) return;
    this.shown = shown;
    this.update();
  }

  /** Whether a browser is running (a socket is bound and queries go out). */
  get browsing(): boolean {
    return this.browser !== undefined;
  }

  /** Whether more answered than could be listed or decoded: someone may be flooding the network. */
  flooded(): boolean {
    const s = this.browser?.stats();
    return s !== undefined && s.droppedFull + s.droppedRate > FLOOD_NOTICE;
  }

  teams(): DiscoveredTeamView[] {
    const keyed = this.found.map((t) => ({ t, keys: this.keysOf(t.team) }));
    return keyed.map(({ t, keys }) => {
      const sameName = keyed.filter((o) => o.keys.some((k) => keys.includes(k))).length;
      const pin = t.secure ? this.pins.pinned(t.url) : undefined;
      const trust: DiscoveredTeamView['trust'] = !t.secure ? 'plain' : !pin ? 'unknown' : t.fingerprint && t.fingerprint !== pin ? 'changed' : 'trusted';
      return {
        id: t.id,
        team: t.team,
        host: t.host,
        url: t.url,
        members: t.members,
        online: t.online,
        secure: t.secure,
        secret: t.secret,
        trust,
        sameName,
        ...(t.fingerprint && trust !== 'trusted' ? { fingerprint: formatFingerprint(t.fingerprint) } : {}),
      };
    });
  }

  private keysOf(team: string): string[] {
    let k = this.keys.get(team);
    if (!k) {
      if (this.keys.size > 512) this.keys.clear();
      k = nameKeys(team.trim().replace(/\s+/g, ' '));
      this.keys.set(team, k);
    }
    return k;
  }

  private update(): void {
    const cfg = readConfig().discovery;
    if (!this.shown || !cfg.enabled) {
      this.stop();
      return;
    }
    if (this.browser) return;
    const iface = cfg.interface;
    try {
      const browser = new TeamBrowser({
        ...this.browserOptions,
        ...(iface ? { interface: iface } : {}),
        onError: (err) => this.log.warn(`looking for teams on the network failed: ${err.message}`),
      });
      browser.on('change', (teams) => {
        if (this.browser !== browser) return;
        this.found = teams;
        this.changed.fire();
      });
      this.browser = browser;
      this.log.info(`looking for teams on the network${iface ? ` (interface ${iface})` : ''}: the join screen is showing`);
    } catch (err) {
      this.log.warn(`not looking for teams on the network: ${(err as Error).message}`);
    }
  }

  private stop(): void {
    if (!this.browser) return;
    const b = this.browser;
    this.browser = undefined;
    b.stop().catch((err: unknown) => this.log.warn(`stopping the team browser failed: ${(err as Error).message}`));
    this.log.info('stopped looking for teams on the network');
    if (this.found.length) {
      this.found = [];
      this.changed.fire();
    }
  }

  override dispose(): void {
    this.stop();
    super.dispose();
  }
}
