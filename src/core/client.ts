import { createHash } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { checkServerIdentity as defaultServerCheck, type PeerCertificate, type TLSSocket } from 'node:tls';
import { CloseCode, DEFAULT_LIMITS, ErrorCode, FATAL_ERRORS, MAX_RELAY_FRAME_BYTES, PROTOCOL_HEADER, PROTOCOL_VERSION, type Limits } from '../protocol/constants';
import { helloPayload } from '../protocol/handshake';
import {
  BASE_SEND_KINDS,
  decodeRelayFrame,
  HIDDEN_KINDS,
  NOTICE_KINDS,
  threadOf,
  type Conversation,
  type Device,
  type FileBody,
  type Member,
  type Message,
  type RelayEvent,
  type RoomSummary,
  type SendBody,
  type SearchHit,
  type TeamRole,
} from '../protocol/wire';
import { Backoff } from './backoff';
import { ClientStore, type CachedMessage, type MessageScope, type OutboxEntry } from './clientStore';
import { Emitter } from './emitter';
import { newMessageId, newRequestId } from './ids';
import { loadIdentity, type Identity } from './identity';
import { normalizeFingerprint } from './fingerprint';
import { CertificateError, relayTlsOptions, type CertificateProblem, type RelayTlsOptions } from './tlsPin';

export type ConnectionState = 'idle' | 'connecting' | 'connected' | 'reconnecting' | 'failed' | 'stopped';

export interface ClientOptions {
  /** ws:// or wss:// address of the relay. */
  url: string;
  name: string;
  /** This device's identity secret (see newIdentitySecret): signs every sign-in; never sent. */
  key: string;
  /**
   * A protocol-1 identity key, sent (once) to exchange it for this device key at a relay where
   * the member still has it. Only give it for relays that already know it.
   */
  legacyKey?: string;
  /** A one-time code from another of the member's devices: signs this device in as that member. */
  deviceCode?: string;
  /** What the member's device list calls this device. */
  deviceLabel?: string;
  /** A named invite's token: joins as a new member under that name, without the team secret. */
  inviteToken?: string;
  /** Team secret, when the relay requires one. */
  secret?: string;
  /**
   * For wss:// relays with a self-signed certificate: its SHA-256 fingerprint. Without it a
   * wss:// relay's certificate must verify against the system's CAs. A certificate that does not
   * match fails the connection (state `failed`, event `certificate`) before the secret is sent.
   */
  fingerprint?: string;
  store: ClientStore;
  /** WebSocket constructor; tests inject one to sit between client and relay. */
  WebSocket?: typeof WebSocket;
  backoff?: { baseMs?: number; maxMs?: number };
  /** The relay's ping interval; the connection is dropped after 2.5 of them without a frame. */
  heartbeatMs?: number;
  requestTimeoutMs?: number;
  clientName?: string;
  /** Let other members see how far I have read ("seen by"); sent after every handshake. Default true. */
  shareRead?: boolean;
  log?: (line: string) => void;
}

export interface ConversationState extends Conversation {
  unread: number;
}

export type DeliveryState = 'queued' | 'sent' | 'failed';

export interface OutboxUpdate {
  id: string;
  conv: string;
  state: DeliveryState;
  seq?: number;
  error?: string;
}

type ClientEvents = {
  state: (state: ConnectionState, detail?: string) => void;
  ready: () => void;
  synced: () => void;
  message: (m: Message) => void;
  conversation: (c: ConversationState) => void;
  left: (conv: string) => void;
  members: (members: Member[]) => void;
  typing: (conv: string, user: string) => void;
  outbox: (u: OutboxUpdate) => void;
  upload: (id: string, sent: number, total: number) => void;
  reset: (conv: string, reason: string) => void;
  error: (code: string, message: string) => void;
  /** The relay's certificate was refused (unknown or changed); nothing was sent to it. */
  certificate: (problem: CertificateProblem) => void;
  /** A new team secret (after an admin rotated it; sent to admins only). */
  secret: (secret: string) => void;
  /** Signed in: this device's id, and whether the legacy key or device code was used up. */
  signedIn: (info: { device?: string; usedLegacy: boolean; usedCode: boolean }) => void;
  /** The member's devices changed (one added or removed, here or on another device). */
  devices: (devices: Device[]) => void;
};

interface PendingRequest {
  resolve: (e: RelayEvent) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** An error the relay answered with (code from docs/PROTOCOL.md). */
export class RelayError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const RETRYABLE = new Set<string>([ErrorCode.rateLimited, ErrorCode.internal]);

/** Paces frames: `burst` at once, then `perSecond`. */
class RateGate {
  private perSecond = 40;
  private burst = 150;
  private tokens = 150;
  private last = Date.now();

  configure(perSecond: number, burst: number): void {
    this.perSecond = Math.max(1, perSecond);
    this.burst = Math.max(1, burst);
    this.tokens = Math.min(this.tokens, this.burst);
  }

  async take(): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
      this.last = now;
      if (this.tokens >= 1) {
        this.tokens -= 1;
        return;
      }
      await new Promise((r) => setTimeout(r, Math.ceil(((1 - this.tokens) / this.perSecond) * 1000)));
    }
  }
}

/**
 * The client side of the protocol: connection state machine with capped, jittered backoff,
 * persistent outbox resent on reconnect, per-conversation cursors and a local history cache.
 * Plain Node; the extension host wraps it.
 */
