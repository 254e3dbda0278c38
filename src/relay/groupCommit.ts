import { ErrorCode } from '../protocol/constants';
import type { AdminBody } from '../protocol/wire';
import type { AuthedConnection } from './connection';
import type { Hub } from './hub';
import { newId } from './ids';
import type { AppendItem, Store } from './store';

// The group commit: every message queued in one tick is stored in one transaction, then acked
// (only after it committed) and handed to the hub to fan out. SQLite costs about 1 ms per
// commit with fsync and little more for hundreds of rows in one, so batching is what lets the
// relay ack thousands of messages a second (DESIGN.md, "Delivery rules" and "Performance").

/**
 * Bytes of message bodies stored in one commit at most (and a quarter of the queue cap at most);
 * the rest goes in the next one.
 */
const COMMIT_MAX_BYTES = 2 * 1024 * 1024;
/** How long after a commit the search index catches up (batched out of the ack path). */
const SEARCH_INDEX_DELAY_MS = 1000;
/** Messages indexed per slice (a few milliseconds of work). */
const SEARCH_INDEX_SLICE = 250;

interface Pending {
  item: AppendItem;
  conn: AuthedConnection;
  /** A notice the relay writes (team administration): no ack, and its author need not be a member. */
  notice?: boolean;
}

export interface GroupCommitOptions {
  store: Store;
  hub: Hub;
  /** Bytes one connection may have queued (a commit fans out a quarter of it at most). */
  maxQueuedBytes: number;
  /** Keep at most this many messages per conversation (0 or undefined: keep all). */
  retain?: number;
  /** Counted as messages are stored. */
  stats: { stored: number; commits: number };
  log(line: string): void;
}

export class GroupCommit {
  private pending: Pending[] = [];
  private commitScheduled = false;
  private indexTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly commitMaxBytes: number;

  constructor(private readonly opts: GroupCommitOptions) {
    this.commitMaxBytes = Math.min(COMMIT_MAX_BYTES, opts.maxQueuedBytes / 4);
  }

  /** True while a commit waits to run (the intake then lets acks go before costly requests). */
  get scheduled(): boolean {
    return this.commitScheduled;
  }

  /** Queues a member's message for this tick's commit; `conn` gets the ack or the refusal. */
  enqueue(item: AppendItem, conn: AuthedConnection, notice = false): void {
    this.pending.push({ item, conn, ...(notice ? { notice } : {}) });
    if (!this.commitScheduled) {
      this.commitScheduled = true;
      setImmediate(() => this.commit());
    }
  }

  /** Stores `body` in `conv` as a notice by the member of `conn`, in the conversation's sequence, and fans it out (no ack). */
  notice(conn: AuthedConnection, conv: string, body: AdminBody): void {
    this.enqueue({ conv, author: conn.user.id, id: newId('n'), ts: Date.now(), body }, conn, true);
  }

  /** Commits everything still queued, and stops indexing (the relay is closing). */
  stop(): void {
    this.stopped = true;
    while (this.pending.length > 0) this.commit();
    if (this.indexTimer) clearTimeout(this.indexTimer);
    this.indexTimer = undefined;
  }

  /** Stores everything received since the last commit in one transaction, then acks and fans out. */
  private commit(): void {
    this.commitScheduled = false;
    if (this.pending.length === 0) return;
    const batch = this.admitted(this.take());
    if (batch.length === 0) return;
    let results;
    try {
      results = this.opts.store.appendBatch(batch.map((p) => p.item));
    } catch (err) {
      this.opts.log(`commit of ${batch.length} messages failed: ${(err as Error).message}`);
      for (const p of batch) p.conn.error(ErrorCode.internal, 'the relay could not store the message; resend it', p.item.id);
      return;
    }
    this.opts.stats.commits++;
    this.scheduleIndexing();
    const pruned = new Set<string>();
    results.forEach((r, i) => {
      const { conn, item, notice } = batch[i];
      if (!r.ok) {
        if (notice) this.opts.log(`a notice in ${item.conv} could not be stored: ${r.message}`);
        else conn.error(r.code, r.message, item.id);
        return;
      }
      const m = r.message;
      if (!notice) conn.send({ t: 'ack', id: m.id, conv: m.conv, seq: m.seq, ts: m.ts, ...(r.dup ? { dup: true } : {}) });
      if (r.dup) return;
      this.opts.stats.stored++;
      const state = this.opts.hub.convs.get(m.conv);
      if (!state) return;
      this.opts.hub.committed(m);
      const retain = this.opts.retain;
      if (retain && state.rec.head - state.rec.floor + 1 > retain * 1.1) pruned.add(m.conv);
    });
    for (const conv of pruned) this.prune(conv);
  }

  /**
   * One commit stores COMMIT_MAX_BYTES at most, so what it fans out to any one member stays well
   * under their queue cap; the rest is the next commit's, a turn later.
   */
  private take(): Pending[] {
    let take = 0;
    for (let bytes = 0; take < this.pending.length && (take === 0 || bytes < this.commitMaxBytes); take++) bytes += itemBytes(this.pending[take].item);
    const items = this.pending.slice(0, take);
    this.pending = this.pending.slice(take);
    if (this.pending.length > 0) {
      this.commitScheduled = true;
      setImmediate(() => this.commit());
    }
    return items;
  }

  /** Membership may have changed since a frame was queued (a leave in the same tick). */
  private admitted(items: Pending[]): Pending[] {
    const batch: Pending[] = [];
    for (const p of items) {
      if (p.notice || this.opts.hub.convs.get(p.item.conv)?.members.has(p.item.author)) batch.push(p);
      else p.conn.error(ErrorCode.notMember, `not a member of ${p.item.conv}`, p.item.id);
    }
    return batch;
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
        done = this.opts.store.indexPending(SEARCH_INDEX_SLICE);
      } catch (err) {
        this.opts.log(`search indexing failed (it is retried after the next commit): ${(err as Error).message}`);
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
    const state = this.opts.hub.convs.get(conv);
    const retain = this.opts.retain;
    if (!state || !retain) return;
    try {
      this.opts.store.prune(conv, retain);
      state.rec.floor = Math.max(state.rec.floor, state.rec.head - retain + 1);
    } catch (err) {
      this.opts.log(`pruning ${conv} failed: ${(err as Error).message}`);
    }
  }
}

/** About how many bytes a message to store weighs (its text, or its file's bytes). */
function itemBytes(item: AppendItem): number {
  const b = item.body;
  let n = 200;
  if (b.kind === 'text' || b.kind === 'edit') n += b.text.length;
  else if (b.kind === 'snippet') n += b.code.length + (b.note?.length ?? 0);
  for (const c of item.chunks ?? []) n += c.length;
  return n;
}
