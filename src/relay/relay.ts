import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { WebSocket } from 'ws';
import { CloseCode, DEFAULT_LIMITS, DEFAULT_ROOM, ErrorCode, PROTOCOL_VERSION, type Limits } from '../protocol/constants';
import { fingerprintOfPem } from '../infra/fingerprint';
import { TeamAdmin } from './admin';
import { Connection, isAuthed } from './connection';
import type { RelayContext } from './context';
import { encode } from './events';
import { GroupCommit } from './groupCommit';
import { releaseHeld } from './handlers/sync';
import { Hub } from './hub';
import { newId } from './ids';
import { handleFrame } from './inbound';
import { Intake } from './intake';
import { MemberRegistry } from './memberRegistry';
import { NewMemberGate } from './newMembers';
import type { RelayOptions } from './options';
import type { TokenBucket } from './rateLimiter';
import { RelayAddress } from './relayAddress';
import { RelayServer } from './server';
import type { Store } from './store';
import { TeamSecret, type SecretCheck } from './teamSecret';
import { Uploads } from './uploads';

export { RELAY_VERSION } from './version';
export type { RelayOptions } from './options';

/**
 * A connection's next frame waits while more than this is bound for it and unread: a member who
 * asks for more than they read is slowed to their own reading speed, and nobody else is.
 */
const REQUEST_LOW_WATER = 1024 * 1024;
/** Syncs a connection may have running at once; a further one waits for one to finish. */
const SYNCS_IN_FLIGHT = 2;

/**
 * The relay: assigns per-conversation seqs, stores durably (one transaction per tick), acks after
 * commit and fans out. Runs embedded in the extension host or standalone (src/relay/cli.ts); no
 * `vscode` here. This class puts the parts together and owns each connection's life (open,
 * heartbeat, close): server.ts is HTTP and the upgrade, hub.ts who is where and the fan-out,
 * inbound.ts and handlers/ what each frame does, groupCommit.ts the storing.
 */
