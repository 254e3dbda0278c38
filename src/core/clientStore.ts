import type { Database, Statement } from 'node-sqlite3-wasm';
import { applyReaction, type Reaction } from './reactions';
import { unreadableBody } from './bodyCheck';
import { openExclusive } from './sqliteFile';
import { HIDDEN_KINDS, NOTICE_KINDS, threadOf, type Body, type Conversation, type FileMeta, type Member, type Message, type SendBody } from '../protocol/wire';

// The client's local cache: conversations with their cursors, the messages seen so far (so a view
// can show history at once and offline) and the outbox of unacked messages (which must survive a
// restart of the process). One SQLite file; every relay frame is applied in one transaction.

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS convs (id TEXT PRIMARY KEY, json TEXT NOT NULL, cursor INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS messages (
  conv TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, author TEXT NOT NULL, ts INTEGER NOT NULL,
  kind TEXT NOT NULL, body TEXT NOT NULL, target INTEGER, edited TEXT, edited_seq INTEGER, deleted INTEGER NOT NULL DEFAULT 0,
  thread INTEGER, PRIMARY KEY (conv, seq));
DROP INDEX IF EXISTS messages_target;
CREATE INDEX IF NOT EXISTS messages_by_target ON messages (conv, target, author);
CREATE TABLE IF NOT EXISTS reactions (
  conv TEXT NOT NULL, target INTEGER NOT NULL, user TEXT NOT NULL, emoji TEXT NOT NULL, seq INTEGER NOT NULL, active INTEGER NOT NULL,
  PRIMARY KEY (conv, target, user, emoji));
CREATE TABLE IF NOT EXISTS pins (
  conv TEXT NOT NULL, target INTEGER NOT NULL, user TEXT NOT NULL, ts INTEGER NOT NULL, seq INTEGER NOT NULL, active INTEGER NOT NULL,
  PRIMARY KEY (conv, target));
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY, conv TEXT NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, created INTEGER NOT NULL,
  state TEXT NOT NULL, error TEXT, file BLOB);
