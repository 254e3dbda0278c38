import { unreadableBody } from './bodyCheck';
import { CacheReads } from './clientCacheReads';
import { CACHE_MIGRATIONS, cacheLegacyVersion } from './clientSchema';
import { openExclusive, readMeta, writeMeta } from '../infra/sqliteFile';
import { migrate } from '../infra/sqliteMigrations';
import { threadOf, type Body, type Conversation, type FileMeta, type Member, type Message, type SendBody } from '../protocol/wire';

export type { CachedMessage, MessageScope, ThreadSummary } from './clientCacheReads';

// The client's local cache: conversations with their cursors, the messages seen so far (so a view
// can show history at once and offline) and the outbox of unacked messages (which must survive a
// restart of the process). One SQLite file (schema: clientSchema.ts); every relay frame is applied
// in one transaction. This file holds the writes and the outbox; the queries are in
// clientCacheReads.ts.

type Row = Record<string, unknown>;

/** A file waiting in the outbox: the upload frame's description of it (its bytes are kept beside it). */
export type OutboxFile = FileMeta;

export type OutboxEntry =
  | { id: string; conv: string; kind: 'send'; body: SendBody; created: number; state: 'queued' | 'failed'; error?: string }
  | { id: string; conv: string; kind: 'upload'; body: OutboxFile; created: number; state: 'queued' | 'failed'; error?: string };

export interface CachedConversation {
  conv: Conversation;
  /** Highest seq received with nothing missing before it (since the last reset). */
  cursor: number;
}

export class ClientStore extends CacheReads {
  private readonly releaseOwner: () => void;

  constructor(readonly file: string) {
    const opened = openExclusive(file, '');
    super(opened.db);
    this.releaseOwner = opened.release;
    try {
      migrate(this.db, file, 'cache', CACHE_MIGRATIONS, cacheLegacyVersion);
    } catch (err) {
      this.db.close();
      this.releaseOwner();
      throw err;
    }
  }

  get(k: string): string | undefined {
    return readMeta(this.db, k);
  }

  set(k: string, v: string): void {
    writeMeta(this.db, k, v);
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
    const r = this.stmt(
      'INSERT OR IGNORE INTO messages (conv, seq, id, author, ts, kind, body, target, deleted, thread) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
    ).run([m.conv, m.seq, m.id, m.author, m.ts, b.kind, JSON.stringify(b), target, b.kind === 'deleted' ? 1 : 0, thread]);
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
      for (const e of this.stmt('SELECT seq, body FROM messages INDEXED BY messages_by_target WHERE conv = ? AND target = ? AND author = ? ORDER BY seq').all([
        m.conv,
        m.seq,
        m.author,
      ]) as Row[]) {
        this.applyEvent(m.conv, m.seq, m.author, Number(e.seq), JSON.parse(String(e.body)) as Body);
      }
    }
    return true;
  }

  /** Applies an edit (only if newer than the last applied) or a delete to its target. */
  private applyEvent(conv: string, target: number, author: string, seq: number, b: Body): void {
    if (b.kind === 'delete') {
      this.db.run(`UPDATE messages SET deleted = 1, body = '{"kind":"deleted"}', edited = NULL WHERE conv = ? AND seq = ? AND author = ?`, [
        conv,
        target,
        author,
      ]);
    } else if (b.kind === 'edit') {
      this.db.run(
        'UPDATE messages SET edited = ?, edited_seq = ? WHERE conv = ? AND seq = ? AND author = ? AND deleted = 0 AND (edited_seq IS NULL OR edited_seq < ?)',
        [b.text, seq, conv, target, author, seq],
      );
    }
  }

  // ---- outbox ----

  /** The outbox, oldest first; only one conversation's entries with `conv`. */
  outbox(conv?: string): OutboxEntry[] {
    const where = conv === undefined ? '' : 'WHERE conv = ?';
    return (
      this.db.all(`SELECT id, conv, kind, body, created, state, error FROM outbox ${where} ORDER BY created, rowid`, conv === undefined ? [] : [conv]) as Row[]
    )
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

  close(): void {
    if (!this.db.isOpen) return;
    for (const st of this.prepared.values()) st.finalize();
    this.prepared.clear();
    this.db.close();
    this.releaseOwner();
  }
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
