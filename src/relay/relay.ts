import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { CloseCode, DEFAULT_LIMITS, DEFAULT_ROOM, ErrorCode, PROTOCOL_HEADER, PROTOCOL_VERSION, SEEN_MAX_MEMBERS, type Limits } from '../protocol/constants';
import { decodeClientFrame, SEND_KINDS, UserName, type ClientFrame, type Conversation, type FileBody, type Member, type Message } from '../protocol/wire';
import { AuthThrottle, isLoopback, keyHash, presentedSecret, strongSecret } from './auth';
import { verifySignature } from '../core/identity';
import { fingerprintOfPem } from '../core/fingerprint';
import { helloPayload } from '../protocol/handshake';
import { DeviceCodes } from './deviceCodes';
import { InviteTokens } from './inviteTokens';
import { RelayAddress } from './relayAddress';
import { NameIndex } from './nameIndex';
import { nameKey, nameProblem } from '../protocol/names';
import { Connection, type Upload } from './connection';
import { TokenBucket } from './rateLimiter';
import { DEFAULT_GATE, SocketGate, type GateLimits } from './admission';
import { Intake } from './intake';
import { TeamAdmin, type AdminHost, type SecretCheck } from './admin';
import { searchQuery } from './searchText';
import type { AppendItem, ConversationRecord, DeviceRecord, Store, UserRecord } from './store';

export const RELAY_VERSION = '0.1.0';

/** Replay writes out a connection's queue whenever it holds more than this. */
const REPLAY_LOW_WATER = 256 * 1024;
/**
 * A connection's next frame waits while more than this is bound for it and unread: a member who
 * asks for more than they read is slowed to their own reading speed, and nobody else is.
 */
const REQUEST_LOW_WATER = 1024 * 1024;
/** Syncs a connection may have running at once; a further one waits for one to finish. */
const SYNCS_IN_FLIGHT = 2;
/**
 * Bytes of message bodies stored in one commit at most (and a quarter of the queue cap at most);
 * the rest goes in the next one.
 */
const COMMIT_MAX_BYTES = 2 * 1024 * 1024;
/** Connections one member may have open at once (several windows on several machines). */
const MAX_CONNECTIONS_PER_MEMBER = 8;
/** Bytes of unfinished uploads one member may hold (a quarter of the relay's, at least one largest file). */
const MEMBER_UPLOAD_SHARE = 4;
/** Requests whose answer can be large: each ends its connection's share of a turn (see Intake). */
const COSTLY_FRAMES: ReadonlySet<ClientFrame['t']> = new Set(['sync', 'fetch', 'history', 'room.list', 'search']);
/** Messages read from the store at a time while replaying (what is sent is paced by bytes). */
const REPLAY_PAGE = 200;
/**
 * Largest `history` reply (it keeps at least one message). Small enough that building one is a
 * short piece of work: a member paging through large messages gets more, smaller pages, and
 * others' frames are handled between them.
 */
const HISTORY_MAX_BYTES = 512 * 1024;
/** Bytes of unfinished uploads the relay holds in memory at most, over all connections. */
const UPLOAD_BUDGET = 64 * 1024 * 1024;
/** How long after a commit the search index catches up (batched out of the ack path). */
const SEARCH_INDEX_DELAY_MS = 1000;
/** Messages indexed per slice (a few milliseconds of work). */
const SEARCH_INDEX_SLICE = 250;
/** An upload that receives no chunk for this long is dropped. */
const UPLOAD_IDLE_MS = 60_000;

export interface RelayOptions {
  store: Store;
  /** Address to bind; default 127.0.0.1 (loopback only). */
  host?: string;
  /** Port; 0 picks a free one. Default 7420. */
  port?: number;
  /** Team secret. Required by the CLI when binding beyond loopback. */
  secret?: string;
  /** Browser origins allowed to connect. Connections that send any other Origin are refused. */
  allowedOrigins?: string[];
  limits?: Partial<Limits>;
  heartbeatMs?: number;
  handshakeTimeoutMs?: number;
  /** Cap on bytes queued to one connection before it is cut off as a slow consumer. */
  maxQueuedBytes?: number;
  /** Caps on sockets that are not a member's yet (see SocketGate). */
  gate?: Partial<GateLimits>;
  /** Connections one member may have open at once. Default 8 (windows and machines). */
  maxConnectionsPerMember?: number;
  /** New members one address may make per hour. Default 30. */
  newMembersPerHour?: number;
  /** Time allowed for a request's headers (slowloris guard). Default 10 s. */
  headersTimeoutMs?: number;
  /** Keep at most this many messages per conversation (0: keep all). */
  retain?: number;
  /** Called when a member comes online or goes offline (e.g. to refresh a discovery announcement). */
  onPresence?: () => void;
  /**
   * Other addresses that reach this relay (a reverse proxy, a DNS name): a hello signed for one
   * of them is ours. The machine's own addresses on the listening port always are.
   */
  publicUrls?: string[];
  /** The team's owner by name (`parley-relay --owner`, the hosting member); default: its first member. */
  owner?: string;
  /** Called with the new team secret after an admin rotates it (kept hashed in the store). */
  onSecret?: (secret: string) => void;
  /** Serve wss:// with this key and certificate (PEM); see loadOrCreateCertificate. */
  tls?: { key: string; cert: string };
  log?: (line: string) => void;
}

interface ConvState {
  rec: ConversationRecord;
  members: Set<string>;
}

interface Pending {
  item: AppendItem;
  conn: Connection;
  /** A notice the relay writes (team administration): no ack, and its author need not be a member. */
  notice?: boolean;
}

type Frame<T extends ClientFrame['t']> = Extract<ClientFrame, { t: T }>;

/**
 * The relay: authenticates connections in the HTTP upgrade, assigns per-conversation seqs,
 * stores durably (one transaction per tick), acks after commit and fans out. Runs embedded in
 * the extension host or standalone (src/relay/cli.ts); no `vscode` here.
 */
export class Relay {
  readonly limits: Limits;
  private readonly store: Store;
  private readonly server: Server;
  private readonly wss: WebSocketServer;
  private readonly throttle = new AuthThrottle(10, 60_000);
  /** New members made per address in the last hour (the throttle's sliding window, reused). */
  private readonly newMembers: AuthThrottle;
  private readonly gate: SocketGate;
  /** Each member's frame-rate bucket, shared by all their connections. */
  private readonly buckets = new Map<string, TokenBucket>();
  /** Bytes of unfinished uploads per member. */
  private readonly uploadsByMember = new Map<string, number>();
  private readonly conns = new Set<Connection>();
  private readonly byUser = new Map<string, Set<Connection>>();
  private readonly users = new Map<string, UserRecord>();
  /** Members' and reserved names by their keys (src/relay/nameIndex.ts). */
  private readonly names: NameIndex;
  /** Members by protocol-1 key hash (`retired:` prefixed once exchanged for a device key). */
  private readonly byKey = new Map<string, UserRecord>();
  /** Devices by public key. */
  private readonly byDevice = new Map<string, DeviceRecord>();
  /** Members who still sign in with a protocol-1 key (told in the challenge, so clients migrate). */
  private legacyMembers = 0;
  private readonly codes = new DeviceCodes();
  /** Invites that reserve a name for their invitee. */
  private readonly invites: InviteTokens;
  /** Whether a hello was signed for this relay. */
  readonly addressCheck: RelayAddress;
  private readonly convs = new Map<string, ConvState>();
  private readonly dirty = new Set<Connection>();
  private pending: Pending[] = [];
  private uploadBytes = 0;
  private commitScheduled = false;
  private flushScheduled = false;
  private heartbeat: NodeJS.Timeout | undefined;
  private indexTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly intake: Intake;
  /** Roles, removed members, room creators, the team secret (src/relay/admin.ts). */
  private readonly admin: TeamAdmin;
  private readonly adminHost: AdminHost;
  private readonly log: (line: string) => void;
  private readonly maxQueuedBytes: number;
  private readonly commitMaxBytes: number;
  /** Messages stored and acked since start (for `/healthz` and benchmarks). */
  stats = { stored: 0, commits: 0, connections: 0 };

