import type { WebSocket } from 'ws';
import type { ErrorCode } from '../protocol/constants';
import type { FileMeta, RelayEvent } from '../protocol/wire';
import { encode, type EventJson } from './events';
import type { UserRecord } from './store';
import { TokenBucket } from './rateLimiter';
import { Inbox } from './intake';

/**
 * Events queued for one connection are written out as soon as they pass this many bytes, so
 * what a connection holds is always counted in its socket's backlog and no frame grows large.
 */
const FLUSH_BYTES = 256 * 1024;

/** A file being received: what its `upload` frame described, and the chunks so far. */
export interface Upload extends FileMeta {
  id: string;
  conv: string;
  count: number;
  chunks: Buffer[];
  timer?: NodeJS.Timeout;
}

/** An event held back until a connection's replays are done (see Connection.held). */
export interface HeldEvent {
  json: EventJson;
  conv?: string;
  seq?: number;
}

export interface ConnectionLimits {
  ratePerSecond: number;
  rateBurst: number;
  /** Bytes queued to this connection (ours plus the socket's) above which it is cut off. */
  maxQueuedBytes: number;
}

/**
 * One client connection. Outgoing events are queued as pre-serialized JSON and written as one
 * array frame per flush, so everything bound for this connection within a tick costs one write.
 */
export class Connection {
  user: UserRecord | undefined;
  /** The device this connection signed in with (set with `user`). */
  device: string | undefined;
  /** The nonce of this connection's challenge; used up by the first hello. */
  nonce: string | undefined;
  /** Whether the upgrade request carried the team secret (only new members need it). */
  secretOk = false;
  presence: 'online' | 'away' = 'online';
  alive = true;
  closed = false;
  /**
   * Conversation events are held here from the handshake until the connection's replays are
   * done (its first `sync`, and any later one), then released in order: so a client never sees a
   * live seq before the replay that precedes it. Held bytes count against the queue cap.
   */
  held: HeldEvent[] | undefined = [];
  private heldBytes = 0;
  /** Syncs run one after another on a connection. */
  syncChain: Promise<void> = Promise.resolve();
  syncsPending = 0;
  /** A sync finished: what is held goes out once no other sync is pending or waiting. */
  releaseDue = false;
  /** Highest seq per conversation the finished replays sent, until the held events go out. */
  replayed = new Map<string, number>();
  readonly uploads = new Map<string, Upload>();
  /** Frame-rate bucket: this connection's until `hello`, then shared by all of its member's connections. */
  bucket: TokenBucket;
  /** Takes this connection's socket out of the not-yet-a-member count (see SocketGate). */
  leaveGate: () => void = () => undefined;
  readonly inbox = new Inbox();
  strikes = 0;
  private queue: EventJson[] = [];
  private queuedBytes = 0;

  constructor(
    readonly session: string,
    readonly ws: WebSocket,
    readonly remote: string,
    private readonly limits: ConnectionLimits,
    private readonly markDirty: (c: Connection) => void,
    private readonly onSlow: (c: Connection) => void,
    private readonly onBroken: (c: Connection, err: unknown) => void,
  ) {
    this.bucket = new TokenBucket(limits.ratePerSecond, limits.rateBurst);
  }

  /**
   * Queues one serialized event. `droppable` events (presence, typing) are skipped when the
   * socket is backed up; anything else that would pass the cap cuts the connection off.
   */
  push(json: EventJson, opts: { droppable?: boolean; conv?: string; seq?: number } = {}): void {
    if (this.closed) return;
    if (this.held && opts.conv !== undefined) {
      this.heldBytes += json.length;
      if (this.heldBytes + this.backlog > this.limits.maxQueuedBytes) {
        this.onSlow(this);
        return;
      }
      this.held.push({ json, conv: opts.conv, seq: opts.seq });
      return;
    }
    // Everything bound for this connection counts: what its socket still holds and what this
    // tick queued (a tick's queue never passes FLUSH_BYTES before it goes to the socket).
    const backlog = this.ws.bufferedAmount + this.queuedBytes;
    if (opts.droppable && backlog > this.limits.maxQueuedBytes / 8) return;
    if (backlog + json.length > this.limits.maxQueuedBytes) {
      this.onSlow(this);
      return;
    }
    this.queue.push(json);
    this.queuedBytes += json.length;
    if (this.queuedBytes >= FLUSH_BYTES) this.flush();
    else if (this.queue.length === 1) this.markDirty(this);
  }

  /** The hello was accepted: this connection is `user`'s, signed in with `device`. */
  signedIn(user: UserRecord, device: string): AuthedConnection {
    this.user = user;
    this.device = device;
    return this as AuthedConnection;
  }

  /** Serializes one event for this connection alone (a reply; fan-out serializes once and pushes). */
  send(ev: RelayEvent): void {
    if (!this.closed) this.push(encode(ev));
  }

  /** An `error` event; `ref` names the frame it answers (its `id` or `rid`). */
  error(code: ErrorCode, message: string, ref?: string): void {
    this.send({ t: 'error', code, message, ...(ref !== undefined ? { ref } : {}) });
  }

  /** Sends an error and closes this connection only. */
  fail(code: ErrorCode, message: string, closeCode: number): void {
    this.error(code, message);
    this.close(closeCode, code);
  }

  /**
   * Writes the queue as one array frame. A failure to write is this connection's alone: it is
   * cut off and the error reported, never thrown to whoever was flushing (fan-out, shutdown).
   */
  flush(): void {
    if (this.queue.length === 0 || this.closed) return;
    const queue = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    try {
      this.ws.send('[' + queue.join(',') + ']');
    } catch (err) {
      this.closed = true;
      try {
        this.ws.terminate();
      } catch {
        // already gone
      }
      this.onBroken(this, err);
    }
  }

  /** Bytes bound for this connection and not yet read by it: queued here plus in its socket. */
  get backlog(): number {
    return this.queuedBytes + this.ws.bufferedAmount;
  }

  /** Stops holding: returns what was held, in order. */
  takeHeld(): HeldEvent[] {
    const held = this.held ?? [];
    this.held = undefined;
    this.heldBytes = 0;
    return held;
  }

  /**
   * Resolves once the socket has written out most of what it holds (used between replay pages).
   * A client that does not read within `deadlineMs` is cut off like any slow consumer.
   */
  async drained(lowWater: number, deadlineMs = 30_000): Promise<void> {
    this.flush();
    const until = Date.now() + deadlineMs;
    while (!this.closed && this.ws.bufferedAmount > lowWater) {
      if (Date.now() > until) {
        this.onSlow(this);
        return;
      }
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.ws.close(code, reason.slice(0, 120));
  }

  terminate(): void {
    this.closed = true;
    this.ws.terminate();
  }
}

/** A connection whose hello was accepted: its member and device are known from then on. */
export type AuthedConnection = Connection & { user: UserRecord; device: string };

export function isAuthed(c: Connection): c is AuthedConnection {
  return c.user !== undefined && c.device !== undefined;
}