export class ParleyClient extends Emitter<ClientEvents> {
  private ws: WebSocket | undefined;
  private _state: ConnectionState = 'idle';
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private deadTimer: NodeJS.Timeout | undefined;
  private resendTimer: NodeJS.Timeout | undefined;
  /** Body kinds the relay accepts (from its welcome). */
  private relayKinds: ReadonlySet<string> = new Set(BASE_SEND_KINDS);
  private relayVersion = '';
  private relayHasPrefs = false;
  private readonly requests = new Map<string, PendingRequest>();
  private readonly convs = new Map<string, { conv: Conversation; cursor: number }>();
  private readonly memberMap = new Map<string, Member>();
  /** Outbox ids sent on a socket and not yet acked; an id sent on an older socket is not in flight. */
  private readonly inFlight = new Map<string, WebSocket>();
  private readonly uploadWaiters = new Map<string, { resolve: (next: number) => void; reject: (err: Error) => void }>();
  /** Outbox entries waiting for their turn on the wire (sends are paced under the relay's rate limit). */
  private sendQueue: OutboxEntry[] = [];
  private readonly queued = new Set<string>();
  private pumping = false;
  private readonly gate = new RateGate();
  private syncInFlight = false;
  /** Conversations the messages of the relay frame being handled touched (written once at its end). */
  private readonly frameTouched = new Set<string>();
  /** Bumped by every connect(); a TLS check that finishes after a newer attempt (or stop) is ignored. */
  private connectAttempt = 0;
  private readonly unreadCache = new Map<string, { read: number; count: number }>();
  private me: { id: string; name: string } | undefined;
  private _limits: Limits = DEFAULT_LIMITS;
  private epoch: string | undefined;
  private device: string | undefined;
  private loadedIdentity: Identity | undefined;
  /** Sends the signed hello for the current connection's challenge. */
  private onChallenge: ((nonce: string, legacy: boolean) => void) | undefined;
  /** The device code, until a sign-in used it. */
  private pendingCode: string | undefined;
  /** The named invite's token, until a sign-in used it. */
  private pendingInvite: string | undefined;
  private sentLegacy = false;
  private legacyUsed = false;

  constructor(private readonly opts: ClientOptions) {
    super();
    this.pendingCode = opts.deviceCode;
    this.pendingInvite = opts.inviteToken;
    this.backoff = new Backoff(opts.backoff?.baseMs ?? 500, opts.backoff?.maxMs ?? 30_000);
    const store = opts.store;
    this.epoch = store.get('epoch');
    const me = store.get('me');
    if (me) this.me = JSON.parse(me) as { id: string; name: string };
    for (const [id, c] of store.conversations()) this.convs.set(id, c);
    for (const m of store.members()) this.memberMap.set(m.id, { ...m, presence: 'offline' });
  }

  get state(): ConnectionState {
    return this._state;
  }

  get self(): { id: string; name: string } | undefined {
    return this.me;
  }

  get limits(): Limits {
    return this._limits;
  }

  get store(): ClientStore {
    return this.opts.store;
  }

  members(): Member[] {
    return [...this.memberMap.values()];
  }

  conversations(): ConversationState[] {
    return [...this.convs.values()].map((c) => this.view(c.conv));
  }

  conversation(id: string): ConversationState | undefined {
    const c = this.convs.get(id);
    return c ? this.view(c.conv) : undefined;
  }

  cursor(conv: string): number | undefined {
    return this.convs.get(conv)?.cursor;
  }

  messages(conv: string, opts?: { before?: number; from?: number; limit?: number; scope?: MessageScope }): CachedMessage[] {
    return this.opts.store.messages(conv, opts);
  }

  outbox(): OutboxEntry[] {
    return this.opts.store.outbox();
  }

  start(): void {
    if (this._state !== 'idle' && this._state !== 'stopped' && this._state !== 'failed') return;
    this.connect();
  }

  /** Closes the connection and stops reconnecting. The cache and outbox stay. */
  stop(): void {
    this.setState('stopped');
    this.clearTimers();
    const ws = this.ws;
    this.ws = undefined;
    this.dropConnectionState('client stopped');
    if (ws) {
      ws.removeAllListeners();
      ws.on('error', () => undefined);
      ws.close(CloseCode.normal);
    }
  }

  /** Reconnects now, skipping any backoff wait (the "Reconnect" command). */
  reconnect(): void {
    this.stop();
    this.backoff.reset();
    this.connect();
  }

  // ---- sending ----

  /** Puts a message in the persistent outbox and sends it when connected. */
  send(conv: string, body: SendBody): OutboxEntry {
    const entry: OutboxEntry = { id: newMessageId(), conv, kind: 'send', body, created: Date.now(), state: 'queued' };
    this.opts.store.addOutbox(entry);
    this.emit('outbox', { id: entry.id, conv, state: 'queued' });
    this.transmit(entry);
    return entry;
  }

