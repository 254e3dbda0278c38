import type { Connection } from './connection';

/** Frames of one connection handled in one turn of the event loop at most. */
const FRAMES_PER_TURN = 64;
/** Bytes of frames of one connection handled in one turn at most (one full frame always passes). */
const BYTES_PER_TURN = 1024 * 1024;
/** Frames waiting from one connection above this many bytes pause its socket (TCP backpressure). */
const PAUSE_BYTES = 2 * 1024 * 1024;
/** How often connections that wait for their reader are looked at again. */
const POLL_MS = 5;

/** A connection's frames that arrived but are not handled yet. */
export class Inbox {
  readonly frames: (string | null)[] = [];
  bytes = 0;
  paused = false;
  /** The intake turn the counters below belong to. */
  turn = -1;
  used = 0;
  usedBytes = 0;
  /** A costly request was handled this turn: the rest waits for the next one. */
  ended = false;
  /** When this connection started waiting for its reader to catch up (0: not waiting). */
  blockedSince = 0;
}

export interface IntakeOptions {
  /**
   * Handles one frame (`null` for a binary one). Returns true when it was a request whose answer
   * can be large (history, a file chunk, search, the room list, a sync): the connection's turn
   * ends there, so its answer is written out before the next one is computed.
   */
  handle(conn: Connection, text: string | null): boolean;
  /** Whether the connection may have its next frame handled now (its reader keeps up). */
  ready(conn: Connection): boolean;
  /**
   * True while the relay has work that acks messages (a commit) waiting: frames queued behind
   * costly requests wait one more turn, so a flood of requests never delays anyone's acks.
   */
  committing(): boolean;
  /** Called when a connection's waiting frames have all been handled. */
  idle(conn: Connection): void;
  /** How long a connection may wait for `ready` before it is cut off as a slow consumer. */
  readyDeadlineMs: number;
  onStuck(conn: Connection): void;
}

/**
 * Inbound frames, handled fairly. `ws` delivers every frame of one TCP read in the same tick, so
 * a member who writes 300 requests at once would otherwise have all 300 answered (and queued)
 * before anyone else is served. Here each connection gets a bounded share of every turn, a costly
 * request ends its share, a connection whose reader has fallen behind waits until it catches up,
 * and one with too much waiting has its socket paused so the kernel pushes back on the sender.
 * A connection that sends one frame at a time (every well-behaved client) is handled at once,
 * in the tick its frame arrived.
 */
export class Intake {
  private turn = 0;
  private readonly waiting = new Set<Connection>();
  private turnScheduled = false;
  private poll: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly opts: IntakeOptions) {}

  receive(conn: Connection, text: string | null): void {
    const box = conn.inbox;
    box.frames.push(text);
    box.bytes += text?.length ?? 0;
    if (box.bytes > PAUSE_BYTES && !box.paused) {
      box.paused = true;
      conn.ws.pause();
    }
    if (box.frames.length === 1) this.serve(conn);
    else this.waiting.add(conn);
    this.nextTurn();
  }

  /** Forgets a closed connection. */
  drop(conn: Connection): void {
    this.waiting.delete(conn);
    conn.inbox.frames.length = 0;
    conn.inbox.bytes = 0;
  }

  stop(): void {
    this.stopped = true;
    if (this.poll) clearTimeout(this.poll);
    this.poll = undefined;
    this.waiting.clear();
  }

  /** Handles what `conn`'s share of this turn allows. */
  private serve(conn: Connection): void {
    const box = conn.inbox;
    if (box.turn !== this.turn) {
      box.turn = this.turn;
      box.used = 0;
      box.usedBytes = 0;
      box.ended = false;
    }
    while (box.frames.length > 0 && !conn.closed && !box.ended && box.used < FRAMES_PER_TURN && box.usedBytes < BYTES_PER_TURN) {
      if (!this.opts.ready(conn)) {
        if (box.blockedSince === 0) box.blockedSince = Date.now();
        else if (Date.now() - box.blockedSince > this.opts.readyDeadlineMs) this.opts.onStuck(conn);
        break;
      }
      box.blockedSince = 0;
      // (The loop runs only while frames wait: shift() has one.)
      const text = box.frames.shift() ?? null;
      const size = text?.length ?? 0;
      box.bytes -= size;
      box.used++;
      box.usedBytes += size;
      if (this.opts.handle(conn, text)) box.ended = true;
    }
    if (conn.closed) return this.drop(conn);
    if (box.paused && box.bytes < PAUSE_BYTES / 2) {
      box.paused = false;
      conn.ws.resume();
    }
    if (box.frames.length > 0) this.waiting.add(conn);
    else if (this.waiting.delete(conn) || box.used > 0) this.opts.idle(conn);
  }

  /** Starts a new turn after this one: at once when someone can go on, else after a short wait. */
  private nextTurn(): void {
    if (this.turnScheduled || this.stopped) return;
    this.turnScheduled = true;
    setImmediate(() => {
      this.turnScheduled = false;
      if (this.opts.committing() && this.waiting.size > 0) return this.nextTurn();
      this.turn++;
      this.pump();
    });
  }

  private pump(): void {
    if (this.stopped || this.waiting.size === 0) return;
    let progressed = false;
    for (const conn of [...this.waiting]) {
      const before = conn.inbox.frames.length;
      this.serve(conn);
      if (conn.inbox.frames.length !== before) progressed = true;
    }
    if (this.waiting.size === 0) return;
    if (progressed) return this.nextTurn();
    // Everyone left waits for their reader: look again shortly instead of spinning.
    if (!this.poll) {
      this.poll = setTimeout(() => {
        this.poll = undefined;
        this.turn++;
        this.pump();
      }, POLL_MS);
    }
  }
}
