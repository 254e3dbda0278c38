import { DEFAULT_LIMITS, type Limits } from '../protocol/constants';
import type { ReplyTo, RequestFields, RequestFrame, RequestType } from '../protocol/requests';
import type { Device, FileBody, Member, Message, RelayEvent, RoomSummary, SearchHit, SendBody, TeamRole, WelcomeEvent } from '../protocol/wire';
import { ClientCache } from './cacheUpdates';
import { RelayConnection } from './clientConnection';
import type { CachedMessage, ClientStore, MessageScope, OutboxEntry } from './clientStore';
import type { ClientEvents, ClientOptions, ConnectionState, ConversationState, Emit } from './clientTypes';
import { Emitter } from '../infra/emitter';
import { describeFile, FileTransfer } from './fileTransfer';
import { newMessageId } from './ids';
import { OutboxPump } from './outboxPump';
import { PendingRequests } from './pendingRequests';
import { RateGate } from './rateGate';
import { relayEventHandlers, type RelayEventHandlers } from './relayEvents';
import { SignIn } from './signIn';

export { RelayError } from './clientTypes';
export type { ClientOptions, ConnectionState, ConversationState, DeliveryState, OutboxUpdate } from './clientTypes';

/**
 * The client side of the protocol, as the extension host and the tests use it. The work is done
 * by its parts: the connection state machine (clientConnection), the sign-in (signIn), the outbox
 * pump (outboxPump), requests by rid (pendingRequests), files (fileTransfer) and what the relay's
 * events do to the local cache (cacheUpdates, dispatched by relayEvents). Plain Node.
 */
export class ParleyClient extends Emitter<ClientEvents> {
  private readonly connection: RelayConnection;
  private readonly signIn: SignIn;
  private readonly cache: ClientCache;
  private readonly requests: PendingRequests;
  private readonly files: FileTransfer;
  private readonly pump: OutboxPump;
  private readonly handlers: RelayEventHandlers;
  private _limits: Limits = DEFAULT_LIMITS;
  /** A relay from before the welcome's kinds list knows no `prefs` frame either. */
  private relayHasPrefs = false;
  private syncInFlight = false;

  constructor(private readonly opts: ClientOptions) {
    super();
    const emit: Emit = (event, ...args) => this.emit(event, ...args);
    const log = (line: string): void => void opts.log?.(line);
    const gate = new RateGate();
    this.signIn = new SignIn(opts);
    this.cache = new ClientCache(opts.store, emit, log);
    this.connection = new RelayConnection(opts, emit, {
      frame: (events) => this.onFrame(events),
      dropped: (reason) => this.dropConnectionState(reason),
      lost: () => this.cache.allOffline(),
    });
    const connection = this.connection;
    const sendRequest = (frame: RequestFrame) => {
      if (!connection.ready) return false;
      connection.send(frame);
      return true;
    };
    this.requests = new PendingRequests(sendRequest, opts.requestTimeoutMs ?? 15_000);
    this.files = new FileTransfer(
      opts.store,
      gate,
      this.requests,
      () => this._limits.chunkBytes,
      () => connection.socket,
      emit,
    );
    this.pump = new OutboxPump(opts.store, this.connection, this.files, gate, emit, log);
    this.handlers = relayEventHandlers({
      cache: this.cache,
      pump: this.pump,
      files: this.files,
      requests: this.requests,
      connection,
      emit,
      log,
      challenge: (nonce, legacy) => connection.send(this.signIn.hello(nonce, legacy, connection.fingerprint)),
      welcome: (e) => this.onWelcome(e),
      gap: () => {
        if (!this.syncInFlight) this.requestSync();
      },
      reload: (conv, head) => this.reload(conv, head),
    });
  }

  get state(): ConnectionState {
    return this.connection.state;
  }

  get self(): { id: string; name: string } | undefined {
    return this.cache.self;
  }

  /** The relay's address this client connects to. */
  get relayUrl(): string {
    return this.opts.url;
  }

  get limits(): Limits {
    return this._limits;
  }

  get store(): ClientStore {
    return this.opts.store;
  }

  /** This connection's device id (after sign-in). */
  get deviceId(): string | undefined {
    return this.signIn.device;
  }

  members(): Member[] {
    return this.cache.members();
  }