export class Relay {
  readonly limits: Limits;
  /** Whether a hello was signed for this relay. */
  readonly addressCheck: RelayAddress;
  /** Messages stored and acked since start (for `/healthz` and benchmarks). */
  stats = { stored: 0, commits: 0, connections: 0 };
  private readonly store: Store;
  private readonly hub: Hub;
  private readonly server: RelayServer;
  private readonly intake: Intake;
  private readonly commits: GroupCommit;
  private readonly secret: TeamSecret;
  private readonly members: MemberRegistry;
  private readonly ctx: RelayContext;
  private readonly log: (line: string) => void;
  private readonly maxQueuedBytes: number;
  private heartbeat: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: RelayOptions) {
    this.store = opts.store;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.log = opts.log ?? (() => undefined);
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 8 * 1024 * 1024;
    const admin = new TeamAdmin(this.store, { owner: opts.owner }, this.log);
    this.hub = new Hub({ store: this.store, admin, onPresence: opts.onPresence });
    this.members = new MemberRegistry(this.store, this.hub.users, this.log);
    this.secret = new TeamSecret(this.store, opts.secret, this.log);
    admin.resolveOwner(this.hub.users.values());
    this.server = this.makeServer();
    this.addressCheck = new RelayAddress(() => this.server.addressOrNone().port, opts.tls ? fingerprintOfPem(opts.tls.cert) : undefined, opts.publicUrls);
    this.commits = new GroupCommit({
      store: this.store,
      hub: this.hub,
      maxQueuedBytes: this.maxQueuedBytes,
      retain: opts.retain,
      stats: this.stats,
      log: this.log,
    });
    this.ctx = {
      store: this.store,
      limits: this.limits,
      opts,
      hub: this.hub,
      admin,
      secret: this.secret,
      members: this.members,
      newMembers: new NewMemberGate(this.secret, opts.newMembersPerHour, this.log),
      addressCheck: this.addressCheck,
      commits: this.commits,
      uploads: new Uploads(this.limits, this.hub, this.commits),
      buckets: new Map<string, TokenBucket>(),
      log: this.log,
    };
    this.intake = new Intake({
      handle: (conn, text) => handleFrame(this.ctx, conn, text),
      ready: (conn) => conn.backlog <= REQUEST_LOW_WATER && conn.syncsPending < SYNCS_IN_FLIGHT,
      committing: () => this.commits.scheduled,
      idle: (conn) => releaseHeld(conn),
      readyDeadlineMs: 30_000,
      onStuck: (conn) => this.cutOff(conn, `its requests waited 30 s for it to read the answers`),
    });
    if (![...this.hub.convs.values()].some((c) => c.rec.kind === 'room' && c.rec.name === DEFAULT_ROOM)) {
      this.hub.createConv({ id: newId('r'), kind: 'room', name: DEFAULT_ROOM, topic: 'Everyone on the team', members: [] });
    }
  }

  /** The HTTP side: healthz, the upgrade and its refusals (see server.ts). */
  private makeServer(): RelayServer {
    const opts = this.opts;
    return new RelayServer(
      {
        tls: opts.tls,
        allowedOrigins: opts.allowedOrigins,
        gate: opts.gate,
        headersTimeoutMs: opts.headersTimeoutMs,
        handshakeTimeoutMs: opts.handshakeTimeoutMs,
        maxFrameBytes: this.limits.maxFrameBytes,
      },
      {
        stopping: () => this.stopped,
        online: () => this.hub.onlineCount(),
        checkSecret: (presented) => this.secret.checkSecret(presented),
        connected: (ws, remote, secretOk, leaveGate) => this.onConnection(ws, remote, secretOk, leaveGate),
        log: this.log,
      },
    );
  }

  /** Starts listening; resolves with the bound address. */
  async listen(): Promise<AddressInfo> {
    const addr = await this.server.listen(this.opts.port ?? 7420, this.opts.host ?? '127.0.0.1');
    this.heartbeat = setInterval(() => this.beat(), this.opts.heartbeatMs ?? 30_000);
    this.heartbeat.unref();
    return addr;
  }

  address(): AddressInfo {
    return this.server.address();
  }

  get epoch(): string {
    return this.store.epoch;
  }

  /** Sockets connected that are not a member's yet (see SocketGate). */
  pendingSockets(): number {
    return this.server.pendingSockets();
  }

  onlineCount(): number {
    return this.hub.onlineCount();
  }

  memberCount(): number {
    return this.hub.users.size;
  }

  /** Replaces the team secret (kept hashed in the store): new members need this one from now on. */
  setSecret(secret: string): void {
    this.secret.setSecret(secret);
  }

  /** How a presented secret compares with the team's (see TeamSecret.checkSecret). */
  checkSecret(presented: string | undefined): SecretCheck {
    return this.secret.checkSecret(presented);
  }

  /** Whether new members must present a team secret (one was given at start or set by a rotation). */
  get secretRequired(): boolean {
    return this.secret.secretRequired;
  }

  /** The current team secret, when this process knows it (given at start or rotated here). */
  get teamSecret(): string | undefined {
    return this.secret.secret;
  }

  /** Tells every client it is going away, commits what is pending and closes. The store stays open. */
  async close(reason = 'relay stopping'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.intake.stop();
    this.commits.stop();
    const bye = encode({ t: 'bye', reason });
    for (const c of this.hub.conns) {
      c.push(bye);
      c.close(CloseCode.goingAway, reason);
    }
    await this.server.close(1000, () => {
      for (const c of this.hub.conns) c.terminate();
    });
  }

  // ---- a connection's life ----

  private onConnection(ws: WebSocket, remote: string, secretOk: boolean, leaveGate: () => void): void {
    const conn = new Connection(
      newId('s'),
      ws,
      remote,
      { ratePerSecond: this.limits.ratePerSecond, rateBurst: this.limits.rateBurst, maxQueuedBytes: this.maxQueuedBytes },
      (c) => this.hub.markDirty(c),
      (c) => this.cutOff(c, `more than ${this.maxQueuedBytes} bytes queued (slow consumer)`),
      (c, err) => this.log(`cut off ${c.user?.name ?? remote}: writing to it failed: ${(err as Error).message ?? err}`),
    );
    this.hub.opened(conn);
    this.stats.connections++;
    conn.nonce = randomBytes(32).toString('base64url');
    conn.send({ t: 'challenge', v: PROTOCOL_VERSION, nonce: conn.nonce, ...(this.members.legacyMembers > 0 ? { legacy: true } : {}) });
    const helloTimer = setTimeout(() => {
      if (!conn.user) conn.fail(ErrorCode.handshakeRequired, 'no hello within the handshake timeout', CloseCode.handshakeTimeout);
    }, this.opts.handshakeTimeoutMs ?? 10_000);
    helloTimer.unref();
    ws.on('pong', () => (conn.alive = true));
    ws.on('error', () => undefined);
    ws.on('message', (data, isBinary) => {
      if (!conn.closed) this.intake.receive(conn, isBinary ? null : data.toString());
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      this.onClose(conn);
    });
    conn.secretOk = secretOk;
    conn.leaveGate = leaveGate;
  }

  /** Ends a connection that cannot keep up, without a word (it is not reading anyway). */
  private cutOff(c: Connection, why: string): void {
    if (c.closed) return;
    this.log(`cut off ${c.user?.name ?? c.remote}: ${why}`);
    c.closed = true;
    c.ws.terminate();
  }

  private onClose(conn: Connection): void {
    conn.closed = true;
    this.intake.drop(conn);
    if (isAuthed(conn)) for (const id of [...conn.uploads.keys()]) this.ctx.uploads.drop(conn, id);
    conn.takeHeld();
    this.hub.closed(conn);
  }

  private beat(): void {
    for (const c of this.hub.conns) {
      if (!c.alive) {
        this.log(`terminating ${c.user?.name ?? c.remote}: no pong`);
        c.terminate();
        continue;
      }
      c.alive = false;
      try {
        c.ws.ping();
      } catch {
        c.terminate();
      }
    }
  }
}