  /** Queues a file; it is uploaded in chunks when connected. Throws when it is over the relay's cap. */
  sendFile(conv: string, name: string, bytes: Uint8Array, opts: { mime?: string; note?: string; thread?: number } = {}): OutboxEntry {
    if (bytes.length > this._limits.maxFileBytes) {
      throw new RelayError(ErrorCode.tooLarge, `${name} is ${bytes.length} bytes; the relay accepts files up to ${this._limits.maxFileBytes} bytes`);
    }
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const body = { name, size: bytes.length, sha256, ...(opts.mime ? { mime: opts.mime } : {}), ...(opts.note ? { note: opts.note } : {}), ...(opts.thread !== undefined ? { thread: opts.thread } : {}) };
    const entry: OutboxEntry = { id: newMessageId(), conv, kind: 'upload', body, created: Date.now(), state: 'queued' };
    this.opts.store.addOutbox(entry, bytes);
    this.emit('outbox', { id: entry.id, conv, state: 'queued' });
    this.transmit(entry);
    return entry;
  }

  /** Sends a failed message again. */
  retry(id: string): void {
    const entry = this.opts.store.outboxEntry(id);
    if (!entry) return;
    this.opts.store.setOutboxState(id, 'queued');
    this.emit('outbox', { id, conv: entry.conv, state: 'queued' });
    this.transmit({ ...entry, state: 'queued' });
  }

  /** Drops a message from the outbox (a failed one the user gave up on). */
  discard(id: string): void {
    this.opts.store.removeOutbox(id);
    this.inFlight.delete(id);
  }

  // ---- requests ----

  async history(conv: string, before?: number): Promise<{ messages: Message[]; more: boolean }> {
    const lowest = before ?? this.opts.store.lowestSeq(conv);
    const res = await this.request({ t: 'history', conv, ...(lowest !== undefined ? { before: lowest } : {}) });
    if (res.t !== 'history') throw new Error('unexpected reply');
    this.opts.store.transaction(() => {
      for (const m of res.messages) this.opts.store.putMessage(m);
    });
    this.unreadCache.delete(conv);
    return { messages: res.messages, more: res.more };
  }

  /** Full-text search on the relay over my conversations (or one), newest first. */
  async search(q: string, opts: { conv?: string; from?: string; limit?: number } = {}): Promise<{ hits: SearchHit[]; more: boolean }> {
    const res = await this.request({ t: 'search', q, ...opts });
    if (res.t !== 'results') throw new Error('unexpected reply');
    return { hits: res.hits, more: res.more };
  }

  async createRoom(name: string, topic?: string): Promise<ConversationState> {
    const res = await this.request({ t: 'room.create', name, ...(topic ? { topic } : {}) });
    return this.view((res as Extract<RelayEvent, { t: 'conv' }>).conversation);
  }

  async joinRoom(conv: string): Promise<ConversationState> {
    const res = await this.request({ t: 'room.join', conv });
    return this.view((res as Extract<RelayEvent, { t: 'conv' }>).conversation);
  }

  async leaveRoom(conv: string): Promise<void> {
    await this.request({ t: 'room.leave', conv });
  }

  /** A one-time code (ten minutes) another machine can enter to sign in as this member. */
  async makeDeviceCode(): Promise<{ code: string; expires: number }> {
    const res = (await this.request({ t: 'device.code' })) as Extract<RelayEvent, { t: 'device.code' }>;
    return { code: res.code, expires: res.expires };
  }

  /** An invite that keeps `name` for the invitee until they join with it (once, seven days). */
  async makeNamedInvite(name: string): Promise<{ token: string; name: string; expires: number }> {
    const res = (await this.request({ t: 'invite.make', name })) as Extract<RelayEvent, { t: 'invite' }>;
    return { token: res.token, name: res.name, expires: res.expires };
  }

  async listDevices(): Promise<Device[]> {
    return ((await this.request({ t: 'device.list' })) as Extract<RelayEvent, { t: 'devices' }>).devices;
  }

  /** Removes one of this member's devices; its connections are closed by the relay at once. */
  async removeDevice(device: string): Promise<Device[]> {
    return ((await this.request({ t: 'device.remove', device })) as Extract<RelayEvent, { t: 'devices' }>).devices;
  }

  /** This connection's device id (after sign-in). */
  get deviceId(): string | undefined {
    return this.device;
  }

  private identity(): Identity {
    if (!this.loadedIdentity) this.loadedIdentity = loadIdentity(this.opts.key);
    return this.loadedIdentity;
  }

  async listRooms(): Promise<RoomSummary[]> {
    const res = await this.request({ t: 'room.list' });
    return (res as Extract<RelayEvent, { t: 'rooms' }>).rooms;
  }

  /** A member's role in the team (`member` when the relay gave none). */
  roleOf(user: string): TeamRole {
    return this.memberMap.get(user)?.role ?? 'member';
  }

  /** Removes a member from the team (admins): their windows close with the reason, their key is refused from then on. */
  async removeMember(user: string): Promise<Member> {
    const res = await this.request({ t: 'member.remove', user });
    return (res as Extract<RelayEvent, { t: 'member' }>).member;
  }

  /** Gives a member a role (owners). */
  async setRole(user: string, role: TeamRole): Promise<Member> {
    const res = await this.request({ t: 'member.role', user, role });
    return (res as Extract<RelayEvent, { t: 'member' }>).member;
  }

  /** Replaces the team secret (admins); resolves with the new one (also emitted as `secret`). */
  async rotateSecret(): Promise<string> {
    const res = await this.request({ t: 'secret.rotate' });
    return (res as Extract<RelayEvent, { t: 'secret' }>).secret;
  }

  async openDm(user: string): Promise<ConversationState> {
    const res = await this.request({ t: 'dm.open', user });
    return this.view((res as Extract<RelayEvent, { t: 'conv' }>).conversation);
  }

