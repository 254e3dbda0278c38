import type { Database, Statement } from 'node-sqlite3-wasm';
import { unreadableBody } from './bodyCheck';
import { applyReaction, type Reaction } from './reactions';
import { HIDDEN_KINDS, NOTICE_KINDS, type Body, type Message } from '../protocol/wire';

// What the client cache answers: messages as a view shows them (edits, deletions, reactions, pins
// and thread summaries applied), unread counts, mentions. ClientStore (clientStore.ts) adds the
// writes and the outbox to these.

type Row = Record<string, unknown>;

/** A thread's replies as its root shows them. */
export interface ThreadSummary {
  count: number;
  /** Time of the newest reply. */
  lastTs: number;
  /** Who replied, the most recent first (at most 3). */
  users: string[];
}

/** A message as a view shows it: with later edits, deletions, reactions and replies applied. */
export interface CachedMessage extends Message {
  edited?: string;
  deleted?: boolean;
  reactions?: Reaction[];
  /** On a thread's root: its replies so far. */
  replies?: ThreadSummary;
  /** Pinned in its conversation: by whom, when. */
  pinned?: { by: string; ts: number };
  /** Why the stored body could not be read (it is then an `unsupported` placeholder). */
  unreadable?: string;
}

/** Which messages `messages()` lists: the conversation itself (default), one thread (root and replies), or both. */
export type MessageScope = 'main' | 'any' | { thread: number };

/** SQL list of the body kinds that are not messages to show ('edit', 'delete', …). */
const HIDDEN_SQL = [...HIDDEN_KINDS].map((k) => `'${k}'`).join(', ');
/** SQL list of the notice kinds ('topic', …): shown, but not unread. */
const NOTICE_SQL = [...NOTICE_KINDS].map((k) => `'${k}'`).join(', ');

export abstract class CacheReads {
  protected readonly prepared = new Map<string, Statement>();

  protected constructor(protected readonly db: Database) {}