  /** A member's role in the team (`member` when the relay gave none). */
  roleOf(user: string): TeamRole {
    return this.cache.roleOf(user);
  }

  conversations(): ConversationState[] {
    return this.cache.conversations();
  }

  conversation(id: string): ConversationState | undefined {
    return this.cache.conversation(id);
  }

  cursor(conv: string): number | undefined {
    return this.cache.cursor(conv);
  }

  messages(conv: string, opts?: { before?: number; from?: number; limit?: number; scope?: MessageScope }): CachedMessage[] {
    return this.opts.store.messages(conv, opts);
  }

  outbox(): OutboxEntry[] {
    return this.opts.store.outbox();
  }

  start(): void {
    this.connection.start();
  }

  /** Closes the connection and stops reconnecting. The cache and outbox stay. */
  stop(): void {
    this.connection.stop();
  }

  /** Reconnects now, skipping any backoff wait (the "Reconnect" command). */
  reconnect(): void {
    this.connection.reconnect();
  }

  // ---- sending ----

  /** Puts a message in the persistent outbox and sends it when connected. */
  send(conv: string, body: SendBody): OutboxEntry {
    const entry: OutboxEntry = { id: newMessageId(), conv, kind: 'send', body, created: Date.now(), state: 'queued' };
    this.pump.add(entry);
    return entry;
  }

  /** Queues a file; it is uploaded in chunks when connected. Throws when it is over the relay's cap. */
  sendFile(conv: string, name: string, bytes: Uint8Array, opts: { mime?: string; note?: string; thread?: number } = {}): OutboxEntry {
    const body = describeFile(name, bytes, this._limits.maxFileBytes, opts);
    const entry: OutboxEntry = { id: newMessageId(), conv, kind: 'upload', body, created: Date.now(), state: 'queued' };
    this.pump.add(entry, bytes);
    return entry;
  }

  /** Sends a failed message again. */
  retry(id: string): void {
    this.pump.retry(id);
  }

  /** Drops a message from the outbox (a failed one the user gave up on). */
  discard(id: string): void {
    this.pump.discard(id);
  }

  /** Starts or stops sharing my read markers with the other members. */
  setShareRead(on: boolean): void {
    this.opts.shareRead = on;
    if (this.relayHasPrefs) this.connection.send({ t: 'prefs', shareRead: on });
  }

  setPresence(state: 'online' | 'away'): void {
    this.connection.send({ t: 'presence', state });
  }

  typing(conv: string): void {
    this.connection.send({ t: 'typing', conv });
  }

  /** Moves the read marker forward (never back) and tells the user's other windows. */
  markRead(conv: string, seq: number): void {
    const read = this.cache.markRead(conv, seq);
    if (read !== undefined) this.connection.send({ t: 'read', conv, seq: read });
  }

  // ---- requests ----

  async history(conv: string, before?: number): Promise<{ messages: Message[]; more: boolean }> {
    const lowest = before ?? this.opts.store.lowestSeq(conv);
    const res = await this.request('history', { conv, ...(lowest !== undefined ? { before: lowest } : {}) });
    this.cache.history(conv, res.messages);
    return { messages: res.messages, more: res.more };
  }

  /** Full-text search on the relay over my conversations (or one), newest first. */
  async search(q: string, opts: { conv?: string; from?: string; limit?: number } = {}): Promise<{ hits: SearchHit[]; more: boolean }> {
    const res = await this.request('search', { q, ...opts });
    return { hits: res.hits, more: res.more };
  }

  async createRoom(name: string, topic?: string): Promise<ConversationState> {
    return this.cache.view((await this.request('room.create', { name, ...(topic ? { topic } : {}) })).conversation);
  }

  async joinRoom(conv: string): Promise<ConversationState> {
    return this.cache.view((await this.request('room.join', { conv })).conversation);
  }

  async leaveRoom(conv: string): Promise<void> {
    await this.request('room.leave', { conv });
  }

  async listRooms(): Promise<RoomSummary[]> {
    return (await this.request('room.list', {})).rooms;
  }

  async openDm(user: string): Promise<ConversationState> {
    return this.cache.view((await this.request('dm.open', { user })).conversation);
  }