  constructor(private readonly opts: RelayOptions) {
    this.store = opts.store;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.log = opts.log ?? (() => undefined);
    this.maxQueuedBytes = opts.maxQueuedBytes ?? 8 * 1024 * 1024;
    this.commitMaxBytes = Math.min(COMMIT_MAX_BYTES, this.maxQueuedBytes / 4);
    this.gate = new SocketGate({ ...DEFAULT_GATE, ...opts.gate });
    this.newMembers = new AuthThrottle(opts.newMembersPerHour ?? 30, 3_600_000);
    this.intake = new Intake({
      handle: (conn, text) => this.onFrame(conn, text),
      ready: (conn) => conn.backlog <= REQUEST_LOW_WATER && conn.syncsPending < SYNCS_IN_FLIGHT,
      committing: () => this.commitScheduled,
      idle: (conn) => this.releaseHeld(conn),
      readyDeadlineMs: 30_000,
      onStuck: (conn) => this.cutOff(conn, `its requests waited 30 s for it to read the answers`),
    });
    this.names = new NameIndex(this.store, this.users);
    for (const note of this.store.openingNotes ?? []) this.log(note);
    for (const u of this.store.users()) this.indexUser(u);
    for (const d of this.store.devices()) this.byDevice.set(d.key, d);
    this.invites = new InviteTokens(this.store);
    this.addressCheck = new RelayAddress(() => this.address0().port, opts.tls ? fingerprintOfPem(opts.tls.cert) : undefined, opts.publicUrls);
    for (const c of this.store.conversations()) this.convs.set(c.id, { rec: c, members: new Set(c.members) });
    this.admin = new TeamAdmin(this.store, { owner: opts.owner, secret: opts.secret, onSecret: opts.onSecret }, this.log);
    this.admin.resolveOwner(this.users.values());
    this.adminHost = {
      users: this.users,
      connections: (user) => this.byUser.get(user) ?? [],
      conversations: () => this.convs.values(),
      notice: (conn, conv, body) => this.enqueue({ conv, author: conn.user!.id, id: newId('n'), ts: Date.now(), body }, conn, true),
      leftRoom: (state, user) => {
        state.members.delete(user);
        state.rec.members = [...state.members];
        for (const m of state.members) this.pushConv(state, m);
      },
      announceMember: (user, conn, rid) => this.announceMember(user, conn, rid),
      sendError: (conn, code, message, ref) => this.sendError(conn, code, message, ref),
      revokeInvites: (maker) => this.invites.revoke(maker),
      log: this.log,
    };
    if (![...this.convs.values()].some((c) => c.rec.kind === 'room' && c.rec.name === DEFAULT_ROOM)) {
      this.createConv({ id: newId('r'), kind: 'room', name: DEFAULT_ROOM, topic: 'Everyone on the team', members: [] });
    }
    // Slow or oversized request heads are cut off: 16 KiB of headers at most, all within
    // headersTimeoutMs (checked every second).
    const serverOptions = { maxHeaderSize: 16 * 1024, connectionsCheckingInterval: 1000 };
    this.server = (opts.tls ? createTlsServer({ ...serverOptions, key: opts.tls.key, cert: opts.tls.cert }) : createServer(serverOptions)).on('request', (req: IncomingMessage, res) => {
      if (req.url === '/healthz') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ ok: true, relay: RELAY_VERSION, protocol: PROTOCOL_VERSION, online: this.byUser.size }));
        return;
      }
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('Parley relay: connect with a WebSocket client (see docs/PROTOCOL.md)\n');
    });
    this.server.headersTimeout = opts.headersTimeoutMs ?? 10_000;
    this.server.requestTimeout = 15_000;
    this.server.maxHeadersCount = 64;
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxFrameBytes, perMessageDeflate: false, clientTracking: false });
    this.wss.on('headers', (headers) => headers.push(`${PROTOCOL_HEADER}: ${PROTOCOL_VERSION}`));
    this.server.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    // Every TCP connection passes the gate first; one over its caps is closed before a byte is read.
    // A socket that is no member's by the end of the header and handshake timeouts is closed.
    const deadline = (opts.headersTimeoutMs ?? 10_000) + (opts.handshakeTimeoutMs ?? 10_000);
    this.server.on('connection', (socket: Socket) => {
      if (!this.gate.admit(socket, deadline)) socket.destroy();
    });
    this.server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
      const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
      if (socket.writable) socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      else socket.destroy();
    });
  }

  /** Starts listening; resolves with the bound address. */
  async listen(): Promise<AddressInfo> {
    const host = this.opts.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      this.server.once('error', onError);
      this.server.listen(this.opts.port ?? 7420, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    const every = this.opts.heartbeatMs ?? 30_000;
    this.heartbeat = setInterval(() => this.beat(), every);
    this.heartbeat.unref();
    return this.address();
  }

  address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  /** The bound address, or port 0 before listening (no hello can arrive then). */
  private address0(): AddressInfo {
    return (this.server.address() as AddressInfo | null) ?? { address: '', family: '', port: 0 };
  }

  get epoch(): string {
    return this.store.epoch;
  }

  /** Sockets connected that are not a member's yet (see SocketGate). */
  pendingSockets(): number {
    return this.gate.pending;
  }

  onlineCount(): number {
    return this.byUser.size;
  }

  memberCount(): number {
    return this.users.size;
  }

  /** Replaces the team secret (kept hashed in the store): new members need this one from now on. */
  setSecret(secret: string): void {
    this.admin.setSecret(secret);
  }

  /** How a presented secret compares with the team's (see TeamAdmin.checkSecret). */
  checkSecret(presented: string | undefined): SecretCheck {
    return this.admin.checkSecret(presented);
  }

  /** Whether new members must present a team secret (one was given at start or set by a rotation). */
  get secretRequired(): boolean {
    return this.admin.secretRequired;
  }

  /** The current team secret, when this process knows it (given at start or rotated here). */
  get teamSecret(): string | undefined {
    return this.admin.secret;
  }

  /** Tells every client it is going away, commits what is pending and closes. The store stays open. */
  async close(reason = 'relay stopping'): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.intake.stop();
    while (this.pending.length > 0) this.commit();
    if (this.indexTimer) clearTimeout(this.indexTimer);
    this.indexTimer = undefined;
    const bye = JSON.stringify({ t: 'bye', reason });
    for (const c of this.conns) {
      c.push(bye);
      c.close(CloseCode.goingAway, reason);
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        for (const c of this.conns) c.terminate();
        resolve();
      }, 1000);
      timer.unref();
      this.server.close(() => {
        clearTimeout(timer);
        resolve();
      });
      this.server.closeAllConnections?.();
    });
  }

  // ---- connection setup ----

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const remote = req.socket.remoteAddress ?? 'unknown';
    if (this.stopped) return reject(socket, 503, 'stopping', 'relay is stopping');
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/' && path !== '/parley') return reject(socket, 404, 'not_found', 'no such endpoint');
    const origin = req.headers.origin;
    if (origin !== undefined && !(this.opts.allowedOrigins ?? []).includes(origin)) {
      this.log(`refused connection from ${remote}: origin ${origin} not allowed`);
      return reject(socket, 403, 'bad_origin', 'origin not allowed');
    }
    // The secret is checked here but decided on in hello: members sign in with their keys (so a
    // stale secret after a rotation, or a neighbour's wrong guesses, never lock them out); only a
    // new member needs it.
    const secretCheck = this.admin.checkSecret(presentedSecret(req));
    const secretOk = secretCheck === 'open' || secretCheck === 'current';
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const conn = this.onConnection(ws, remote);
      conn.secretOk = secretOk;
      conn.leaveGate = () => this.gate.release(req.socket);
    });
  }

  private onConnection(ws: WebSocket, remote: string): Connection {
    const conn = new Connection(
      newId('s'),
      ws,
      remote,
      { ratePerSecond: this.limits.ratePerSecond, rateBurst: this.limits.rateBurst, maxQueuedBytes: this.maxQueuedBytes },
      (c) => this.markDirty(c),
      (c) => this.cutOff(c, `more than ${this.maxQueuedBytes} bytes queued (slow consumer)`),
      (c, err) => this.log(`cut off ${c.user?.name ?? remote}: writing to it failed: ${(err as Error).message ?? err}`),
    );
    this.conns.add(conn);
    this.stats.connections++;
    conn.nonce = randomBytes(32).toString('base64url');
    conn.push(JSON.stringify({ t: 'challenge', v: PROTOCOL_VERSION, nonce: conn.nonce, ...(this.legacyMembers > 0 ? { legacy: true } : {}) }));
    const helloTimer = setTimeout(() => {
      if (!conn.user) this.fail(conn, ErrorCode.handshakeRequired, 'no hello within the handshake timeout', CloseCode.handshakeTimeout);
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
    return conn;
  }

  /**
   * Whether `remote` has made its hourly share of new members. Loopback is this machine (its
   * user, or a test) and is limited only when a limit was set explicitly; behind a reverse
   * proxy on the same machine, set one.
   */
  private newMemberLimited(remote: string): boolean {
    if (this.opts.newMembersPerHour === undefined && isLoopback(remote)) return false;
    return this.newMembers.blocked(remote);
  }

  /**
   * Why a new member may not be made on this connection, if not: the team secret (wrong guesses
   * count per address; past the limit a weak secret is refused even when right, a strong one —
   * unguessable — never is), then the hourly new-member share of the address.
   */
  private newMemberRefusal(conn: Connection): { code: string; message: string; close: number } | undefined {
    // The team's current secret (admin.ts: given at start or rotated; a rotated one, random, is
    // strong even when this process does not hold it after a restart).
    const secret = this.admin.secret;
    if (this.admin.secretRequired) {
      const blocked = this.throttle.blocked(conn.remote);
      if (!conn.secretOk) {
        if (blocked) return { code: ErrorCode.rateLimited, message: 'too many wrong team secrets from this network; wait a minute', close: CloseCode.rateLimited };
        this.throttle.fail(conn.remote);
        this.log(`refused a new member from ${conn.remote}: wrong team secret`);
        return { code: ErrorCode.badSecret, message: 'wrong or missing team secret', close: CloseCode.badSecret };
      }
      if (blocked && secret !== undefined && !strongSecret(secret)) {
        return { code: ErrorCode.rateLimited, message: 'too many wrong team secrets from this network; wait a minute (a longer team secret would not be locked out)', close: CloseCode.rateLimited };
      }
    }
    if (this.newMemberLimited(conn.remote)) {
      return { code: ErrorCode.rateLimited, message: 'too many new members from this address in the last hour; try again later', close: CloseCode.rateLimited };
    }
    return undefined;
  }

  /** A member's devices, to all their connections (after one was added or removed), or to one request. */
  private pushDevices(user: string, to?: Connection, rid?: string): void {
    const devices = [...this.byDevice.values()]
      .filter((d) => d.user === user)
      .sort((a, b) => a.added - b.added)
      .map((d) => ({ id: d.id, label: d.label, added: d.added, ...(d.seen !== undefined ? { seen: d.seen } : {}) }));
    const json = JSON.stringify({ t: 'devices', ...(rid !== undefined ? { rid } : {}), devices });
    if (to) to.push(json);
    else for (const c of this.byUser.get(user) ?? []) c.push(json);
  }

  /** `label`, or `label (2)`, `label (3)`…: two machines of one member never look the same in their list. */
  private freeLabel(user: string, label: string): string {
    const taken = new Set([...this.byDevice.values()].filter((d) => d.user === user).map((d) => d.label));
    if (!taken.has(label)) return label;
    for (let n = 2; ; n++) {
      const next = `${label.slice(0, 58)} (${n})`;
      if (!taken.has(next)) return next;
    }
  }

  private reservedMessage(name: string, invitee: string, maker: string): string {
    const like = nameKey(invitee) === nameKey(name) ? '' : ` (it could pass for ${invitee})`;
    return `the name ${name} is reserved${like} for a teammate ${this.users.get(maker)?.name ?? 'a member'} invited; they join with that invite`;
  }

  /** An invite for one name: reserved until the invitee joins with it (once, seven days). */
  private onInviteMake(conn: Connection, f: Frame<'invite.make'>): void {
    const name = f.name.normalize('NFC').trim();
    const problem = nameProblem(name) ?? (UserName.safeParse(name).success ? undefined : 'letters, digits, . _ - and starting with a letter or digit');
    if (problem) return this.sendError(conn, ErrorCode.badName, `bad name: ${problem}`, f.rid);
    const holder = this.names.clash(name);
    if (holder) return this.sendError(conn, ErrorCode.nameTaken, `${holder.message}: invite them under another name`, f.rid);
    const { token, expires } = this.invites.make(conn.user!.id, name);
    this.log(`${conn.user!.name} invited ${name}`);
    conn.push(JSON.stringify({ t: 'invite', rid: f.rid, token, name, expires }));
  }

  private onDeviceCode(conn: Connection, f: Frame<'device.code'>): void {
    const { code, expires } = this.codes.issue(conn.user!.id);
    this.log(`${conn.user!.name} made a device code`);
    conn.push(JSON.stringify({ t: 'device.code', rid: f.rid, code, expires }));
  }

  private onDeviceRemove(conn: Connection, f: Frame<'device.remove'>): void {
    const user = conn.user!.id;
    const device = [...this.byDevice.values()].find((d) => d.id === f.device && d.user === user);
    if (!device) return this.sendError(conn, ErrorCode.unknownDevice, `you have no device ${f.device}`, f.rid);
    if (![...this.byDevice.values()].some((d) => d.user === user && d.id !== device.id)) {
      return this.sendError(conn, ErrorCode.badRequest, 'that is your only device: without it nobody could sign in as you', f.rid);
    }
    this.store.removeDevice(device.id);
    this.byDevice.delete(device.key);
    this.log(`${conn.user!.name} removed their device ${device.id} (${device.label})`);
    const from = [...this.byDevice.values()].find((d) => d.id === conn.device)?.label;
    const by = conn.device === device.id ? 'on this device' : `on ${from ?? 'another device'}`;
    for (const c of [...(this.byUser.get(user) ?? [])]) {
      if (c.device === device.id) this.fail(c, ErrorCode.deviceRemoved, `this device (${device.label}) was removed by ${conn.user!.name} ${by}; it no longer signs in as ${conn.user!.name}`, CloseCode.deviceRemoved);
    }
    this.pushDevices(user, conn.closed ? undefined : conn, f.rid);
    for (const c of this.byUser.get(user) ?? []) if (c !== conn && !c.closed && c.device !== device.id) this.pushDevices(user, c);
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
    for (const id of [...conn.uploads.keys()]) this.dropUpload(conn, id);
    conn.takeHeld();
    this.conns.delete(conn);
    this.dirty.delete(conn);
    const user = conn.user;
    if (!user) return;
    const set = this.byUser.get(user.id);
    if (!set) return;
    const was = this.presenceOf(user.id);
    set.delete(conn);
    if (set.size === 0) this.byUser.delete(user.id);
    this.announcePresence(user.id, was);
  }

  private beat(): void {
    for (const c of this.conns) {
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

  // ---- inbound frames ----

  /** Handles one frame from the intake; true when it was a costly request (see Intake). */
  private onFrame(conn: Connection, text: string | null): boolean {
    if (conn.closed) return false;
    try {
      return this.onMessage(conn, text);
    } catch (err) {
      this.log(`internal error handling a frame from ${conn.user?.name ?? conn.remote}: ${(err as Error).stack ?? err}`);
      this.sendError(conn, ErrorCode.internal, 'internal relay error');
      return false;
    }
  }

  private onMessage(conn: Connection, text: string | null): boolean {
    if (text === null) {
      this.fail(conn, ErrorCode.badFrame, 'binary frames are not part of the protocol', CloseCode.badFrame);
      return false;
    }
    const decoded = decodeClientFrame(text);
    if (!decoded.ok) {
      if (decoded.code === 'unsupported_version') {
        if (conn.user) this.sendError(conn, ErrorCode.alreadyHandshaken, 'hello was already accepted on this connection');
        else this.fail(conn, ErrorCode.unsupportedVersion, decoded.message, CloseCode.unsupportedVersion);
      } else if (decoded.code === 'unknown_type') this.sendError(conn, ErrorCode.unknownType, decoded.message);
      // A well-formed frame of a known type with a field we refuse names itself: only it fails
      // (a client that disagrees with our validation must not resend it after every reconnect).
      else if (decoded.ref !== undefined && conn.user) {
        if (this.admit(conn, decoded.ref)) this.sendError(conn, ErrorCode.badFrame, decoded.message, decoded.ref);
      } else this.fail(conn, ErrorCode.badFrame, decoded.message, CloseCode.badFrame);
      return false;
    }
    const f = decoded.value;
    if (!conn.user) {
      if (f.t !== 'hello') this.fail(conn, ErrorCode.handshakeRequired, `${f.t} before hello`, CloseCode.badFrame);
      else this.onHello(conn, f);
      return false;
    }
    if (!this.admit(conn, refOf(f))) return false;
    this.dispatch(conn, f);
    return COSTLY_FRAMES.has(f.t);
  }

  /** The frame-rate limit: false (and an error, or the connection cut) when over it. */
  private admit(conn: Connection, ref: string | undefined): boolean {
    if (!conn.bucket.take()) {
      conn.strikes++;
      if (conn.strikes > this.limits.rateBurst) this.fail(conn, ErrorCode.rateLimited, 'kept sending over the rate limit', CloseCode.rateLimited);
      else this.sendError(conn, ErrorCode.rateLimited, `over ${this.limits.ratePerSecond} frames/s; slow down`, ref);
      return false;
    }
    conn.strikes = 0;
    return true;
  }

  private dispatch(conn: Connection, f: ClientFrame): void {
    switch (f.t) {
      case 'hello':
        return this.sendError(conn, ErrorCode.alreadyHandshaken, 'hello was already accepted on this connection');
      case 'sync':
        this.queueSync(conn, f);
        return;
      case 'send':
        return this.onSend(conn, f);
      case 'upload':
        return this.onUpload(conn, f);
      case 'chunk':
        return this.onChunk(conn, f);
      case 'fetch':
        return this.onFetch(conn, f);
      case 'history':
        return this.onHistory(conn, f);
      case 'room.create':
        return this.onRoomCreate(conn, f);
      case 'room.join':
        return this.onRoomJoin(conn, f);
      case 'room.leave':
        return this.onRoomLeave(conn, f);
      case 'room.list':
        return this.onRoomList(conn, f);
      case 'dm.open':
        return this.onDmOpen(conn, f);
      case 'presence':
        return this.onPresence(conn, f);
      case 'typing':
        return this.onTyping(conn, f);
      case 'read':
        return this.onRead(conn, f);
      case 'search':
        return this.onSearch(conn, f);
      case 'prefs':
        return this.onPrefs(conn, f);
      case 'device.code':
        return this.onDeviceCode(conn, f);
      case 'invite.make':
        return this.onInviteMake(conn, f);
      case 'device.list':
        return this.pushDevices(conn.user!.id, conn, f.rid);
      case 'device.remove':
        return this.onDeviceRemove(conn, f);
      case 'member.remove':
        return this.admin.remove(this.adminHost, conn, f);
      case 'member.role':
        return this.admin.setRole(this.adminHost, conn, f);
      case 'secret.rotate':
        return this.admin.rotate(this.adminHost, conn, f);
    }
  }

  /**
   * Signs a connection in (see docs/PROTOCOL.md, "Signing in"). The hello must be signed by its
   * key over this connection's nonce and this relay's address (or certificate). Then the key is
   * one of a member's devices; or a protocol-1 key binds it to its member once; or a device code
   * adds it to the member it names; or it makes a new member, which alone needs the team secret.
   */
  private onHello(conn: Connection, f: Frame<'hello'>): void {
    const wrongRelay = this.addressCheck.problem(f.relay, f.fingerprint);
    if (wrongRelay) {
      this.log(`refused a hello from ${conn.remote}: ${wrongRelay}`);
      return this.fail(conn, ErrorCode.wrongRelay, wrongRelay, CloseCode.badSignature);
    }
    const nonce = conn.nonce;
    conn.nonce = undefined;
    const payload = helloPayload({ v: f.v, nonce: nonce ?? '', relay: f.relay, fingerprint: f.fingerprint, name: f.name, key: f.key, code: f.code, legacy: f.legacy });
    if (nonce === undefined || !verifySignature(f.key, payload, f.sig)) {
      return this.fail(conn, ErrorCode.badSignature, "the hello's signature does not match its key and this connection's challenge (a hello made for another connection cannot be replayed)", CloseCode.badSignature);
    }
    const name = f.name.normalize('NFC').trim();
    // A member keeps the name they have, even one these rules came too late for.
    const problem = this.names.member(name)?.name === name ? undefined : nameProblem(f.name);
    if (problem) return this.fail(conn, ErrorCode.badName, `bad name: ${problem}`, CloseCode.badName);
    const valid = UserName.safeParse(name);
    if (!valid.success) return this.fail(conn, ErrorCode.badName, `bad name: ${valid.error.issues[0]?.message ?? 'invalid'}`, CloseCode.badName);
    const norm = nameKey(name);
    const label = deviceLabel(f.device ?? f.client);
    let device = this.byDevice.get(f.key);
    let user = device ? this.users.get(device.user) : undefined;
    let isNew = false;
    let renamed = false;
    let added = false;
    /** The protocol-1 member whose old key this device key replaces (retired with the device's write). */
    let retiring: UserRecord | undefined;
    if (!user && f.legacy !== undefined) {
      const hash = keyHash(f.legacy);
      if (this.byKey.has(`retired:${hash}`)) {
        return this.fail(conn, ErrorCode.retiredKey, 'this machine\'s old identity key was already exchanged for a device key, so it signs in no more; add this machine as a device: on one where you are signed in, run "Parley: Add a Device…" and use its code here', CloseCode.badSignature);
      }
      user = this.byKey.get(hash);
      if (user) {
        retiring = user;
        added = true;
      }
    }
    if (!user && f.code !== undefined) {
      const owner = this.names.member(name);
      if (!owner) return this.fail(conn, ErrorCode.badCode, `there is no member called ${name} to add this device to`, CloseCode.badCode);
      const result = this.codes.redeem(owner.id, f.code);
      if (result !== 'ok') {
        this.log(`refused a device code for ${owner.name} from ${conn.remote} (${result})`);
        return this.fail(
          conn,
          ErrorCode.badCode,
          result === 'locked'
            ? `too many wrong device codes for ${owner.name}; their codes are void for ten minutes, then make a new one`
            : 'that device code is wrong, used or expired; make a new one on a device where you are signed in',
          CloseCode.badCode,
        );
      }
      user = owner;
      added = true;
    }
    if (!user) {
      const holder = this.names.clash(name);
      if (holder) {
        return this.fail(
          conn,
          ErrorCode.nameTaken,
          `${holder.message}. If it is yours, add this machine as a device: on a machine where you are signed in, run "Parley: Add a Device…" and enter its code here`,
          CloseCode.nameTaken,
        );
      }
      if (f.invite !== undefined) {
        // A named invite stands in for the team secret (a member vouched for this name).
        if (this.newMemberLimited(conn.remote)) return this.fail(conn, ErrorCode.rateLimited, 'too many new members from this address in the last hour; try again later', CloseCode.rateLimited);
        const used = this.invites.redeem(f.invite, name);
        if (!used.ok) {
          this.throttle.fail(conn.remote);
          return this.fail(conn, ErrorCode.badInvite, used.message, CloseCode.badCode);
        }
        this.log(`${name} joins with an invite from ${this.users.get(used.invite.maker)?.name ?? used.invite.maker}`);
      } else {
        const invited = this.invites.reservedFor(name);
        if (invited) return this.fail(conn, ErrorCode.nameTaken, this.reservedMessage(name, invited.name, invited.maker), CloseCode.nameTaken);
        const refusal = this.newMemberRefusal(conn);
        if (refusal) return this.fail(conn, refusal.code, refusal.message, refusal.close);
      }
    }
    const existing = user;
    if (existing && this.admin.isRemoved(existing.id)) return this.refuseRemoved(conn, existing.id);
    const maxConns = this.opts.maxConnectionsPerMember ?? MAX_CONNECTIONS_PER_MEMBER;
    if (existing && (this.byUser.get(existing.id)?.size ?? 0) >= maxConns) {
      return this.fail(conn, ErrorCode.tooManyConnections, `${existing.name} already has ${maxConns} connections open; close one`, CloseCode.tooManyConnections);
    }
    let created: UserRecord | undefined;
    if (!user) {
      this.newMembers.fail(conn.remote);
      const id = newId('u');
      user = created = { id, name, norm, keyHash: `none:${id}`, created: Date.now() };
      isNew = true;
      added = true;
    } else if (user.name !== name) {
      const holder = this.names.clash(name, user);
      if (holder) return this.fail(conn, ErrorCode.nameTaken, `${holder.message}; you are still ${user.name}`, CloseCode.nameTaken);
      const invited = this.invites.reservedFor(name);
      if (invited) return this.fail(conn, ErrorCode.nameTaken, `${this.reservedMessage(name, invited.name, invited.maker)}; you are still ${user.name}`, CloseCode.nameTaken);
      this.names.rename(user, name);
      renamed = true;
      this.log(`member ${user.id} is now called ${name}`);
    }
    if (added) {
      device = { id: newId('v'), user: user.id, key: f.key, label: this.freeLabel(user.id, label), added: Date.now(), seen: Date.now() };
      // One transaction: a crash can never leave a member without the device that signs them in
      // (a made member whose name is then taken, an old key retired with nothing in its place).
      this.store.addDevice(device, { ...(created ? { user: created } : {}), ...(retiring ? { retireLegacyOf: retiring.id } : {}) });
      this.byDevice.set(device.key, device);
      if (created) {
        this.indexUser(created);
        this.log(`new member ${name} (${created.id})`);
      }
      if (retiring) {
        this.byKey.delete(retiring.keyHash);
        retiring.keyHash = `retired:${retiring.keyHash}`;
        this.byKey.set(retiring.keyHash, retiring);
        this.legacyMembers--;
        this.log(`member ${retiring.name} (${retiring.id}) exchanged their old key for a device key`);
      }
      if (!isNew) this.pushDevices(user.id);
    } else if (device && Date.now() - (device.seen ?? 0) > DEVICE_SEEN_EVERY_MS) {
      device.seen = Date.now();
      this.store.deviceSeen(device.id, device.seen);
    }
    conn.device = device!.id;
    if (isNew) {
      // Joined before this connection is registered: the welcome below already lists the room.
      const general = [...this.convs.values()].find((c) => c.rec.kind === 'room' && c.rec.name === DEFAULT_ROOM);
      if (general) this.addMember(general, user.id);
      this.admin.resolveOwner([user]);
    }
    const was = this.presenceOf(user.id);
    conn.user = user;
    conn.leaveGate();
    // The frame rate is the member's, however many connections they open.
    let bucket = this.buckets.get(user.id);
    if (!bucket) this.buckets.set(user.id, (bucket = new TokenBucket(this.limits.ratePerSecond, this.limits.rateBurst)));
    conn.bucket = bucket;
    let set = this.byUser.get(user.id);
    if (!set) this.byUser.set(user.id, (set = new Set()));
    set.add(conn);
    const reads = this.store.reads(user.id);
    const welcome = {
      t: 'welcome',
      v: PROTOCOL_VERSION,
      session: conn.session,
      epoch: this.store.epoch,
      you: { id: user.id, name: user.name },
      members: [...this.users.values()].map((u) => this.memberView(u)),
      conversations: [...this.convs.values()].filter((c) => c.members.has(user.id)).map((c) => this.convView(c, reads.get(c.rec.id) ?? 0, user.id)),
      limits: this.limits,
      relay: RELAY_VERSION,
      kinds: SEND_KINDS,
      device: conn.device,
    };
    conn.push(JSON.stringify(welcome));
    if (isNew || renamed) {
      const member = JSON.stringify({ t: 'member', member: this.memberView(user) });
      for (const c of this.conns) if (c.user && c.user.id !== user.id) c.push(member);
    }
    if (!isNew) this.announcePresence(user.id, was);
    else this.opts.onPresence?.();
  }

  /**
   * Syncs run one at a time per connection; conversation events stay held until the last queued
   * one is done, then go out in order, minus what the replays already sent.
   */
  private queueSync(conn: Connection, f: Frame<'sync'>): void {
    conn.syncsPending++;
    if (!conn.held) conn.held = [];
    const replayed = new Map<string, number>();
    conn.syncChain = conn.syncChain
      .then(() => this.onSync(conn, f, replayed))
      .catch((err) => this.log(`sync failed: ${(err as Error).stack ?? err}`))
      .finally(() => {
        conn.syncsPending--;
        for (const [k, v] of replayed) conn.replayed.set(k, Math.max(v, conn.replayed.get(k) ?? 0));
        conn.releaseDue = true;
        this.releaseHeld(conn);
      });
  }

  /**
   * Sends what was held for `conn` once its syncs are done, minus what the replays already sent.
   * Frames it sent that still wait in the intake may hold another sync: the release then waits
   * until they are handled (the intake calls back when the connection's inbox is empty).
   */
  private releaseHeld(conn: Connection): void {
    if (!conn.releaseDue || conn.syncsPending > 0 || conn.closed || !conn.held) return;
    if (conn.inbox.frames.length > 0) return;
    conn.releaseDue = false;
    const done = conn.replayed;
    conn.replayed = new Map();
    for (const h of conn.takeHeld()) {
      if (h.conv !== undefined && h.seq !== undefined && h.seq <= (done.get(h.conv) ?? -1)) continue;
      conn.push(h.json, { conv: h.conv, seq: h.seq });
    }
  }

  private async onSync(conn: Connection, f: Frame<'sync'>, replayed: Map<string, number>): Promise<void> {
    const user = conn.user!;
    const epochChanged = f.epoch !== undefined && f.epoch !== this.store.epoch;
    for (const state of [...this.convs.values()]) {
      if (conn.closed) return;
      if (!state.members.has(user.id)) continue;
      const conv = state.rec;
      const cursor = Object.hasOwn(f.cursors, conv.id) ? f.cursors[conv.id] : 0;
      const reset = (reason: 'epoch' | 'ahead' | 'retention' | 'too_far') => {
        conn.push(JSON.stringify({ t: 'reset', conv: conv.id, reason, head: conv.head }));
        replayed.set(conv.id, conv.head);
      };
      if (epochChanged && Object.hasOwn(f.cursors, conv.id)) reset('epoch');
      else if (cursor > conv.head) reset('ahead');
      else if (cursor < conv.floor - 1) reset('retention');
      else if (conv.head - cursor > this.limits.replayLimit) reset('too_far');
      else {
        let at = cursor;
        for (;;) {
          // Pruning may have moved the floor past us while we waited for the socket.
          if (at < conv.floor - 1) {
            reset('retention');
            break;
          }
          const page = this.store.afterJson(conv.id, at, REPLAY_PAGE);
          for (const m of page) {
            conn.push(m.json);
            at = m.seq;
            // Page by bytes: a backlog of large messages never piles up in memory.
            if (conn.backlog > REPLAY_LOW_WATER) await conn.drained(REPLAY_LOW_WATER);
            if (conn.closed) return;
          }
          if (page.length < REPLAY_PAGE) {
            replayed.set(conv.id, at);
            break;
          }
        }
      }
    }
    conn.push(JSON.stringify({ t: 'synced', rid: f.rid }));
  }

  private onSend(conn: Connection, f: Frame<'send'>): void {
    const state = this.memberConv(conn, f.conv, f.id);
    if (!state) return;
    const body = f.body;
    if ((body.kind === 'topic' || body.kind === 'archive') && state.rec.kind !== 'room') {
      return this.sendError(conn, ErrorCode.badRequest, `a direct message has no ${body.kind === 'topic' ? 'topic' : 'archive'}; only rooms do`, f.id);
    }
    // (A resend of a message stored before the room was archived still gets its ack.)
    if (state.rec.archived && !(body.kind === 'archive' && !body.on) && !this.store.findByClientId(conn.user!.id, f.id)) return this.refuseArchived(conn, state, f.id);
    if (body.kind === 'topic' || body.kind === 'archive' || body.kind === 'pin') {
      const why = this.admin.manageRefusal(conn.user!.id, state, body.kind);
      if (why) return this.sendError(conn, ErrorCode.forbidden, why, f.id);
    }
    if ((body.kind === 'text' || body.kind === 'edit') && body.text.length > this.limits.maxTextChars) {
      return this.sendError(conn, ErrorCode.tooLarge, `text longer than ${this.limits.maxTextChars} characters`, f.id);
    }
    if (body.kind === 'snippet' && body.code.length > this.limits.maxSnippetChars) {
      return this.sendError(conn, ErrorCode.tooLarge, `snippet longer than ${this.limits.maxSnippetChars} characters`, f.id);
    }
    this.enqueue({ conv: f.conv, author: conn.user!.id, id: f.id, ts: Date.now(), body }, conn);
  }

  private onUpload(conn: Connection, f: Frame<'upload'>): void {
    const state = this.memberConv(conn, f.conv, f.id);
    if (!state) return;
    const stored = this.store.findByClientId(conn.user!.id, f.id);
    if (stored) {
      conn.push(JSON.stringify({ t: 'ack', id: f.id, conv: stored.conv, seq: stored.seq, ts: stored.ts, dup: true }));
      return;
    }
    if (state.rec.archived) return this.refuseArchived(conn, state, f.id);
    if (f.size > this.limits.maxFileBytes) {
      return this.sendError(conn, ErrorCode.tooLarge, `file larger than ${this.limits.maxFileBytes} bytes`, f.id);
    }
    this.dropUpload(conn, f.id);
    if (conn.uploads.size >= 4) {
      return this.sendError(conn, ErrorCode.badUpload, 'at most 4 uploads at a time per connection', f.id);
    }
    const mine = this.uploadsByMember.get(conn.user!.id) ?? 0;
    if (mine + f.size > Math.max(this.limits.maxFileBytes, UPLOAD_BUDGET / MEMBER_UPLOAD_SHARE)) {
      return this.sendError(conn, ErrorCode.rateLimited, 'you are uploading too many files at once; wait for one to finish', f.id);
    }
    if (this.uploadBytes + f.size > UPLOAD_BUDGET) {
      return this.sendError(conn, ErrorCode.rateLimited, 'the relay is receiving too many files right now; try again shortly', f.id);
    }
    const count = Math.ceil(f.size / this.limits.chunkBytes);
    const upload: Upload = { id: f.id, conv: f.conv, name: f.name, size: f.size, sha256: f.sha256, mime: f.mime, note: f.note, thread: f.thread, count, chunks: [] };
    conn.uploads.set(f.id, upload);
    this.uploadBytes += f.size;
    this.uploadsByMember.set(conn.user!.id, mine + f.size);
    this.touchUpload(conn, upload);
    conn.push(JSON.stringify({ t: 'upload.ready', id: f.id, next: 0 }));
    if (count === 0) this.finishUpload(conn, upload);
  }

  private onChunk(conn: Connection, f: Frame<'chunk'>): void {
    const up = conn.uploads.get(f.id);
    if (!up) return this.sendError(conn, ErrorCode.badUpload, `no upload ${f.id} in progress on this connection`, f.id);
    if (f.index !== up.chunks.length) {
      this.dropUpload(conn, f.id);
      return this.sendError(conn, ErrorCode.badUpload, `expected chunk ${up.chunks.length}, got ${f.index}; start the upload again`, f.id);
    }
    const data = Buffer.from(f.data, 'base64');
    const expected = f.index === up.count - 1 ? up.size - this.limits.chunkBytes * (up.count - 1) : this.limits.chunkBytes;
    if (data.length !== expected) {
      this.dropUpload(conn, f.id);
      return this.sendError(conn, ErrorCode.badUpload, `chunk ${f.index} has ${data.length} bytes, expected ${expected}`, f.id);
    }
    up.chunks.push(data);
    this.touchUpload(conn, up);
    if (up.chunks.length === up.count) this.finishUpload(conn, up);
  }

  private touchUpload(conn: Connection, up: Upload): void {
    if (up.timer) clearTimeout(up.timer);
    up.timer = setTimeout(() => {
      if (conn.uploads.get(up.id) !== up) return;
      this.dropUpload(conn, up.id);
      this.sendError(conn, ErrorCode.badUpload, `upload ${up.id} timed out waiting for chunks`, up.id);
    }, UPLOAD_IDLE_MS);
    up.timer.unref();
  }

  private dropUpload(conn: Connection, id: string): void {
    const up = conn.uploads.get(id);
    if (!up) return;
    if (up.timer) clearTimeout(up.timer);
    conn.uploads.delete(id);
    this.uploadBytes -= up.size;
    const left = (this.uploadsByMember.get(conn.user!.id) ?? up.size) - up.size;
    if (left > 0) this.uploadsByMember.set(conn.user!.id, left);
    else this.uploadsByMember.delete(conn.user!.id);
  }

  private finishUpload(conn: Connection, up: Upload): void {
    this.dropUpload(conn, up.id);
    const state = this.convs.get(up.conv);
    if (!state || !state.members.has(conn.user!.id)) return this.sendError(conn, ErrorCode.notMember, `not a member of ${up.conv}`, up.id);
    const hash = createHash('sha256');
    for (const c of up.chunks) hash.update(c);
    if (hash.digest('hex') !== up.sha256) {
      return this.sendError(conn, ErrorCode.hashMismatch, `sha256 of the received bytes does not match ${up.sha256}`, up.id);
    }
    const body: FileBody = { kind: 'file', file: newId('f'), name: up.name, size: up.size, sha256: up.sha256 };
    if (up.mime !== undefined) body.mime = up.mime;
    if (up.note !== undefined) body.note = up.note;
    if (up.thread !== undefined) body.thread = up.thread;
    this.enqueue({ conv: up.conv, author: conn.user!.id, id: up.id, ts: Date.now(), body, chunks: up.chunks }, conn);
  }

  private onFetch(conn: Connection, f: Frame<'fetch'>): void {
    const info = this.store.fileInfo(f.file);
    if (!info) return this.sendError(conn, ErrorCode.unknownFile, `no file ${f.file}`, f.rid);
    const state = this.convs.get(info.conv);
    if (!state || !state.members.has(conn.user!.id)) return this.sendError(conn, ErrorCode.notMember, 'not a member of the file\'s conversation', f.rid);
    const data = f.index < info.count ? this.store.fileChunk(f.file, f.index) : undefined;
    if (!data) return this.sendError(conn, ErrorCode.badRequest, `file ${f.file} has ${info.count} chunks`, f.rid);
    conn.push(JSON.stringify({ t: 'file.chunk', rid: f.rid, file: f.file, index: f.index, count: info.count, data: data.toString('base64') }));
  }

  private onHistory(conn: Connection, f: Frame<'history'>): void {
    const state = this.memberConv(conn, f.conv, f.rid);
    if (!state) return;
    const before = f.before ?? state.rec.head + 1;
    const limit = Math.min(f.limit ?? this.limits.historyPage, this.limits.historyPage);
    // Keep a reply under HISTORY_MAX_BYTES: the oldest are left out (the client asks again from there).
    const page = this.store.beforeJson(f.conv, before, limit, HISTORY_MAX_BYTES);
    const more = page.length > 0 ? page[0].seq > state.rec.floor : false;
    conn.push(`{"t":"history","rid":${JSON.stringify(f.rid)},"conv":${JSON.stringify(f.conv)},"messages":[${page.map((m) => m.json).join(',')}],"more":${more}}`);
  }

  private onRoomCreate(conn: Connection, f: Frame<'room.create'>): void {
    if ([...this.convs.values()].some((c) => c.rec.kind === 'room' && c.rec.name === f.name)) {
      return this.sendError(conn, ErrorCode.roomExists, `#${f.name} exists; join it instead`, f.rid);
    }
    const state = this.createConv({ id: newId('r'), kind: 'room', name: f.name, topic: f.topic, members: [conn.user!.id] });
    this.admin.roomCreated(state.rec.id, conn.user!.id);
    this.log(`${conn.user!.name} created #${f.name}`);
    this.pushConv(state, conn.user!.id, conn, f.rid);
  }

  private onRoomJoin(conn: Connection, f: Frame<'room.join'>): void {
    const state = this.convs.get(f.conv);
    if (!state || state.rec.kind !== 'room') return this.sendError(conn, ErrorCode.unknownConversation, `no room ${f.conv}`, f.rid);
    if (state.members.has(conn.user!.id)) return this.pushConv(state, conn.user!.id, conn, f.rid, true);
    this.addMember(state, conn.user!.id, conn, f.rid);
  }

  private onRoomLeave(conn: Connection, f: Frame<'room.leave'>): void {
    const state = this.memberConv(conn, f.conv, f.rid);
    if (!state) return;
    if (state.rec.kind !== 'room') return this.sendError(conn, ErrorCode.badRequest, 'direct messages cannot be left', f.rid);
    const user = conn.user!.id;
    for (const c of this.byUser.get(user) ?? []) for (const up of [...c.uploads.values()]) if (up.conv === f.conv) this.dropUpload(c, up.id);
    this.store.removeMember(f.conv, user);
    state.members.delete(user);
    state.rec.members = [...state.members];
    for (const c of this.byUser.get(user) ?? []) c.push(JSON.stringify(c === conn ? { t: 'left', rid: f.rid, conv: f.conv } : { t: 'left', conv: f.conv }));
    for (const m of state.members) this.pushConv(state, m);
  }

  private onRoomList(conn: Connection, f: Frame<'room.list'>): void {
    const user = conn.user!.id;
    const rooms = [...this.convs.values()]
      .filter((c) => c.rec.kind === 'room')
      .map((c) => ({ id: c.rec.id, name: c.rec.name, ...(c.rec.topic !== undefined ? { topic: c.rec.topic } : {}), memberCount: c.members.size, joined: c.members.has(user), ...(c.rec.archived ? { archived: true } : {}) }));
    conn.push(JSON.stringify({ t: 'rooms', rid: f.rid, rooms }));
  }

  private onDmOpen(conn: Connection, f: Frame<'dm.open'>): void {
    const me = conn.user!.id;
    if (!this.users.has(f.user)) return this.sendError(conn, ErrorCode.unknownUser, `no member ${f.user}`, f.rid);
    if (this.admin.isRemoved(f.user)) return this.sendError(conn, ErrorCode.unknownUser, `${this.users.get(f.user)!.name} was removed from the team`, f.rid);
    const want = [...new Set([me, f.user])].sort();
    let state = [...this.convs.values()].find((c) => c.rec.kind === 'dm' && sameSet(c.members, want));
    if (!state) {
      state = this.createConv({ id: newId('d'), kind: 'dm', name: '', members: want });
      for (const m of want) if (m !== me) this.pushConv(state, m);
    }
    this.pushConv(state, me, conn, f.rid);
  }

  private onPresence(conn: Connection, f: Frame<'presence'>): void {
    const user = conn.user!.id;
    const was = this.presenceOf(user);
    conn.presence = f.state;
    this.announcePresence(user, was);
  }

  private onTyping(conn: Connection, f: Frame<'typing'>): void {
    const state = this.convs.get(f.conv);
    const user = conn.user!.id;
    if (!state || !state.members.has(user)) return; // typing is best effort: dropped silently
    const json = JSON.stringify({ t: 'typing', conv: f.conv, user });
    for (const m of state.members) {
      if (m === user) continue;
      for (const c of this.byUser.get(m) ?? []) c.push(json, { droppable: true });
    }
  }

  private onRead(conn: Connection, f: Frame<'read'>): void {
    const state = this.memberConv(conn, f.conv);
    if (!state) return;
    const user = conn.user!;
    const seq = Math.min(f.seq, state.rec.head);
    const moved = this.store.setRead(user.id, f.conv, seq);
    const json = JSON.stringify({ t: 'read', conv: f.conv, seq });
    for (const c of this.byUser.get(user.id) ?? []) if (c !== conn) c.push(json);
    if (moved && user.shareRead !== false) this.announceSeen(state, user.id, seq);
  }

  private onPrefs(conn: Connection, f: Frame<'prefs'>): void {
    const user = conn.user!;
    if ((user.shareRead !== false) === f.shareRead) return;
    this.store.setShareRead(user.id, f.shareRead);
    user.shareRead = f.shareRead;
    // Others now see this member's markers, or no longer do.
    for (const state of this.convs.values()) if (state.members.has(user.id)) this.announceSeen(state, user.id, f.shareRead ? (this.store.convSeen(state.rec.id).get(user.id) ?? 0) : 0);
  }

  /** Whether a conversation is small enough for "seen by". */
  private sharesSeen(state: ConvState): boolean {
    return state.rec.kind === 'dm' || state.members.size <= SEEN_MAX_MEMBERS;
  }

  /** Tells the other members of a small conversation where `user` has read to (0: not shared). */
  private announceSeen(state: ConvState, user: string, seq: number): void {
    if (!this.sharesSeen(state)) return;
    const json = JSON.stringify({ t: 'seen', conv: state.rec.id, user, seq });
    for (const m of state.members) if (m !== user) for (const c of this.byUser.get(m) ?? []) c.push(json);
  }

  private onSearch(conn: Connection, f: Frame<'search'>): void {
    const user = conn.user!.id;
    if (f.conv !== undefined && !this.memberConv(conn, f.conv, f.rid)) return;
    const query = searchQuery(f.q);
    if (!query) return this.sendError(conn, ErrorCode.badRequest, 'the search has no words to look for', f.rid);
    const convs = f.conv !== undefined ? [f.conv] : [...this.convs.values()].filter((c) => c.members.has(user)).map((c) => c.rec.id);
    const limit = f.limit ?? 50;
    let hits;
    try {
      hits = this.store.search({ ...query, convs, ...(f.from !== undefined ? { from: f.from } : {}), limit });
    } catch (err) {
      this.log(`search failed: ${(err as Error).message}`);
      return this.sendError(conn, ErrorCode.internal, 'the search failed', f.rid);
    }
    conn.push(JSON.stringify({ t: 'results', rid: f.rid, hits: hits.slice(0, limit), more: hits.length > limit }));
  }

  // ---- group commit and fan-out ----

  private enqueue(item: AppendItem, conn: Connection, notice = false): void {
    this.pending.push({ item, conn, ...(notice ? { notice } : {}) });
    if (!this.commitScheduled) {
      this.commitScheduled = true;
      setImmediate(() => this.commit());
    }
  }

  /** Stores everything received since the last commit in one transaction, then acks and fans out. */
  private commit(): void {
    this.commitScheduled = false;
    if (this.pending.length === 0) return;
    // One commit stores COMMIT_MAX_BYTES at most, so what it fans out to any one member stays
    // well under their queue cap; the rest is the next commit's, a turn later.
    let take = 0;
    for (let bytes = 0; take < this.pending.length && (take === 0 || bytes < this.commitMaxBytes); take++) bytes += itemBytes(this.pending[take].item);
    const items = this.pending.slice(0, take);
    this.pending = this.pending.slice(take);
    if (this.pending.length > 0) {
      this.commitScheduled = true;
      setImmediate(() => this.commit());
    }
    // Membership may have changed since a frame was queued (a leave in the same tick).
    const batch: Pending[] = [];
    for (const p of items) {
      if (p.notice || this.convs.get(p.item.conv)?.members.has(p.item.author)) batch.push(p);
      else this.sendError(p.conn, ErrorCode.notMember, `not a member of ${p.item.conv}`, p.item.id);
    }
    if (batch.length === 0) return;
    let results;
    try {
      results = this.store.appendBatch(batch.map((p) => p.item));
    } catch (err) {
      this.log(`commit of ${batch.length} messages failed: ${(err as Error).message}`);
      for (const p of batch) this.sendError(p.conn, ErrorCode.internal, 'the relay could not store the message; resend it', p.item.id);
      return;
    }
    this.stats.commits++;
    this.scheduleIndexing();
    const pruned = new Set<string>();
    results.forEach((r, i) => {
      const { conn, item, notice } = batch[i];
      if (!r.ok) {
        if (notice) this.log(`a notice in ${item.conv} could not be stored: ${r.message}`);
        return notice ? undefined : this.sendError(conn, r.code, r.message, item.id);
      }
      const m = r.message;
      if (!notice) conn.push(JSON.stringify({ t: 'ack', id: m.id, conv: m.conv, seq: m.seq, ts: m.ts, ...(r.dup ? { dup: true } : {}) }));
      if (r.dup) return;
      this.stats.stored++;
      const state = this.convs.get(m.conv);
      if (!state) return;
      state.rec.head = m.seq;
      const json = msgJson(m);
      for (const member of state.members) for (const c of this.byUser.get(member) ?? []) c.push(json, { conv: m.conv, seq: m.seq });
      // Notices change the room itself: everyone gets its new state.
      if (m.body.kind === 'topic' || m.body.kind === 'archive') {
        if (m.body.kind === 'topic') {
          if (m.body.text === '') delete state.rec.topic;
          else state.rec.topic = m.body.text;
        } else if (m.body.on) state.rec.archived = true;
        else delete state.rec.archived;
        for (const member of state.members) this.pushConv(state, member);
      }
      if (this.opts.retain && state.rec.head - state.rec.floor + 1 > this.opts.retain * 1.1) pruned.add(m.conv);
    });
    for (const conv of pruned) {
      try {
        this.prune(conv);
      } catch (err) {
        this.log(`pruning ${conv} failed: ${(err as Error).message}`);
      }
    }
  }

  /**
   * Indexes for search what was stored, a second after a commit, out of the commits that ack
   * messages, in slices small enough not to hold up the event loop. (A search indexes what is
   * pending first.)
   */
  private scheduleIndexing(): void {
    if (this.indexTimer || this.stopped) return;
    const slice = () => {
      this.indexTimer = undefined;
      if (this.stopped) return;
      let done = true;
      try {
        done = this.store.indexPending(SEARCH_INDEX_SLICE);
      } catch (err) {
        this.log(`search indexing failed (it is retried after the next commit): ${(err as Error).message}`);
      }
      if (!done) {
        this.indexTimer = setTimeout(slice, 0);
        this.indexTimer.unref();
      }
    };
    this.indexTimer = setTimeout(slice, SEARCH_INDEX_DELAY_MS);
    this.indexTimer.unref();
  }

  private prune(conv: string): void {
    const state = this.convs.get(conv);
    if (!state || !this.opts.retain) return;
    this.store.prune(conv, this.opts.retain);
    state.rec.floor = Math.max(state.rec.floor, state.rec.head - this.opts.retain + 1);
  }

  private markDirty(c: Connection): void {
    this.dirty.add(c);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    queueMicrotask(() => {
      this.flushScheduled = false;
      const list = [...this.dirty];
      this.dirty.clear();
      for (const conn of list) conn.flush();
    });
  }

  // ---- helpers ----

  private indexUser(u: UserRecord): void {
    this.users.set(u.id, u);
    this.names.add(u);
    this.byKey.set(u.keyHash, u);
    if (!u.keyHash.startsWith('retired:') && !u.keyHash.startsWith('none:')) this.legacyMembers++;
  }

  private createConv(rec: Omit<ConversationRecord, 'head' | 'floor' | 'archived'>): ConvState {
    this.store.createConversation(rec);
    const state: ConvState = { rec: { ...rec, head: 0, floor: 1 }, members: new Set(rec.members) };
    if (state.rec.topic === undefined) delete state.rec.topic;
    this.convs.set(rec.id, state);
    return state;
  }

  private addMember(state: ConvState, user: string, conn?: Connection, rid?: string): void {
    this.store.addMember(state.rec.id, user);
    // What was said before joining is history, not unread; nor read: others do not see it so.
    if (state.rec.head > 0) this.store.passRead(user, state.rec.id, state.rec.head);
    state.members.add(user);
    state.rec.members = [...state.members];
    for (const m of state.members) this.pushConv(state, m, m === user ? conn : undefined, m === user ? rid : undefined);
  }

  /** Sends a conversation's current state to every connection of `user` (with the rid on `conn`). */
  private pushConv(state: ConvState, user: string, conn?: Connection, rid?: string, onlyConn = false): void {
    const reads = this.store.reads(user);
    const view = this.convView(state, reads.get(state.rec.id) ?? 0, user);
    for (const c of this.byUser.get(user) ?? []) {
      if (onlyConn && c !== conn) continue;
      c.push(JSON.stringify(c === conn && rid ? { t: 'conv', rid, conversation: view } : { t: 'conv', conversation: view }));
    }
  }

  /** A conversation as `viewer` gets it: with their read marker and, where shared, the others'. */
  private convView(state: ConvState, read: number, viewer: string): Conversation {
    const r = state.rec;
    const seen: Record<string, number> = {};
    if (this.sharesSeen(state)) {
      // Only markers members set by reading; joining and posting move only their unread start.
      for (const [user, seq] of this.store.convSeen(r.id)) {
        if (user !== viewer && seq > 0 && state.members.has(user) && this.users.get(user)?.shareRead !== false) seen[user] = seq;
      }
    }
    return {
      id: r.id,
      kind: r.kind,
      name: r.name,
      ...(r.topic !== undefined ? { topic: r.topic } : {}),
      members: [...state.members],
      head: r.head,
      read,
      ...(Object.keys(seen).length ? { seen } : {}),
      ...(r.archived ? { archived: true } : {}),
      ...(this.admin.creatorOf(r.id) !== undefined ? { creator: this.admin.creatorOf(r.id) } : {}),
    };
  }

  private memberConv(conn: Connection, conv: string, ref?: string): ConvState | undefined {
    const state = this.convs.get(conv);
    if (!state) {
      this.sendError(conn, ErrorCode.unknownConversation, `no conversation ${conv}`, ref);
      return undefined;
    }
    if (!state.members.has(conn.user!.id)) {
      this.sendError(conn, ErrorCode.notMember, `not a member of ${conv}`, ref);
      return undefined;
    }
    return state;
  }

  private presenceOf(user: string): 'online' | 'away' | 'offline' {
    const set = this.byUser.get(user);
    if (!set || set.size === 0) return 'offline';
    for (const c of set) if (c.presence === 'online') return 'online';
    return 'away';
  }

  private announcePresence(user: string, was: string): void {
    const now = this.presenceOf(user);
    if (now === was) return;
    this.opts.onPresence?.();
    const json = JSON.stringify({ t: 'presence', user, state: now });
    for (const c of this.conns) if (c.user) c.push(json, { droppable: true });
  }

  /** A member as the wire has it: with their role, and marked when removed. */
  private memberView(u: UserRecord): Member {
    return { id: u.id, name: u.name, presence: this.admin.isRemoved(u.id) ? 'offline' : this.presenceOf(u.id), ...this.admin.memberFlags(u.id) };
  }

  /** Tells every connected member how `user` stands now (role, removed); the request's answer on `conn`. */
  private announceMember(user: string, conn?: Connection, rid?: string): void {
    const u = this.users.get(user);
    if (!u) return;
    const member = this.memberView(u);
    const json = JSON.stringify({ t: 'member', member });
    for (const c of this.conns) {
      if (!c.user || c.closed) continue;
      c.push(c === conn && rid !== undefined ? JSON.stringify({ t: 'member', rid, member }) : json);
    }
  }

  /** A removed member's hello: refused, with who removed them and when. */
  private refuseRemoved(conn: Connection, user: string): void {
    const r = this.admin.removal(user)!;
    const by = this.users.get(r.by)?.name ?? 'an admin';
    this.log(`refused ${this.users.get(user)?.name ?? user} from ${conn.remote}: removed from the team`);
    this.fail(conn, ErrorCode.removed, `${by} removed you from this team on ${new Date(r.ts).toISOString().slice(0, 10)}; ask an admin if that was a mistake`, CloseCode.removed);
  }

  private refuseArchived(conn: Connection, state: ConvState, ref: string): void {
    this.sendError(conn, ErrorCode.archived, `#${state.rec.name} is archived; unarchive it to post`, ref);
  }

  private sendError(conn: Connection, code: string, message: string, ref?: string): void {
    conn.push(JSON.stringify({ t: 'error', code, message, ...(ref !== undefined ? { ref } : {}) }));
  }

  /** Sends an error and closes this connection only. */
  private fail(conn: Connection, code: string, message: string, closeCode: number): void {
    this.sendError(conn, code, message);
    conn.close(closeCode, code);
  }
}

/** A device's name as its client gave it: one line of printable text, 64 characters at most. */
function deviceLabel(raw: string | undefined): string {
  const text = (raw ?? '').replace(/[\p{C}\p{Zl}\p{Zp}]/gu, '').trim().slice(0, 64);
  return text || 'unnamed device';
}

/** A device's last sign-in is written at most this often (a reconnect storm is not a write storm). */
const DEVICE_SEEN_EVERY_MS = 3_600_000;

/** About how many bytes a message to store weighs (its text, or its file's bytes). */
function itemBytes(item: AppendItem): number {
  const b = item.body;
  let n = 200;
  if (b.kind === 'text' || b.kind === 'edit') n += b.text.length;
  else if (b.kind === 'snippet') n += b.code.length + (b.note?.length ?? 0);
  for (const c of item.chunks ?? []) n += c.length;
  return n;
}

function msgJson(m: Message): string {
  return JSON.stringify({ t: 'msg', m });
}

function refOf(f: ClientFrame): string | undefined {
  if ('rid' in f) return f.rid;
  if ('id' in f) return f.id;
  return undefined;
}

function sameSet(a: Set<string>, b: string[]): boolean {
  return a.size === b.length && b.every((x) => a.has(x));
}

function newId(prefix: string): string {
  return prefix + randomBytes(9).toString('base64url').replace(/[-_]/g, 'x');
}

function reject(socket: Duplex, status: number, code: string, message: string): void {
  const body = JSON.stringify({ code, message });
  const text: Record<number, string> = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 503: 'Service Unavailable' };
  socket.end(
    `HTTP/1.1 ${status} ${text[status] ?? 'Error'}\r\nConnection: close\r\nContent-Type: application/json\r\nX-Parley-Error: ${code}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