  /** Downloads a file in chunks and checks its size and sha256. */
  async fetchFile(body: FileBody): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (let index = 0, count = body.size > 0 ? 1 : 0; index < count; index++) {
      const res = (await this.request({ t: 'fetch', file: body.file, index })) as Extract<RelayEvent, { t: 'file.chunk' }>;
      count = res.count;
      parts.push(Buffer.from(res.data, 'base64'));
    }
    const bytes = Buffer.concat(parts);
    if (bytes.length !== body.size) throw new RelayError(ErrorCode.hashMismatch, `received ${bytes.length} bytes of ${body.name}, expected ${body.size}`);
    const hash = createHash('sha256').update(bytes).digest('hex');
    if (hash !== body.sha256) throw new RelayError(ErrorCode.hashMismatch, `sha256 of ${body.name} does not match: the file was altered`);
    return bytes;
  }

  /** Starts or stops sharing my read markers with the other members. */
  setShareRead(on: boolean): void {
    this.opts.shareRead = on;
    if (this.relayHasPrefs) this.sendFrame({ t: 'prefs', shareRead: on });
  }

  setPresence(state: 'online' | 'away'): void {
    this.sendFrame({ t: 'presence', state });
  }

  typing(conv: string): void {
    this.sendFrame({ t: 'typing', conv });
  }

  /** Moves the read marker forward (never back) and tells the user's other windows. */
  markRead(conv: string, seq: number): void {
    const c = this.convs.get(conv);
    if (!c || seq <= c.conv.read) return;
    c.conv = { ...c.conv, read: Math.min(seq, c.conv.head) };
    this.opts.store.putConversation(c.conv, c.cursor);
    this.emit('conversation', this.view(c.conv));
    this.sendFrame({ t: 'read', conv, seq: c.conv.read });
  }

  // ---- connection ----

  private connect(): void {
    this.clearTimers();
    this.setState(this.backoff.attempts > 0 ? 'reconnecting' : 'connecting');
    const attempt = ++this.connectAttempt;
    if (!this.opts.url.startsWith('wss:')) {
      this.open({});
      return;
    }
    // wss://: decide how to trust the certificate before anything is sent (see relayTlsOptions).
    relayTlsOptions(this.opts.url, this.opts.fingerprint).then(
      (tls) => {
        if (attempt === this.connectAttempt && this._state !== 'stopped') this.open(tls);
      },
      (err: Error) => {
        if (attempt !== this.connectAttempt || this._state === 'stopped') return;
        this.opts.log?.(`connection error: ${err.message}`);
        if (err instanceof CertificateError) {
          this.emit('certificate', err.problem);
          this.setState('failed', err.message);
          return;
        }
        const wait = this.backoff.next();
        this.setState('reconnecting', `retrying in ${Math.round(wait / 100) / 10} s`);
        this.retryTimer = setTimeout(() => this.connect(), wait);
      },
    );
  }

  private open(tls: RelayTlsOptions): void {
    const Ctor = this.opts.WebSocket ?? WebSocket;
    const headers: Record<string, string> = {};
    if (this.opts.secret) headers.authorization = `Bearer ${this.opts.secret}`;
    // The certificate this connection saw (signed into the hello): recorded as TLS verifies it
    // (the same check the pin goes through), else read from the upgrade's socket; when the
    // extension host's patched https hides both, the pin (which the connection had to match).
    let seenFingerprint: string | undefined;
    const secure = this.opts.url.startsWith('wss:');
    const check = tls.checkServerIdentity ?? defaultServerCheck;
    const checkServerIdentity = (host: string, cert: PeerCertificate) => {
      const err = check(host, cert);
      if (!err && cert.fingerprint256) seenFingerprint = normalizeFingerprint(cert.fingerprint256);
      return err;
    };
    let ws: WebSocket;
    try {
      ws = new Ctor(this.opts.url, {
        headers,
        handshakeTimeout: 10_000,
        perMessageDeflate: false,
        maxPayload: MAX_RELAY_FRAME_BYTES,
        ...tls,
        ...(secure ? { checkServerIdentity } : {}),
      });
    } catch (err) {
      this.setState('failed', `bad relay address ${this.opts.url}: ${(err as Error).message}`);
      return;
    }
    this.ws = ws;
    let fatal: string | undefined;
    ws.on('unexpected-response', (_req, res: IncomingMessage) => {
      const code = String(res.headers['x-parley-error'] ?? res.statusCode);
      if (res.statusCode === 401) fatal = 'wrong or missing team secret';
      else if (res.statusCode === 403) fatal = 'the relay refused this client (origin not allowed)';
      this.opts.log?.(`relay answered HTTP ${res.statusCode} (${code})`);
      res.resume();
      ws.terminate();
    });
    // Whether the relay speaks protocol 2 at all (an older one would wait for a hello this client cannot send).
    ws.on('upgrade', (res: IncomingMessage) => {
      const cert = secure && !seenFingerprint ? (res.socket as TLSSocket).getPeerX509Certificate?.() : undefined;
      if (cert) seenFingerprint = normalizeFingerprint(cert.fingerprint256);
      if (secure && !seenFingerprint && this.opts.fingerprint) seenFingerprint = normalizeFingerprint(this.opts.fingerprint);
      if (res.headers[PROTOCOL_HEADER] === undefined) {
        fatal = 'this relay runs an older Parley (protocol 1, before signed sign-in); ask whoever runs it to update it';
      }
    });
    ws.on('open', () => {
      this.armDeadTimer();
      if (fatal) ws.close(CloseCode.normal);
    });
    this.onChallenge = (nonce, legacy) => {
      const identity = this.identity();
      const name = this.opts.name;
      const code = this.pendingCode;
      const invite = this.pendingInvite;
      const sendLegacy = legacy && this.opts.legacyKey !== undefined && !this.legacyUsed ? this.opts.legacyKey : undefined;
      const signed = { v: PROTOCOL_VERSION, nonce, relay: this.opts.url, fingerprint: seenFingerprint, name, key: identity.publicKey, code, legacy: sendLegacy };
      this.sentLegacy = sendLegacy !== undefined;
      ws.send(
        JSON.stringify({
          t: 'hello',
          v: PROTOCOL_VERSION,
          name,
          key: identity.publicKey,
          sig: identity.sign(helloPayload(signed)),
          relay: this.opts.url,
          ...(seenFingerprint ? { fingerprint: seenFingerprint } : {}),
          ...(code !== undefined ? { code } : {}),
          ...(invite !== undefined ? { invite } : {}),
          ...(sendLegacy !== undefined ? { legacy: sendLegacy } : {}),
          ...(this.opts.deviceLabel ? { device: this.opts.deviceLabel.slice(0, 64) } : {}),
          client: this.opts.clientName ?? 'parley-core',
        }),
      );
    };
    ws.on('ping', () => this.armDeadTimer());
    ws.on('message', (data) => {
      this.armDeadTimer();
      const decoded = decodeRelayFrame(data.toString());
      if (!decoded.ok) {
        this.opts.log?.(`dropping the connection: ${decoded.message}`);
        ws.terminate();
        return;
      }
      // One transaction (one fsync) per frame: a replay frame carries hundreds of messages. The
      // conversations its messages touched are written and announced once, at the frame's end.
      this.opts.store.transaction(() => {
        for (const e of decoded.value) {
          try {
            const f = this.handle(e);
            if (f) fatal = f;
          } catch (err) {
            this.opts.log?.(`error handling ${e.t}: ${(err as Error).stack ?? err}`);
          }
        }
        for (const id of this.frameTouched) this.conversationChanged(id);
        this.frameTouched.clear();
      });
    });
    ws.on('error', (err) => {
      this.opts.log?.(`connection error: ${err.message}`);
      if (err instanceof CertificateError) {
        fatal = err.message;
        this.emit('certificate', err.problem);
      }
    });
    ws.on('close', (code, reason) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      this.dropConnectionState('connection lost');
      if (this._state === 'stopped') return;
      for (const m of this.memberMap.values()) m.presence = 'offline';
      if (fatal || isFatalClose(code)) {
        this.setState('failed', fatal ?? (reason.toString() || `closed with ${code}`));
        return;
      }
      const wait = this.backoff.next();
      this.setState('reconnecting', `retrying in ${Math.round(wait / 100) / 10} s`);
      this.retryTimer = setTimeout(() => this.connect(), wait);
    });
  }

  /** Handles one relay event; returns a reason when the relay refused us for good. */
  private handle(e: RelayEvent): string | undefined {
    const store = this.opts.store;
    switch (e.t) {
      case 'challenge':
        if (this._state === 'connected') return 'the relay asked this connection to sign in twice';
        this.onChallenge?.(e.nonce, e.legacy === true);
        return undefined;
      case 'device.code':
      case 'invite':
        this.settle(e.rid, e);
        return undefined;
      case 'devices':
        if (e.rid) this.settle(e.rid, e);
        this.emit('devices', e.devices);
        return undefined;
      case 'welcome': {
        this.device = e.device;
        const usedCode = this.pendingCode !== undefined || this.pendingInvite !== undefined;
        this.pendingCode = undefined;
        this.pendingInvite = undefined;
        if (this.sentLegacy) this.legacyUsed = true;
        this.emit('signedIn', { ...(e.device ? { device: e.device } : {}), usedLegacy: this.sentLegacy, usedCode });
        this._limits = e.limits;
        this.relayKinds = new Set(e.kinds ?? BASE_SEND_KINDS);
        // A relay from before the kinds list knows no `prefs` frame either.
        this.relayHasPrefs = e.kinds !== undefined;
        this.relayVersion = e.relay;
        this.gate.configure(e.limits.ratePerSecond * 0.8, Math.max(1, Math.floor(e.limits.rateBurst / 2)));
        if (this.epoch !== undefined && this.epoch !== e.epoch) {
          this.opts.log?.(`relay store changed (epoch ${this.epoch} -> ${e.epoch}); dropping the cache`);
          store.clearAll();
          this.unreadCache.clear();
          for (const id of this.convs.keys()) this.emit('reset', id, 'epoch');
          this.convs.clear();
        }
        this.epoch = e.epoch;
        this.me = e.you;
        store.transaction(() => {
          store.set('epoch', e.epoch);
          store.set('me', JSON.stringify(e.you));
          store.set('members', JSON.stringify(e.members));
          const live = new Set(e.conversations.map((c) => c.id));
          for (const id of [...this.convs.keys()]) {
            if (!live.has(id)) {
              this.convs.delete(id);
              store.removeConversation(id);
              this.emit('left', id);
            }
          }
          for (const c of e.conversations) this.upsertConv(c, true);
        });
        this.memberMap.clear();
        for (const m of e.members) this.memberMap.set(m.id, m);
        this.emit('members', this.members());
        const localReads = new Map([...this.convs].map(([id, c]) => [id, c.conv.read]));
        this.setState('connected');
        if (this.relayHasPrefs) this.sendFrame({ t: 'prefs', shareRead: this.opts.shareRead !== false });
        this.requestSync();
        // Read markers moved while offline reach the relay (and so the user's other windows).
        for (const c of e.conversations) {
          const local = localReads.get(c.id) ?? 0;
          if (local > c.read) this.sendFrame({ t: 'read', conv: c.id, seq: Math.min(local, c.head) });
        }
        this.transmitQueued();
        this.emit('ready');
        return undefined;
      }
      case 'msg':
        this.onMsg(e.m);
        return undefined;
      case 'ack': {
        this.inFlight.delete(e.id);
        this.uploadWaiters.get(e.id)?.resolve(-1);
        if (store.removeOutbox(e.id)) this.emit('outbox', { id: e.id, conv: e.conv, state: 'sent', seq: e.seq });
        return undefined;
      }
      case 'reset':
        this.onReset(e.conv, e.reason, e.head);
        return undefined;
      case 'synced':
        // Only a connection that got all the way through a replay counts as healthy.
        this.backoff.reset();
        this.settle(e.rid, e);
        this.emit('synced');
        return undefined;
      case 'conv':
        store.transaction(() => this.upsertConv(e.conversation, false));
        if (e.rid) this.settle(e.rid, e);
        return undefined;
      case 'left':
        this.convs.delete(e.conv);
        store.removeConversation(e.conv);
        this.emit('left', e.conv);
        if (e.rid) this.settle(e.rid, e);
        return undefined;
      case 'history':
      case 'rooms':
      case 'file.chunk':
      case 'results':
        this.settle(e.rid, e);
        return undefined;
      case 'member': {
        this.memberMap.set(e.member.id, e.member);
        store.set('members', JSON.stringify(this.members()));
        this.emit('members', this.members());
        if (e.rid) this.settle(e.rid, e);
        return undefined;
      }
      case 'secret':
        this.emit('secret', e.secret);
        if (e.rid) this.settle(e.rid, e);
        return undefined;
      case 'presence': {
        const m = this.memberMap.get(e.user);
        if (m) {
          m.presence = e.state;
          this.emit('members', this.members());
        }
        return undefined;
      }
      case 'typing':
        this.emit('typing', e.conv, e.user);
        return undefined;
      case 'read': {
        // A marker past the head (a relay's bug or a malicious one) would hide every later
        // message as read: markers go no further than the messages this client knows of.
        const c = this.convs.get(e.conv);
        const seq = c ? Math.min(e.seq, Math.max(c.conv.head, c.cursor)) : 0;
        if (c && seq > c.conv.read) {
          c.conv = { ...c.conv, read: seq };
          store.putConversation(c.conv, c.cursor);
          this.emit('conversation', this.view(c.conv));
        }
        return undefined;
      }
      case 'seen': {
        const c = this.convs.get(e.conv);
        if (!c) return undefined;
        const seen = { ...(c.conv.seen ?? {}) };
        if (e.seq > 0) seen[e.user] = Math.min(e.seq, Math.max(c.conv.head, c.cursor));
        else delete seen[e.user];
        c.conv = { ...c.conv, seen };
        if (Object.keys(seen).length === 0) delete c.conv.seen;
        store.putConversation(c.conv, c.cursor);
        this.emit('conversation', this.view(c.conv));
        return undefined;
      }
      case 'upload.ready':
        this.uploadWaiters.get(e.id)?.resolve(e.next);
        return undefined;
      case 'bye':
        this.opts.log?.(`relay going away: ${e.reason}`);
        return undefined;
      case 'error':
        return this.onError(e.code, e.message, e.ref);
    }
  }

  /** Writes a conversation's state (cursor, head, read) and tells listeners, once per frame. */
  private conversationChanged(id: string): void {
    const c = this.convs.get(id);
    if (!c) return;
    this.opts.store.putConversation(c.conv, c.cursor);
    this.emit('conversation', this.view(c.conv));
  }

  private onMsg(m: Message): void {
    const c = this.convs.get(m.conv);
    if (!c) return; // a conversation we are not in (any more)
    if (m.seq <= c.cursor) return; // already have it
    const store = this.opts.store;
    let fresh = false;
    let gap = false;
    store.transaction(() => {
      fresh = store.putMessage(m);
      // Advance over this and anything after it that is already cached (sent ahead of a replay).
      while (store.hasMessage(m.conv, c.cursor + 1)) c.cursor++;
      gap = c.cursor < m.seq;
      if (m.seq > c.conv.head) c.conv = { ...c.conv, head: m.seq };
      if (m.author === this.me?.id && m.seq > c.conv.read) c.conv = { ...c.conv, read: m.seq };
    });
    if (fresh) {
      const u = this.unreadCache.get(m.conv);
      const root = threadOf(m.body);
      let counts = !HIDDEN_KINDS.has(m.body.kind) && !NOTICE_KINDS.has(m.body.kind) && m.author !== this.me?.id && m.seq > c.conv.read;
      // A reply counts only in a thread I am in (as ClientStore.unread counts).
      if (counts && root !== undefined) counts = store.threadParticipants(m.conv, root).has(this.me?.id ?? '');
      if (u && u.read === c.conv.read && counts) u.count++;
      this.emit('message', m);
    }
    this.frameTouched.add(m.conv);
    // A gap: keep what we got and ask the relay to replay what is missing (once at a time).
    if (gap && !this.syncInFlight) this.requestSync();
  }

  private onReset(conv: string, reason: string, head: number): void {
    const c = this.convs.get(conv);
    if (!c) return;
    this.opts.log?.(`reset of ${conv} (${reason}); loading the latest page`);
    this.opts.store.resetConversation(conv, head);
    this.unreadCache.delete(conv);
    c.cursor = head;
    c.conv = { ...c.conv, head, read: Math.min(c.conv.read, head) };
    this.opts.store.putConversation(c.conv, c.cursor);
    this.emit('reset', conv, reason);
    void this.history(conv, head + 1)
      .then(() => this.emit('conversation', this.view(c.conv)))
      .catch((err) => this.opts.log?.(`could not reload ${conv}: ${(err as Error).message}`));
  }

  private onError(code: string, message: string, ref?: string): string | undefined {
    if (ref !== undefined && this.requests.has(ref)) {
      const p = this.requests.get(ref)!;
      this.requests.delete(ref);
      clearTimeout(p.timer);
      p.reject(new RelayError(code, message));
      return undefined;
    }
    if (ref !== undefined) {
      const entry = this.opts.store.outboxEntry(ref);
      if (entry) {
        this.inFlight.delete(ref);
        this.uploadWaiters.get(ref)?.reject(new RelayError(code, message));
        if (RETRYABLE.has(code)) {
          this.scheduleResend();
        } else {
          this.opts.store.setOutboxState(ref, 'failed', `${code}: ${message}`);
          this.emit('outbox', { id: ref, conv: entry.conv, state: 'failed', error: message });
        }
        return undefined;
      }
    }
    this.opts.log?.(`relay error ${code}: ${message}`);
    this.emit('error', code, message);
    return FATAL_ERRORS.has(code) ? message : undefined;
  }

  private upsertConv(conv: Conversation, fromWelcome: boolean): void {
    const existing = this.convs.get(conv.id);
    // A conversation new to us: from the welcome, what is past our read marker is replayed (it is
    // unread); one we just joined or opened starts at its head. Older history is paged on demand.
    const cursor = existing ? existing.cursor : fromWelcome ? Math.min(conv.read, conv.head) : conv.head;
    const head = Math.max(conv.head, existing?.conv.head ?? 0);
    // Markers never pass the head (see the `read` event).
    const merged: Conversation = { ...conv, head, read: Math.min(Math.max(conv.read, existing?.conv.read ?? 0), head) };
    if (conv.seen) merged.seen = Object.fromEntries(Object.entries(conv.seen).map(([u, s]) => [u, Math.min(s, head)]));
    this.convs.set(conv.id, { conv: merged, cursor });
    this.opts.store.putConversation(merged, cursor);
    if (!fromWelcome || !existing) this.emit('conversation', this.view(merged));
  }

  private requestSync(): void {
    const cursors: Record<string, number> = {};
    for (const [id, c] of this.convs) cursors[id] = c.cursor;
    this.syncInFlight = true;
    this.request({ t: 'sync', ...(this.epoch ? { epoch: this.epoch } : {}), cursors }, 120_000)
      .catch((err) => this.opts.log?.(`sync failed: ${(err as Error).message}`))
      .finally(() => (this.syncInFlight = false));
  }

  /** Queues an outbox entry for the wire; entries go out in order, paced under the rate limit. */
  private transmit(entry: OutboxEntry): void {
    if (this._state !== 'connected' || !this.ws || entry.state !== 'queued') return;
    if (this.inFlight.get(entry.id) === this.ws || this.queued.has(entry.id)) return;
    this.queued.add(entry.id);
    this.sendQueue.push(entry);
    void this.pump();
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.sendQueue.length && this._state === 'connected' && this.ws) {
        await this.gate.take();
        const ws = this.ws;
        const entry = this.sendQueue.shift();
        if (entry) this.queued.delete(entry.id);
        if (!entry || !ws || this._state !== 'connected') break;
        if (this.opts.store.outboxState(entry.id) !== 'queued') continue; // acked or discarded meanwhile
        this.inFlight.set(entry.id, ws);
        if (entry.kind === 'send') {
          // A relay that does not know a kind would refuse the frame and close the connection
          // (and the resend after reconnecting would do it again): fail it here instead.
          if (!this.relayKinds.has(entry.body.kind)) {
            this.inFlight.delete(entry.id);
            const error = `this relay (${this.relayVersion}) does not support ${entry.body.kind} messages yet; update the relay`;
            this.opts.store.setOutboxState(entry.id, 'failed', `unsupported: ${error}`);
            this.emit('outbox', { id: entry.id, conv: entry.conv, state: 'failed', error });
            continue;
          }
          this.sendFrame({ t: 'send', id: entry.id, conv: entry.conv, body: entry.body });
          continue;
        }
        void this.upload(entry, ws).catch((err) => {
          if (this.inFlight.get(entry.id) === ws) this.inFlight.delete(entry.id);
          this.opts.log?.(`upload of ${entry.body.name} interrupted: ${(err as Error).message}; it stays queued`);
        });
      }
    } finally {
      this.pumping = false;
    }
  }

  private async upload(entry: Extract<OutboxEntry, { kind: 'upload' }>, ws: WebSocket): Promise<void> {
    const bytes = this.opts.store.outboxFile(entry.id);
    if (!bytes) throw new Error('file bytes missing from the outbox');
    const ready = new Promise<number>((resolve, reject) => this.uploadWaiters.set(entry.id, { resolve, reject }));
    let next: number;
    try {
      this.sendFrame({ t: 'upload', id: entry.id, conv: entry.conv, ...entry.body });
      next = await ready;
    } finally {
      this.uploadWaiters.delete(entry.id);
    }
    if (next < 0) return; // the relay already had it (acked as a duplicate)
    const size = this._limits.chunkBytes;
    const count = Math.ceil(bytes.length / size);
    for (let i = next; i < count; i++) {
      if (this.ws !== ws || ws.readyState !== WebSocket.OPEN) throw new Error('connection lost');
      await this.gate.take();
      const chunk = bytes.subarray(i * size, Math.min(bytes.length, (i + 1) * size));
      ws.send(JSON.stringify({ t: 'chunk', id: entry.id, index: i, data: chunk.toString('base64') }));
      this.emit('upload', entry.id, Math.min(bytes.length, (i + 1) * size), bytes.length);
      while (ws.readyState === WebSocket.OPEN && ws.bufferedAmount > 2 * size) await new Promise((r) => setTimeout(r, 5));
    }
  }

  /** Forgets what belonged to the connection that just ended: in-flight marks, uploads, requests. */
  private dropConnectionState(reason: string): void {
    this.inFlight.clear();
    this.sendQueue = [];
    this.queued.clear();
    this.syncInFlight = false;
    for (const w of this.uploadWaiters.values()) w.reject(new RelayError('offline', reason));
    this.uploadWaiters.clear();
    this.failRequests(reason);
  }

  private scheduleResend(): void {
    if (this.resendTimer) return;
    this.resendTimer = setTimeout(() => {
      this.resendTimer = undefined;
      this.transmitQueued();
    }, 1000);
  }

  /** Puts every queued (not failed) outbox entry on the wire, oldest first. */
  private transmitQueued(): void {
    for (const entry of this.opts.store.outbox()) if (entry.state === 'queued') this.transmit(entry);
  }

  private request(frame: Record<string, unknown>, timeoutMs = this.opts.requestTimeoutMs ?? 15_000): Promise<RelayEvent> {
    if (this._state !== 'connected' || !this.ws) return Promise.reject(new RelayError('offline', 'not connected to the relay'));
    const rid = newRequestId();
    return new Promise<RelayEvent>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.requests.delete(rid);
        reject(new RelayError('timeout', `the relay did not answer ${String(frame.t)} in time`));
      }, timeoutMs);
      this.requests.set(rid, { resolve, reject, timer });
      this.sendFrame({ ...frame, rid });
    });
  }

  private settle(rid: string, e: RelayEvent): void {
    const p = this.requests.get(rid);
    if (!p) return;
    this.requests.delete(rid);
    clearTimeout(p.timer);
    p.resolve(e);
  }

  private failRequests(reason: string): void {
    for (const [rid, p] of this.requests) {
      clearTimeout(p.timer);
      p.reject(new RelayError('offline', reason));
      this.requests.delete(rid);
    }
  }

  private sendFrame(frame: Record<string, unknown>): void {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  private armDeadTimer(): void {
    if (this.deadTimer) clearTimeout(this.deadTimer);
    const ws = this.ws;
    this.deadTimer = setTimeout(() => {
      this.opts.log?.('no frame or ping from the relay; reconnecting');
      ws?.terminate();
    }, (this.opts.heartbeatMs ?? 30_000) * 2.5);
    this.deadTimer.unref?.();
  }

  private clearTimers(): void {
    for (const t of [this.retryTimer, this.deadTimer, this.resendTimer]) if (t) clearTimeout(t);
    this.retryTimer = this.deadTimer = this.resendTimer = undefined;
  }

  private setState(state: ConnectionState, detail?: string): void {
    if (this._state === state && detail === undefined) return;
    this._state = state;
    this.emit('state', state, detail);
  }

  /**
   * A conversation with its unread count. The count is computed from the cache once per read
   * marker and then kept up to date as messages arrive (a COUNT per incoming message would cost
   * O(unread) each time in a busy room nobody reads).
   */
  private view(conv: Conversation): ConversationState {
    const cached = this.unreadCache.get(conv.id);
    if (cached && cached.read === conv.read) return { ...conv, unread: cached.count };
    const count = this.opts.store.unread(conv.id, conv.read, this.me?.id ?? '');
    this.unreadCache.set(conv.id, { read: conv.read, count });
    return { ...conv, unread: count };
  }
}

function isFatalClose(code: number): boolean {
  return (
    code === CloseCode.unsupportedVersion ||
    code === CloseCode.badSecret ||
    code === CloseCode.nameTaken ||
    code === CloseCode.badName ||
    code === CloseCode.badSignature ||
    code === CloseCode.badCode ||
    code === CloseCode.deviceRemoved ||
    code === CloseCode.removed
  );
}