`;

type Row = Record<string, unknown>;

/** A file waiting in the outbox: the upload frame's description of it (its bytes are kept beside it). */
export type OutboxFile = FileMeta;

export type OutboxEntry =
  | { id: string; conv: string; kind: 'send'; body: SendBody; created: number; state: 'queued' | 'failed'; error?: string }
  | { id: string; conv: string; kind: 'upload'; body: OutboxFile; created: number; state: 'queued' | 'failed'; error?: string };

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

export interface CachedConversation {
  conv: Conversation;
  /** Highest seq received with nothing missing before it (since the last reset). */
  cursor: number;
}

export class ClientStore {
  private readonly db: Database;
  private readonly prepared = new Map<string, Statement>();
  private readonly releaseOwner: () => void;

  constructor(readonly file: string) {
    const opened = openExclusive(file, SCHEMA);
    this.db = opened.db;
    this.releaseOwner = opened.release;
    // Caches made before threads existed lack the column (and hold no replies).
    const cols = this.db.all('PRAGMA table_info(messages)') as Row[];
    if (!cols.some((c) => c.name === 'thread')) this.db.exec('ALTER TABLE messages ADD COLUMN thread INTEGER');
    this.db.exec('CREATE INDEX IF NOT EXISTS messages_by_thread ON messages (conv, thread)');
  }

  get(k: string): string | undefined {
    const r = this.db.get('SELECT v FROM meta WHERE k = ?', k) as Row | null;
    return r ? String(r.v) : undefined;
  }

  set(k: string, v: string): void {
    this.db.run('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)', [k, v]);
  }

  members(): Member[] {
    const raw = this.get('members');
    return raw ? (JSON.parse(raw) as Member[]) : [];
  }

  conversations(): Map<string, CachedConversation> {
    const out = new Map<string, CachedConversation>();
    for (const r of this.db.all('SELECT json, cursor FROM convs') as Row[]) {
      const conv = JSON.parse(String(r.json)) as Conversation;
      out.set(conv.id, { conv, cursor: Number(r.cursor) });
    }
    return out;
  }

  putConversation(conv: Conversation, cursor: number): void {
    this.stmt('INSERT OR REPLACE INTO convs (id, json, cursor) VALUES (?, ?, ?)').run([conv.id, JSON.stringify(conv), cursor]);
  }

  removeConversation(id: string): void {
    this.transaction(() => {
      this.db.run('DELETE FROM convs WHERE id = ?', id);
      this.db.run('DELETE FROM messages WHERE conv = ?', id);
      this.db.run('DELETE FROM reactions WHERE conv = ?', id);
      this.db.run('DELETE FROM pins WHERE conv = ?', id);
    });
  }

  /** Forgets a conversation's cached messages (after a reset) and sets its cursor. */
  resetConversation(id: string, cursor: number): void {
    this.transaction(() => {
      this.db.run('DELETE FROM messages WHERE conv = ?', id);
      this.db.run('DELETE FROM reactions WHERE conv = ?', id);
      this.db.run('DELETE FROM pins WHERE conv = ?', id);
      this.db.run('UPDATE convs SET cursor = ? WHERE id = ?', [cursor, id]);
    });
  }

  /** Forgets everything the relay told us (a new epoch); the outbox stays. */
  clearAll(): void {
    this.transaction(() => {
      this.db.run('DELETE FROM convs');
      this.db.run('DELETE FROM messages');
      this.db.run('DELETE FROM reactions');
      this.db.run('DELETE FROM pins');
      this.db.run("DELETE FROM meta WHERE k <> 'identity'");
    });
  }

  /** Stores a message (a repeat is ignored) and applies an edit or delete to its target. */
  putMessage(m: Message): boolean {
    const b = m.body;
    // Never store what could not be shown again (reads check too, for files written before this).
    const why = unreadableBody(b);
    if (why !== undefined) throw new Error(`not caching message ${m.conv}/${m.seq}: ${why}`);
    const target = b.kind === 'edit' || b.kind === 'delete' ? b.target : null;
    const thread = threadOf(b) ?? null;
    const r = this.stmt('INSERT OR IGNORE INTO messages (conv, seq, id, author, ts, kind, body, target, deleted, thread) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run([
      m.conv,
      m.seq,
      m.id,
      m.author,
      m.ts,
      b.kind,
      JSON.stringify(b),
      target,
      b.kind === 'deleted' ? 1 : 0,
      thread,
    ]);
    if (r.changes === 0) return false;
    if (b.kind === 'react') {
      // Keyed by (target, user, emoji) and decided by seq, so the order events arrive in (live,
      // replayed, paged back) does not matter and the target need not be cached yet.
      this.stmt(
        'INSERT INTO reactions (conv, target, user, emoji, seq, active) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (conv, target, user, emoji) DO UPDATE SET seq = excluded.seq, active = excluded.active WHERE excluded.seq > reactions.seq',
      ).run([m.conv, b.target, m.author, b.emoji, m.seq, b.on ? 1 : 0]);
    } else if (b.kind === 'pin') {
      // Like reactions: the newest event per target decides, whatever the arrival order.
      this.stmt(
        'INSERT INTO pins (conv, target, user, ts, seq, active) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (conv, target) DO UPDATE SET user = excluded.user, ts = excluded.ts, seq = excluded.seq, active = excluded.active WHERE excluded.seq > pins.seq',
      ).run([m.conv, b.target, m.author, m.ts, m.seq, b.on ? 1 : 0]);
    } else if (b.kind === 'edit' || b.kind === 'delete') this.applyEvent(m.conv, b.target, m.author, m.seq, b);
    else {
      // A message loaded after its edit or delete events (history paging): apply those now.
      for (const e of this.stmt('SELECT seq, body FROM messages INDEXED BY messages_by_target WHERE conv = ? AND target = ? AND author = ? ORDER BY seq').all([m.conv, m.seq, m.author]) as Row[]) {
        this.applyEvent(m.conv, m.seq, m.author, Number(e.seq), JSON.parse(String(e.body)) as Body);
      }
    }
    return true;
  }

  /** Applies an edit (only if newer than the last applied) or a delete to its target. */
  private applyEvent(conv: string, target: number, author: string, seq: number, b: Body): void {
    if (b.kind === 'delete') {
      this.db.run(`UPDATE messages SET deleted = 1, body = '{"kind":"deleted"}', edited = NULL WHERE conv = ? AND seq = ? AND author = ?`, [conv, target, author]);
    } else if (b.kind === 'edit') {
      this.db.run('UPDATE messages SET edited = ?, edited_seq = ? WHERE conv = ? AND seq = ? AND author = ? AND deleted = 0 AND (edited_seq IS NULL OR edited_seq < ?)', [
        b.text,
        seq,
        conv,
        target,
        author,
        seq,
      ]);
    }
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
    const args: unknown[] = [conv, opts.before ?? Number.MAX_SAFE_INTEGER, opts.from ?? 0, ...(typeof scope === 'object' ? [scope.thread, scope.thread] : []), opts.limit ?? 200];
    const rows = this.db.all(
      `SELECT conv, seq, id, author, ts, body, edited, deleted FROM messages WHERE conv = ? AND seq < ? AND seq >= ? ${where} ${opts.events ? '' : `AND kind NOT IN (${HIDDEN_SQL})`} ORDER BY seq DESC LIMIT ?`,
      args as (string | number)[],
    ) as Row[];
    const out = rows.reverse().map(toCached);
    if (out.length) {
      const bySeq = new Map(out.map((m) => [m.seq, m]));
      const lo = out[0].seq;
      const hi = out[out.length - 1].seq;
      const reacts = this.stmt('SELECT target, user, emoji FROM reactions WHERE conv = ? AND target BETWEEN ? AND ? AND active = 1 ORDER BY seq').all([conv, lo, hi]) as Row[];
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

  // ---- outbox ----

  /** The outbox, oldest first; only one conversation's entries with `conv`. */
  outbox(conv?: string): OutboxEntry[] {
    const where = conv === undefined ? '' : 'WHERE conv = ?';
    return (this.db.all(`SELECT id, conv, kind, body, created, state, error FROM outbox ${where} ORDER BY created, rowid`, conv === undefined ? [] : [conv]) as Row[])
      .map(toEntry)
      .filter((e): e is OutboxEntry => e !== undefined);
  }

  /** One outbox entry by id (a primary-key lookup; the outbox can be long). */
  outboxEntry(id: string): OutboxEntry | undefined {
    const r = this.db.get('SELECT id, conv, kind, body, created, state, error FROM outbox WHERE id = ?', id) as Row | null;
    return r ? toEntry(r) : undefined;
  }

  /** The state of an outbox entry, or undefined when it is gone (acked or discarded). */
  outboxState(id: string): 'queued' | 'failed' | undefined {
    const r = this.db.get('SELECT state FROM outbox WHERE id = ?', id) as Row | null;
    return r ? (r.state === 'failed' ? 'failed' : 'queued') : undefined;
  }

  addOutbox(entry: OutboxEntry, file?: Uint8Array): void {
    this.db.run('INSERT INTO outbox (id, conv, kind, body, created, state, error, file) VALUES (?, ?, ?, ?, ?, ?, ?, ?)', [
      entry.id,
      entry.conv,
      entry.kind,
      JSON.stringify(entry.body),
      entry.created,
      entry.state,
      entry.error ?? null,
      file ?? null,
    ]);
  }

  outboxFile(id: string): Buffer | undefined {
    const r = this.db.get('SELECT file FROM outbox WHERE id = ?', id) as Row | null;
    return r && r.file !== null ? Buffer.from(r.file as Uint8Array) : undefined;
  }

  setOutboxState(id: string, state: 'queued' | 'failed', error?: string): void {
    this.db.run('UPDATE outbox SET state = ?, error = ? WHERE id = ?', [state, error ?? null, id]);
  }

  removeOutbox(id: string): boolean {
    return this.db.run('DELETE FROM outbox WHERE id = ?', id).changes > 0;
  }

  transaction<T>(fn: () => T): T {
    if (this.db.inTransaction) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const out = fn();
      this.db.exec('COMMIT');
      return out;
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** A prepared statement for a hot path (replay writes thousands of messages a second), kept until close. */
  private stmt(sql: string): Statement {
    let st = this.prepared.get(sql);
    if (!st) this.prepared.set(sql, (st = this.db.prepare(sql)));
    return st;
  }

  close(): void {
    if (!this.db.isOpen) return;
    for (const st of this.prepared.values()) st.finalize();
    this.prepared.clear();
    this.db.close();
    this.releaseOwner();
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

function toEntry(r: Row): OutboxEntry | undefined {
  // An outbox row whose body does not parse (a damaged file) can never be sent: it is left out.
  let parsed: unknown;
  try {
    parsed = JSON.parse(String(r.body));
  } catch {
    parsed = undefined;
  }
  const o = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : undefined;
  if (!o || (r.kind === 'upload' ? typeof o.name !== 'string' || typeof o.size !== 'number' : unreadableBody(o) !== undefined)) return undefined;
  const base = { id: String(r.id), conv: String(r.conv), created: Number(r.created), state: r.state === 'failed' ? ('failed' as const) : ('queued' as const) };
  const error = r.error !== null ? { error: String(r.error) } : {};
  return r.kind === 'upload'
    ? { ...base, ...error, kind: 'upload' as const, body: parsed as OutboxFile }
    : { ...base, ...error, kind: 'send' as const, body: parsed as SendBody };
}
