import { join } from 'node:path';
import { Announcer, lanAddresses } from '../infra/discovery';
import { fingerprintOfPem } from '../infra/fingerprint';
import { makeInvite, type Invite } from '../infra/invite';
import type { Limits } from '../protocol/constants';
import { isLoopback } from './auth';
import { Relay } from './relay';
import { SqliteStore } from './sqliteStore';
import { loadOrCreateCertificate } from './tlsCert';

export interface HostOptions {
  /** Folder for relay.sqlite and the certificate. */
  dataDir: string;
  /** Address to bind: 127.0.0.1 (this machine only) or 0.0.0.0 / a LAN address (shared). */
  host: string;
  /**
   * Hosted for the network by the user's choice ("Share on this network"), whatever `host` is
   * (a test points the shared bind at 127.0.0.1). Default: whether `host` is beyond loopback.
   */
  share?: boolean;
  port: number;
  secret?: string;
  /** Serve wss:// with the self-signed certificate kept in dataDir (made on first use), or with the given one. */
  tls?: boolean | { key: string; cert: string };
  /** Announce the team on the network (DNS-SD); `interface` limits it to one interface. */
  discovery?: { team: string; interface?: string };
  retain?: number;
  limits?: Partial<Limits>;
  allowedOrigins?: string[];
  /** Other addresses that reach the relay (see RelayOptions.publicUrls). */
  publicUrls?: string[];
  /** The team's owner by name (the hosting member, `--owner`); default: its first member. */
  owner?: string;
  /** Called with the new team secret after an admin rotated it (invites() already use it). */
  onSecret?: (secret: string) => void;
  log?: (line: string) => void;
}

/**
 * A relay as a team hosts it, the same for `parley-relay` and for "Parley: Host Team Relay":
 * storage in a data folder, optional TLS with a kept certificate, optional announcement on the
 * network with live member counts, and the invites that reach it.
 */
export class HostedRelay {
  private constructor(
    readonly relay: Relay,
    private readonly store: SqliteStore,
    readonly port: number,
    readonly opts: HostOptions,
    /** SHA-256 of the certificate (64 hex) when serving wss://. */
    readonly fingerprint: string | undefined,
    private announcer: Announcer | undefined,
  ) {}

  /** Opens the store and listens; throws the listen error (EADDRINUSE has `code`) with nothing left open. */
  static async start(opts: HostOptions): Promise<HostedRelay> {
    let tls: { key: string; cert: string; fingerprint?: string } | undefined;
    if (opts.tls === true) tls = await loadOrCreateCertificate(opts.dataDir);
    else if (opts.tls) tls = opts.tls;
    const store = new SqliteStore(join(opts.dataDir, 'relay.sqlite'));
    // Set once listening; the relay's callbacks may run before (they then have nothing to refresh).
    const made: { hosted?: HostedRelay } = {};
    const relay = new Relay({
      store,
      host: opts.host,
      port: opts.port,
      secret: opts.secret,
      allowedOrigins: opts.allowedOrigins,
      publicUrls: opts.publicUrls,
      retain: opts.retain,
      limits: opts.limits,
      log: opts.log,
      onPresence: () => made.hosted?.refreshAnnouncement(),
      owner: opts.owner,
      onSecret: (secret) => {
        opts.secret = secret;
        made.hosted?.refreshAnnouncement();
        opts.onSecret?.(secret);
      },
      ...(tls ? { tls: { key: tls.key, cert: tls.cert } } : {}),
    });
    let port: number;
    try {
      port = (await relay.listen()).port;
    } catch (err) {
      await relay.close().catch(() => undefined);
      store.close();
      throw err;
    }
    const fingerprint = tls ? (tls.fingerprint ?? fingerprintOfPem(tls.cert)) : undefined;
    const hosted = (made.hosted = new HostedRelay(relay, store, port, opts, fingerprint, undefined));
    if (opts.discovery) {
      try {
        hosted.announcer = new Announcer(hosted.teamInfo(), {
          interface: opts.discovery.interface,
          onError: (err) => opts.log?.(`announcing on the network failed: ${err.message}`),
        });
      } catch (err) {
        opts.log?.(`not announcing on the network: ${(err as Error).message}`);
      }
    }
    return hosted;
  }

  get secure(): boolean {
    return this.fingerprint !== undefined;
  }

  /** Whether it is hosted for others on the network (chosen so, or bound beyond loopback). */
  get shared(): boolean {
    return this.opts.share ?? !isLoopback(this.opts.host);
  }

  get announcing(): boolean {
    return this.announcer !== undefined;
  }

  /** Addresses teammates can use: this machine's LAN addresses when bound to all, else the bound one. */
  addresses(): string[] {
    if (this.opts.host === '0.0.0.0' || this.opts.host === '::') {
      const lan = lanAddresses();
      return lan.length ? lan : ['127.0.0.1'];
    }
    return [this.opts.host === 'localhost' ? '127.0.0.1' : this.opts.host];
  }

  url(address: string): string {
    return `${this.secure ? 'wss' : 'ws'}://${address.includes(':') ? `[${address}]` : address}:${this.port}`;
  }

  /** An invite for each address (the first is the likeliest to work). */
  invites(team?: string): Invite[] {
    return this.addresses().map((a) => {
      const made = makeInvite({ relayUrl: this.url(a), secret: this.teamSecret(), fingerprint: this.fingerprint, team: team ?? this.opts.discovery?.team });
      if (!made.ok) throw new Error(`cannot make an invite for ${a}: ${made.message}`);
      return made.invite;
    });
  }

  /**
   * The secret invites carry: the relay's current one. After a restart that followed a rotation
   * the relay holds only its hash, and the secret it was started with no longer admits anyone.
   */
  private teamSecret(): string | undefined {
    if (!this.relay.secretRequired) return undefined;
    const s = this.relay.teamSecret;
    if (s === undefined)
      throw new Error(
        'an admin rotated the team secret and this relay keeps only its hash; start it with the new secret (the admin who rotated it has it) or give a new one',
      );
    return s;
  }

  private teamInfo() {
    return {
      team: this.opts.discovery?.team ?? 'Parley team',
      port: this.port,
      secure: this.secure,
      secret: this.relay.secretRequired,
      members: this.relay.memberCount(),
      online: this.relay.onlineCount(),
      ...(this.fingerprint ? { fingerprint: this.fingerprint } : {}),
    };
  }

  refreshAnnouncement(): void {
    this.announcer?.update(this.teamInfo());
  }

  /** Says goodbye on the network, tells clients why, commits and closes. */
  async stop(reason = 'the host stopped the relay'): Promise<void> {
    await this.announcer?.stop().catch(() => undefined);
    this.announcer = undefined;
    await this.relay.close(reason);
    this.store.close();
  }
}