  /** A prepared statement for a hot path (replay writes thousands of messages a second), kept until close. */
  protected stmt(sql: string): Statement {
    let st = this.prepared.get(sql);
    if (!st) this.prepared.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  hasMessage(conv: string, seq: number): boolean {
    return this.stmt('SELECT 1 AS x FROM messages WHERE conv = ? AND seq = ?').all([conv, seq]).length > 0;
  }

  /**
   * Cached messages of a conversation, ascending, the newest `limit` below `before` (and from
   * `from` on): by default
   * the conversation's own messages (thread replies are listed by their thread), with `scope`
   * one thread (its root and replies) or all of them.
   */
  messages(conv: string, opts: { before?: number; from?: number; limit?: number; events?: boolean; scope?: MessageScope } = {}): CachedMessage[] {
    const scope = opts.scope ?? 'main';
    const where = scope === 'main' ? 'AND thread IS NULL' : scope === 'any' ? '' : 'AND (seq = ? OR thread = ?)';
    const args: unknown[] = [
      conv,
      opts.before ?? Number.MAX_SAFE_INTEGER,
      opts.from ?? 0,
      ...(typeof scope === 'object' ? [scope.thread, scope.thread] : []),
      opts.limit ?? 200,
    ];
    const rows = this.db.all(
      `SELECT conv, seq, id, author, ts, body, edited, deleted FROM messages WHERE conv = ? AND seq < ? AND seq >= ? ${where} ${opts.events ? '' : `AND kind NOT IN (${HIDDEN_SQL})`} ORDER BY seq DESC LIMIT ?`,
      args as (string | number)[],
    ) as Row[];
    const out = rows.reverse().map(toCached);
    if (out.length) {
      const bySeq = new Map(out.map((m) => [m.seq, m]));
      const lo = out[0].seq;
      const hi = out[out.length - 1].seq;
      const reacts = this.stmt('SELECT target, user, emoji FROM reactions WHERE conv = ? AND target BETWEEN ? AND ? AND active = 1 ORDER BY seq').all([
        conv,
        lo,
        hi,
      ]) as Row[];
      for (const r of reacts) applyReaction(bySeq.get(Number(r.target)), String(r.user), String(r.emoji), true);
      for (const r of this.stmt('SELECT target, user, ts FROM pins WHERE conv = ? AND target BETWEEN ? AND ? AND active = 1').all([conv, lo, hi]) as Row[]) {
        const m = bySeq.get(Number(r.target));
        if (m && !m.deleted) m.pinned = { by: String(r.user), ts: Number(r.ts) };
      }
      for (const [root, summary] of this.threadSummaries(conv, lo, hi)) {
        const m = bySeq.get(root);
        if (m) m.replies = summary;
      }
    }
    return out;
  }

  /** Reply counts, last reply times and recent repliers of the threads rooted between `lo` and `hi`. */
  private threadSummaries(conv: string, lo: number, hi: number): Map<number, ThreadSummary> {
    const out = new Map<number, ThreadSummary>();
    const rows = this.stmt(
      `SELECT thread, author, COUNT(*) AS n, MAX(ts) AS ts FROM messages INDEXED BY messages_by_thread WHERE conv = ? AND thread BETWEEN ? AND ? AND kind NOT IN (${HIDDEN_SQL}) GROUP BY thread, author ORDER BY thread, MAX(seq) DESC`,
    ).all([conv, lo, hi]) as Row[];
    for (const r of rows) {
      const root = Number(r.thread);
      let s = out.get(root);
      if (!s) out.set(root, (s = { count: 0, lastTs: 0, users: [] }));
      s.count += Number(r.n);
      s.lastTs = Math.max(s.lastTs, Number(r.ts));
      if (s.users.length < 3) s.users.push(String(r.author));
    }
    return out;
  }

  /** The cached message at `seq` (a reply or not), with its edits, reactions and replies applied. */
  message(conv: string, seq: number): CachedMessage | undefined {
    const m = this.messages(conv, { before: seq + 1, limit: 1, scope: 'any' })[0];
    return m?.seq === seq ? m : undefined;
  }

  /**
   * The newest text messages by others that contain an '@' (as last edited), across all
   * conversations (or one, after a seq): what a Mentions list filters. At most `limit` are scanned.
   */
  textsWithAt(notBy: string, limit: number, within?: { conv: string; after: number }): CachedMessage[] {
    const rows = this.db.all(
      `SELECT conv, seq, id, author, ts, body, edited FROM messages WHERE kind = 'text' AND deleted = 0 AND author <> ? AND (instr(body, '@') > 0 OR instr(edited, '@') > 0)
       ${within ? 'AND conv = ? AND seq > ?' : ''} ORDER BY ts DESC, seq DESC LIMIT ?`,
      [notBy, ...(within ? [within.conv, within.after] : []), limit],
    ) as Row[];
    return rows.map(toCached);
  }

  /** The conversation's pinned messages that this cache holds (not deleted), most recently pinned first. */
  pinnedMessages(conv: string): CachedMessage[] {
    // One query (the snapshot asks on every refresh), not a message() per pin.
    const rows = this.stmt(
      'SELECT m.conv, m.seq, m.id, m.author, m.ts, m.body, m.edited, m.deleted, p.user AS pinned_by, p.ts AS pinned_ts FROM pins p JOIN messages m ON m.conv = p.conv AND m.seq = p.target WHERE p.conv = ? AND p.active = 1 AND m.deleted = 0 ORDER BY p.seq DESC',
    ).all([conv]) as Row[];
    return rows.map((r) => ({ ...toCached(r), pinned: { by: String(r.pinned_by), ts: Number(r.pinned_ts) } }));
  }

  /**
   * Replies after `read` by others in the threads `me` is in (started or replied to), per root,
   * among the roots from `lo` to `hi`.
   */
  unreadReplies(conv: string, read: number, me: string, lo: number, hi: number): Map<number, number> {
    const rows = this.stmt(
      `SELECT thread, COUNT(*) AS n FROM messages INDEXED BY messages_by_thread WHERE conv = ? AND thread BETWEEN ? AND ? AND seq > ? AND author <> ? AND kind NOT IN (${HIDDEN_SQL})
       AND (thread IN (SELECT seq FROM messages WHERE conv = ? AND seq BETWEEN ? AND ? AND author = ?)
            OR thread IN (SELECT thread FROM messages INDEXED BY messages_by_thread WHERE conv = ? AND thread BETWEEN ? AND ? AND author = ?))
       GROUP BY thread`,
    ).all([conv, lo, hi, read, me, conv, lo, hi, me, conv, lo, hi, me]) as Row[];
    return new Map(rows.map((r) => [Number(r.thread), Number(r.n)]));
  }

  /** Who is in a thread: its root's author and everyone who replied. */
  threadParticipants(conv: string, root: number): Set<string> {
    const rows = this.stmt('SELECT DISTINCT author FROM messages WHERE conv = ? AND (seq = ? OR thread = ?)').all([conv, root, root]) as Row[];
    return new Set(rows.map((r) => String(r.author)));
  }

  /** Time of the newest cached message of each conversation. */
  lastTimes(): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.db.all('SELECT conv, MAX(ts) AS ts FROM messages GROUP BY conv') as Row[]) out.set(String(r.conv), Number(r.ts));
    return out;
  }

  lowestSeq(conv: string): number | undefined {
    const r = this.db.get('SELECT MIN(seq) AS s FROM messages WHERE conv = ?', conv) as Row | null;
    return r && r.s !== null ? Number(r.s) : undefined;
  }

  /**
   * Messages after `read` that others wrote (edits and deletions don't count); thread replies
   * count only in threads `me` is in (started or replied to).
   */
  unread(conv: string, read: number, me: string): number {
    const r = this.stmt(
      `SELECT COUNT(*) AS n FROM messages WHERE conv = ? AND seq > ? AND author <> ? AND kind NOT IN (${HIDDEN_SQL}, ${NOTICE_SQL})
       AND (thread IS NULL OR thread IN (SELECT seq FROM messages WHERE conv = ? AND author = ? AND thread IS NULL AND seq > 0
                                         UNION SELECT thread FROM messages INDEXED BY messages_by_thread WHERE conv = ? AND thread IS NOT NULL AND author = ?))`,
    ).all([conv, read, me, conv, me, conv, me]) as Row[];
    return Number(r[0].n);
  }
}

/** A cached message from its row (`edited` and `deleted` when the query selects them). */
function toCached(r: Row): CachedMessage {
  let body: unknown;
  try {
    body = JSON.parse(String(r.body));
  } catch {
    body = undefined;
  }
  const why = unreadableBody(body);
  const m: CachedMessage = {
    conv: String(r.conv),
    seq: Number(r.seq),
    id: String(r.id),
    author: String(r.author),
    ts: Number(r.ts),
    body: why === undefined ? (body as Body) : { kind: 'unsupported', was: 'unreadable' },
  };
  if (why !== undefined) m.unreadable = why;
  if (r.edited !== null && r.edited !== undefined) m.edited = String(r.edited);
  if (Number(r.deleted) === 1) m.deleted = true;
  return m;
}