  /** A one-time code (ten minutes) another machine can enter to sign in as this member. */
  async makeDeviceCode(): Promise<{ code: string; expires: number }> {
    const res = await this.request('device.code', {});
    return { code: res.code, expires: res.expires };
  }

  /** An invite that keeps `name` for the invitee until they join with it (once, seven days). */
  async makeNamedInvite(name: string): Promise<{ token: string; name: string; expires: number }> {
    const res = await this.request('invite.make', { name });
    return { token: res.token, name: res.name, expires: res.expires };
  }

  async listDevices(): Promise<Device[]> {
    return (await this.request('device.list', {})).devices;
  }

  /** Removes one of this member's devices; its connections are closed by the relay at once. */
  async removeDevice(device: string): Promise<Device[]> {
    return (await this.request('device.remove', { device })).devices;
  }

  /** Removes a member from the team (admins): their windows close with the reason, their key is refused from then on. */
  async removeMember(user: string): Promise<Member> {
    return (await this.request('member.remove', { user })).member;
  }

  /** Gives a member a role (owners). */
  async setRole(user: string, role: TeamRole): Promise<Member> {
    return (await this.request('member.role', { user, role })).member;
  }

  /** Replaces the team secret (admins); resolves with the new one (also emitted as `secret`). */
  async rotateSecret(): Promise<string> {
    return (await this.request('secret.rotate', {})).secret;
  }

  /** Downloads a file in chunks and checks its size and sha256. */
  fetchFile(body: FileBody): Promise<Buffer> {
    return this.files.fetch(body);
  }

  // ---- what the relay sends ----

  private request<T extends RequestType>(t: T, fields: RequestFields<T>, timeoutMs?: number): Promise<ReplyTo<T>> {
    return this.requests.request(t, fields, timeoutMs);
  }

  /** One relay frame, in one transaction (one fsync): a replay frame carries hundreds of messages. */
  private onFrame(events: RelayEvent[]): string | undefined {
    let refused: string | undefined;
    this.opts.store.transaction(() => {
      for (const e of events) {
        try {
          if ('rid' in e && e.rid !== undefined) this.requests.settle(e.rid, e);
          const handle = this.handlers[e.t] as (e: RelayEvent) => string | undefined;
          refused = handle(e) || refused;
        } catch (err) {
          this.opts.log?.(`error handling ${e.t}: ${(err as Error).stack ?? err}`);
        }
      }
      this.cache.endFrame();
    });
    return refused;
  }

  private onWelcome(e: WelcomeEvent): void {
    this.emit('signedIn', this.signIn.welcomed(e.device));
    this._limits = e.limits;
    this.pump.configure(e);
    this.relayHasPrefs = e.kinds !== undefined;
    this.cache.welcome(e);
    const localReads = this.cache.readMarkers();
    this.connection.welcomed();
    if (this.relayHasPrefs) this.connection.send({ t: 'prefs', shareRead: this.opts.shareRead !== false });
    this.requestSync();
    // Read markers moved while offline reach the relay (and so the user's other windows).
    for (const c of e.conversations) {
      const local = localReads.get(c.id) ?? 0;
      if (local > c.read) this.connection.send({ t: 'read', conv: c.id, seq: Math.min(local, c.head) });
    }
    this.pump.transmitQueued();
    this.emit('ready');
  }

  private requestSync(): void {
    const epoch = this.cache.storeEpoch;
    this.syncInFlight = true;
    this.request('sync', { ...(epoch ? { epoch } : {}), cursors: this.cache.cursors() }, 120_000)
      .catch((err) => this.opts.log?.(`sync failed: ${(err as Error).message}`))
      .finally(() => (this.syncInFlight = false));
  }

  private reload(conv: string, head: number): void {
    void this.history(conv, head + 1)
      .then(() => {
        const c = this.cache.conversation(conv);
        if (c) this.emit('conversation', c);
      })
      .catch((err) => this.opts.log?.(`could not reload ${conv}: ${(err as Error).message}`));
  }

  /** Forgets what belonged to the connection that just ended: in-flight marks, uploads, requests. */
  private dropConnectionState(reason: string): void {
    this.pump.dropConnection();
    this.syncInFlight = false;
    this.files.dropAll(reason);
    this.requests.failAll(reason);
  }
}
