import { randomBytes } from 'node:crypto';
import type { Database, Statement } from 'node-sqlite3-wasm';
import { openExclusive } from '../core/sqliteFile';
import type { Body, Message, SearchHit } from '../protocol/wire';
import { decideAppend, DELETED_EDIT_TEXT, type Effect, type TargetView } from './rules';
import type { AppendItem, AppendResult, ConversationRecord, DeviceRecord, FileInfo, InviteRecord, RemovedRecord, ReservedName, SearchQuery, Store, UserRecord } from './store';
import { nameKey, UNICODE_DATA_VERSION } from '../protocol/names';
import { excerpt } from './searchText';

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, norm TEXT NOT NULL UNIQUE,
  key_hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS invites (
  hash TEXT PRIMARY KEY, name TEXT NOT NULL, maker TEXT NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS devices (
  id TEXT PRIMARY KEY, user TEXT NOT NULL, key TEXT NOT NULL UNIQUE, label TEXT NOT NULL,
  added INTEGER NOT NULL, seen INTEGER);
CREATE TABLE IF NOT EXISTS convs (
  id TEXT PRIMARY KEY, kind TEXT NOT NULL, name TEXT NOT NULL, topic TEXT,
  head INTEGER NOT NULL DEFAULT 0, floor INTEGER NOT NULL DEFAULT 1);
CREATE TABLE IF NOT EXISTS conv_members (conv TEXT NOT NULL, user TEXT NOT NULL, PRIMARY KEY (conv, user));
CREATE TABLE IF NOT EXISTS messages (
  conv TEXT NOT NULL, seq INTEGER NOT NULL, id TEXT NOT NULL, author TEXT NOT NULL,
  ts INTEGER NOT NULL, kind TEXT NOT NULL, body TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (conv, seq), UNIQUE (author, id));
CREATE TABLE IF NOT EXISTS reads (user TEXT NOT NULL, conv TEXT NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (user, conv));
CREATE INDEX IF NOT EXISTS reads_by_conv ON reads (conv);
CREATE TABLE IF NOT EXISTS files (id TEXT PRIMARY KEY, conv TEXT NOT NULL, size INTEGER NOT NULL, count INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS file_chunks (file TEXT NOT NULL, idx INTEGER NOT NULL, data BLOB NOT NULL, PRIMARY KEY (file, idx));
CREATE INDEX IF NOT EXISTS messages_edits ON messages (conv, json_extract(body, '$.target')) WHERE kind = 'edit';
CREATE TABLE IF NOT EXISTS team_roles (user TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('owner', 'admin')));
CREATE TABLE IF NOT EXISTS removed_members (user TEXT PRIMARY KEY, by TEXT NOT NULL, ts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS room_creators (conv TEXT PRIMARY KEY, user TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reserved_names (norm TEXT PRIMARY KEY, user TEXT NOT NULL, since INTEGER, name TEXT NOT NULL);
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
`;
// The search index holds the current words of each text, snippet and file message under the
// message's rowid (stable: this store never runs VACUUM). It is brought up to date in batches,
// not in the commit that acks a message (indexing there doubled the cost of a commit): meta
// 'search_upto' is the highest message rowid indexed, and indexPending() goes through the rows
// after it in insertion order — texts are added, edits replace their target's words, deletions
// remove them — so a crash only leaves work for the next call. Pruning removes rows at once.

type Row = Record<string, unknown>;

/**
 * The embedded store: SQLite compiled to WebAssembly, persisted to one file. It loads in VS Code's
 * extension host as well as in plain Node. Every commit is fsync'd (WAL, synchronous = FULL; see
 * openExclusive), so callers batch a tick's writes into one appendBatch (one commit) and ack after
 * it returns.
 */
export class SqliteStore implements Store {
  readonly epoch: string;
  readonly location: string;
  openingNotes: readonly string[] = [];
  private readonly db: Database;
  private readonly releaseOwner: () => void;
  private readonly heads = new Map<string, number>();
  private readonly stmts: Statement[] = [];
  private readonly findDup: Statement;
  private readonly insertMsg: Statement;
  private readonly setHead: Statement;
  private readonly passReadStmt: Statement;
  private readonly findTarget: Statement;
  private readonly markDeleted: Statement;
  private readonly selectAfter: Statement;
  private readonly selectAfterJson: Statement;
  private readonly selectBefore: Statement;
  private readonly rewriteText: Statement;
  private readonly rewriteEdits: Statement;
  private readonly selectBeforeSizes: Statement;
  private readonly selectBeforeJson: Statement;
  private readonly insertChunk: Statement;
  private readonly insertFile: Statement;
  private readonly reindexMsg: Statement;
  private readonly unindexMsg: Statement;
  private readonly pendingRows: Statement;
  private readonly indexRow: Statement;

  constructor(file: string) {
    this.location = file;
    const opened = openExclusive(file, SCHEMA);
    this.db = opened.db;
    this.releaseOwner = opened.release;
    try {
      const version = this.meta('schema');
      if (version === undefined) this.setMeta('schema', String(SCHEMA_VERSION));
      else if (Number(version) !== SCHEMA_VERSION) {
        throw new Error(`${file} has schema version ${version}; this relay understands ${SCHEMA_VERSION}`);
      }
      let epoch = this.meta('epoch');
      if (epoch === undefined) {
        epoch = randomBytes(8).toString('hex');
        this.setMeta('epoch', epoch);
      }
      this.epoch = epoch;
      // Columns added after the first release (an older file gets them with their default).
      if (!(this.db.all('PRAGMA table_info(users)') as Row[]).some((c) => c.name === 'share_read')) this.db.exec('ALTER TABLE users ADD COLUMN share_read INTEGER NOT NULL DEFAULT 1');
      if (!(this.db.all('PRAGMA table_info(convs)') as Row[]).some((c) => c.name === 'archived')) this.db.exec('ALTER TABLE convs ADD COLUMN archived INTEGER NOT NULL DEFAULT 0');
      // reads.seq is where a member's unread messages start (moved by their read frames, by joining
      // and by their own messages); reads.shown only by their read frames: what "seen by" shows.
      // Older files could not tell the two apart, so their markers show again once read again.
      if (!(this.db.all('PRAGMA table_info(reads)') as Row[]).some((c) => c.name === 'shown')) this.db.exec('ALTER TABLE reads ADD COLUMN shown INTEGER NOT NULL DEFAULT 0');
      for (const row of this.db.all('SELECT id, head FROM convs') as Row[]) this.heads.set(String(row.id), Number(row.head));
      this.recomputeNameKeys();
    } catch (err) {
      this.db.close();
      this.releaseOwner();
      throw err;
    }
    // Prepared statements are only ever run to completion (all/run): a statement left mid-step
    // keeps the file locked.
    this.findDup = this.prep('SELECT conv, seq, ts, body FROM messages WHERE author = ? AND id = ? LIMIT 1');
    this.insertMsg = this.prep('INSERT INTO messages (conv, seq, id, author, ts, kind, body) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.setHead = this.prep('UPDATE convs SET head = ? WHERE id = ?');
    this.passReadStmt = this.prep('INSERT INTO reads (user, conv, seq) VALUES (?, ?, ?) ON CONFLICT (user, conv) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > reads.seq');
    this.findTarget = this.prep("SELECT author, kind, deleted, json_extract(body, '$.file') AS file, json_extract(body, '$.thread') AS thread FROM messages WHERE conv = ? AND seq = ? LIMIT 1");
    this.rewriteText = this.prep(`UPDATE messages SET body = json_set(body, '$.text', ?) WHERE conv = ? AND seq = ? AND kind = 'text'`);
    this.rewriteEdits = this.prep(`UPDATE messages SET body = json_set(body, '$.text', ?) WHERE conv = ? AND kind = 'edit' AND json_extract(body, '$.target') = ?`);
    this.markDeleted = this.prep(`UPDATE messages SET deleted = 1, kind = 'deleted', body = '{"kind":"deleted"}' WHERE conv = ? AND seq = ?`);
    this.selectAfter = this.prep('SELECT conv, seq, id, author, ts, body FROM messages WHERE conv = ? AND seq > ? ORDER BY seq LIMIT ?');
    // Bodies are stored as JSON.stringify wrote them, so they go into the event as they are.
    this.selectAfterJson = this.prep(
      `SELECT seq, '{"t":"msg","m":{"conv":' || json_quote(conv) || ',"seq":' || seq || ',"id":' || json_quote(id) || ',"ts":' || ts || ',"author":' || json_quote(author) || ',"body":' || body || '}}' AS json FROM messages WHERE conv = ? AND seq > ? ORDER BY seq LIMIT ?`,
    );
    this.selectBefore = this.prep(
      'SELECT conv, seq, id, author, ts, body FROM messages WHERE conv = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
    );
    // A history page as the wire has it, built by SQLite from the stored JSON (as for replay).
    this.selectBeforeJson = this.prep(
      `SELECT seq, '{"conv":' || json_quote(conv) || ',"seq":' || seq || ',"id":' || json_quote(id) || ',"ts":' || ts || ',"author":' || json_quote(author) || ',"body":' || body || '}' AS json FROM messages WHERE conv = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
    );
    // A message's size in a reply: its body plus about what the other fields take.
    this.selectBeforeSizes = this.prep('SELECT length(body) + length(id) + length(author) + 80 AS size FROM messages WHERE conv = ? AND seq < ? ORDER BY seq DESC LIMIT ?');
    this.insertChunk = this.prep('INSERT OR REPLACE INTO file_chunks (file, idx, data) VALUES (?, ?, ?)');
    this.insertFile = this.prep('INSERT OR REPLACE INTO files (id, conv, size, count) VALUES (?, ?, ?, ?)');
    this.reindexMsg = this.prep('UPDATE search SET text = ? WHERE rowid = (SELECT rowid FROM messages WHERE conv = ? AND seq = ?)');
    this.unindexMsg = this.prep('DELETE FROM search WHERE rowid = (SELECT rowid FROM messages WHERE conv = ? AND seq = ?)');
    this.pendingRows = this.prep('SELECT rowid AS r, conv, kind, body FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?');
    this.indexRow = this.prep('INSERT OR REPLACE INTO search (rowid, text) VALUES (?, ?)');
    // A file from before edits kept only the current text: every edited message and its edits
    // take the newest edit's text now (edits of deleted messages lose theirs), once.
    if (this.meta('edits_current') === undefined) {
      this.transaction(() => {
        const latest = `(SELECT json_extract(e.body, '$.text') FROM messages e WHERE e.conv = m.conv AND e.kind = 'edit' AND json_extract(e.body, '$.target') = %T ORDER BY e.seq DESC LIMIT 1)`;
        this.db.exec(`UPDATE messages AS m SET body = json_set(m.body, '$.text', ${latest.replace('%T', 'm.seq')}) WHERE m.kind = 'text' AND ${latest.replace('%T', 'm.seq')} IS NOT NULL`);
        const target = "json_extract(m.body, '$.target')";
        const targetDeleted = `EXISTS (SELECT 1 FROM messages t WHERE t.conv = m.conv AND t.seq = ${target} AND t.deleted = 1)`;
        this.db.run(`UPDATE messages AS m SET body = json_set(m.body, '$.text', CASE WHEN ${targetDeleted} THEN ? ELSE ${latest.replace('%T', target)} END) WHERE m.kind = 'edit'`, [DELETED_EDIT_TEXT]);
        this.setMeta('edits_current', '1');
      });
    }
    // A file from before the index (or one whose index was dropped) is indexed from the start.
    if (this.meta('search_upto') === undefined) {
      this.db.exec('DELETE FROM search');
      this.setMeta('search_upto', '0');
    }
    this.indexPending();
  }

  /**
   * Brings the search index up to date with the messages stored so far (see the note at the
   * top), at most `maxRows` of them; true when nothing is left.
   */
  indexPending(maxRows = Number.MAX_SAFE_INTEGER): boolean {
    let upto = Number(this.meta('search_upto') ?? 0);
    for (let left = maxRows; left > 0; ) {
      const rows = this.pendingRows.all([upto, Math.min(left, 2000)]) as Row[];
      if (rows.length === 0) return true;
      left -= rows.length;
      this.transaction(() => {
        for (const row of rows) {
          const body = JSON.parse(String(row.body)) as Body;
          if (body.kind === 'edit') this.reindexMsg.run([body.text, String(row.conv), body.target]);
          else if (body.kind === 'delete') this.unindexMsg.run([String(row.conv), body.target]);
          else {
            const text = searchText(body);
            if (text !== undefined) this.indexRow.run([Number(row.r), text]);
          }
        }
        upto = Number(rows[rows.length - 1].r);
        this.setMeta('search_upto', String(upto));
      });
    }
    return (this.pendingRows.all([upto, 1]) as Row[]).length === 0;
  }

  private prep(sql: string): Statement {
    const stmt = this.db.prepare(sql);
    this.stmts.push(stmt);
    return stmt;
  }

  private meta(k: string): string | undefined {
    const row = this.db.get('SELECT v FROM meta WHERE k = ?', k) as Row | null;
    return row ? String(row.v) : undefined;
  }

  private setMeta(k: string, v: string): void {
    this.db.run('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)', [k, v]);
  }

  users(): UserRecord[] {
    return (this.db.all('SELECT id, name, norm, key_hash, created, share_read FROM users') as Row[]).map((r) => ({
      id: String(r.id),
      name: String(r.name),
      norm: String(r.norm),
      keyHash: String(r.key_hash),
      created: Number(r.created),
      shareRead: Number(r.share_read) !== 0,
    }));
  }

  createUser(u: UserRecord): void {
    this.db.run('INSERT INTO users (id, name, norm, key_hash, created) VALUES (?, ?, ?, ?, ?)', [u.id, u.name, u.norm, u.keyHash, u.created]);
  }

  renameUser(id: string, name: string, norm: string): void {
    this.db.run('UPDATE users SET name = ?, norm = ? WHERE id = ?', [name, norm, id]);
  }

  reservedNames(): ReservedName[] {
    return (this.db.all('SELECT norm, user, since, name FROM reserved_names') as Row[]).map((r) => ({ norm: String(r.norm), user: String(r.user), name: String(r.name), since: Number(r.since ?? 0) }));
  }

  reserveName(r: ReservedName): void {
    this.db.run('INSERT OR REPLACE INTO reserved_names (norm, user, since, name) VALUES (?, ?, ?, ?)', [r.norm, r.user, r.since, r.name]);
  }

  releaseName(norm: string): void {
    this.db.run('DELETE FROM reserved_names WHERE norm = ?', [norm]);
  }

  /**
   * Members' `norm` is nameKey(name). Files from before it held the lower-cased name, and a new
   * Unicode version can change keys, so when meta 'name_keys' is not this build's data version
   * every key is computed again in one transaction. Two members whose new keys are equal both stay
   * (they were members before): the earlier one keeps the key, the later one `<key> <id>`
   * and can go on signing in under that name, and an opening note says so. Reserved names whose
   * keys now equal a member's or an earlier reservation's are dropped.
   */
  private recomputeNameKeys(): void {
    const version = `${UNICODE_DATA_VERSION}/1`;
    if (this.meta('name_keys') === version) return;
    const notes: string[] = [];
    this.transaction(() => {
      const users = this.db.all('SELECT id, name, norm FROM users ORDER BY created, id') as Row[];
      const holder = new Map<string, string>();
      const next = users.map((u) => {
        const key = nameKey(String(u.name));
        const first = holder.get(key);
        if (first === undefined) {
          holder.set(key, String(u.name));
          return { id: String(u.id), norm: key };
        }
        notes.push(`members "${first}" and "${String(u.name)}" (${String(u.id)}) have names that pass for each other (key ${JSON.stringify(key)}); both keep their names, neither can be taken by a newcomer`);
        return { id: String(u.id), norm: `${key} ${String(u.id)}` };
      });
      // Through values no key can be (names hold no spaces), so no UPDATE meets a norm another row still holds.
      for (const u of next) this.db.run('UPDATE users SET norm = ? WHERE id = ?', [` ${u.id}`, u.id]);
      for (const u of next) this.db.run('UPDATE users SET norm = ? WHERE id = ?', [u.norm, u.id]);
      const reserved = this.db.all('SELECT norm, user, since, name FROM reserved_names ORDER BY since') as Row[];
      this.db.run('DELETE FROM reserved_names');
      for (const r of reserved) {
        const key = nameKey(String(r.name));
        if (holder.has(key)) continue;
        holder.set(key, String(r.name));
        this.db.run('INSERT INTO reserved_names (norm, user, since, name) VALUES (?, ?, ?, ?)', [key, String(r.user), Number(r.since ?? 0), String(r.name)]);
      }
      this.setMeta('name_keys', version);
    });
    this.openingNotes = notes;
  }

  retireLegacyKey(id: string): void {
    this.db.run("UPDATE users SET key_hash = 'retired:' || key_hash WHERE id = ? AND key_hash NOT LIKE 'retired:%' AND key_hash NOT LIKE 'none:%'", [id]);
  }

  invites(): InviteRecord[] {
    return (this.db.all('SELECT hash, name, maker, created, expires FROM invites') as Row[]).map((r) => ({
      hash: String(r.hash),
      name: String(r.name),
      maker: String(r.maker),
      created: Number(r.created),
      expires: Number(r.expires),
    }));
  }

  addInvite(i: InviteRecord): void {
    this.db.run('INSERT INTO invites (hash, name, maker, created, expires) VALUES (?, ?, ?, ?, ?)', [i.hash, i.name, i.maker, i.created, i.expires]);
  }

  removeInvite(hash: string): void {
    this.db.run('DELETE FROM invites WHERE hash = ?', [hash]);
  }

  devices(): DeviceRecord[] {
    return (this.db.all('SELECT id, user, key, label, added, seen FROM devices') as Row[]).map((r) => ({
      id: String(r.id),
      user: String(r.user),
      key: String(r.key),
      label: String(r.label),
      added: Number(r.added),
      ...(r.seen !== null ? { seen: Number(r.seen) } : {}),
    }));
  }

  addDevice(d: DeviceRecord, with_: { user?: UserRecord; retireLegacyOf?: string } = {}): void {
    this.transaction(() => {
      if (with_.user) this.createUser(with_.user);
      if (with_.retireLegacyOf) this.retireLegacyKey(with_.retireLegacyOf);
      this.db.run('INSERT INTO devices (id, user, key, label, added, seen) VALUES (?, ?, ?, ?, ?, ?)', [d.id, d.user, d.key, d.label, d.added, d.seen ?? null]);
    });
  }

  removeDevice(id: string): void {
    this.db.run('DELETE FROM devices WHERE id = ?', [id]);
  }

  deviceSeen(id: string, at: number): void {
    this.db.run('UPDATE devices SET seen = ? WHERE id = ?', [at, id]);
  }

  conversations(): ConversationRecord[] {
    const members = new Map<string, string[]>();
    for (const r of this.db.all('SELECT conv, user FROM conv_members ORDER BY rowid') as Row[]) {
      const list = members.get(String(r.conv)) ?? [];
      list.push(String(r.user));
      members.set(String(r.conv), list);
    }
    return (this.db.all('SELECT id, kind, name, topic, head, floor, archived FROM convs') as Row[]).map((r) => ({
      id: String(r.id),
      kind: r.kind === 'dm' ? 'dm' : 'room',
      name: String(r.name),
      ...(r.topic !== null ? { topic: String(r.topic) } : {}),
      members: members.get(String(r.id)) ?? [],
      head: Number(r.head),
      floor: Number(r.floor),
      ...(Number(r.archived) === 1 ? { archived: true } : {}),
    }));
  }

  createConversation(c: Omit<ConversationRecord, 'head' | 'floor' | 'archived'>): void {
    this.transaction(() => {
      this.db.run('INSERT INTO convs (id, kind, name, topic) VALUES (?, ?, ?, ?)', [c.id, c.kind, c.name, c.topic ?? null]);
      for (const m of c.members) this.db.run('INSERT OR IGNORE INTO conv_members (conv, user) VALUES (?, ?)', [c.id, m]);
    });
    this.heads.set(c.id, 0);
  }

  addMember(conv: string, user: string): void {
    this.db.run('INSERT OR IGNORE INTO conv_members (conv, user) VALUES (?, ?)', [conv, user]);
  }

  removeMember(conv: string, user: string): void {
    this.db.run('DELETE FROM conv_members WHERE conv = ? AND user = ?', [conv, user]);
  }

  appendBatch(items: AppendItem[]): AppendResult[] {
    const before = new Map(this.heads);
    const results: AppendResult[] = [];
    try {
      this.db.exec('BEGIN IMMEDIATE');
      const touched = new Set<string>();
      // An author has read up to what they sent (for their unread count; not shown to others).
      const authored = new Map<string, { user: string; conv: string; seq: number }>();
      for (const item of items) {
        const r = this.appendOne(item);
        if (r.ok && !r.dup) {
          touched.add(item.conv);
          authored.set(`${item.conv}\n${item.author}`, { user: item.author, conv: item.conv, seq: r.message.seq });
        }
        results.push(r);
      }
      for (const conv of touched) this.setHead.run([this.heads.get(conv) ?? 0, conv]);
      for (const a of authored.values()) this.passReadStmt.run([a.user, a.conv, a.seq]);
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      this.heads.clear();
      for (const [k, v] of before) this.heads.set(k, v);
      throw err;
    }
    return results;
  }

  private appendOne(item: AppendItem): AppendResult {
    const dup = (this.findDup.all([item.author, item.id]) as Row[])[0];
    if (dup) {
      return {
        ok: true,
        dup: true,
        message: { conv: String(dup.conv), seq: Number(dup.seq), id: item.id, ts: Number(dup.ts), author: item.author, body: JSON.parse(String(dup.body)) as Body },
      };
    }
    const head = this.heads.get(item.conv);
    if (head === undefined) return { ok: false, code: 'unknown_conversation', message: `no conversation ${item.conv}` };
    const body = item.body;
    const decided = decideAppend(item.conv, item.author, body, (seq) => this.target(item.conv, seq));
    if ('refused' in decided) return { ok: false, ...decided.refused };
    for (const e of decided.effects) this.apply(item.conv, e);
    if (body.kind === 'file' && item.chunks) {
      this.insertFile.run([body.file, item.conv, body.size, item.chunks.length]);
      item.chunks.forEach((c, i) => this.insertChunk.run([body.file, i, c]));
    }
    const seq = head + 1;
    this.insertMsg.run([item.conv, seq, item.id, item.author, item.ts, body.kind, JSON.stringify(body)]);
    this.heads.set(item.conv, seq);
    return { ok: true, dup: false, message: { conv: item.conv, seq, id: item.id, ts: item.ts, author: item.author, body } };
  }

  /** A stored message as the rules see it (src/relay/rules.ts). */
  private target(conv: string, seq: number): TargetView | undefined {
    const row = (this.findTarget.all([conv, seq]) as Row[])[0];
    if (!row) return undefined;
    return {
      kind: String(row.kind),
      author: String(row.author),
      deleted: Number(row.deleted) === 1,
      ...(row.thread !== null && row.thread !== undefined ? { thread: Number(row.thread) } : {}),
      ...(typeof row.file === 'string' ? { file: row.file } : {}),
    };
  }

  /** Carries out what the rules decided storing a message does. */
  private apply(conv: string, e: Effect): void {
    switch (e.t) {
      case 'topic':
        this.db.run('UPDATE convs SET topic = ? WHERE id = ?', [e.topic ?? null, conv]);
        return;
      case 'archived':
        this.db.run('UPDATE convs SET archived = ? WHERE id = ?', [e.on ? 1 : 0, conv]);
        return;
      case 'rewrite':
        this.rewriteText.run([e.text, conv, e.target]);
        this.rewriteEdits.run([e.text, conv, e.target]);
        return;
      case 'tombstone':
        // The seq stays, so every cache converges.
        this.markDeleted.run([conv, e.target]);
        this.rewriteEdits.run([e.editText, conv, e.target]);
        if (e.file !== undefined) {
          this.db.run('DELETE FROM file_chunks WHERE file = ?', e.file);
          this.db.run('DELETE FROM files WHERE id = ?', e.file);
        }
        return;
    }
  }

  findByClientId(author: string, id: string): Message | undefined {
    const r = (this.findDup.all([author, id]) as Row[])[0];
    return r ? { conv: String(r.conv), seq: Number(r.seq), id, ts: Number(r.ts), author, body: JSON.parse(String(r.body)) as Body } : undefined;
  }

  after(conv: string, after: number, limit: number): Message[] {
    return (this.selectAfter.all([conv, after, limit]) as Row[]).map(toMessage);
  }

  afterJson(conv: string, after: number, limit: number): { seq: number; json: string }[] {
    return (this.selectAfterJson.all([conv, after, limit]) as Row[]).map((r) => ({ seq: Number(r.seq), json: String(r.json) }));
  }

  before(conv: string, before: number, limit: number): Message[] {
    return (this.selectBefore.all([conv, before, limit]) as Row[]).map(toMessage).reverse();
  }

  beforeJson(conv: string, before: number, limit: number, maxBytes: number): { seq: number; json: string }[] {
    // The sizes first (SQLite reads them without handing the bodies over), then the rows that fit.
    let bytes = 0;
    let count = 0;
    for (const r of this.selectBeforeSizes.all([conv, before, limit]) as Row[]) {
      const size = Number(r.size);
      if (count > 0 && bytes + size > maxBytes) break;
      bytes += size;
      count++;
    }
    if (count === 0) return [];
    return (this.selectBeforeJson.all([conv, before, count]) as Row[]).map((r) => ({ seq: Number(r.seq), json: String(r.json) })).reverse();
  }

  prune(conv: string, keep: number): void {
    const head = this.heads.get(conv) ?? 0;
    const floor = Math.max(1, head - keep + 1);
    this.transaction(() => {
      this.db.run('DELETE FROM search WHERE rowid IN (SELECT rowid FROM messages WHERE conv = ? AND seq < ?)', [conv, floor]);
      this.db.run('DELETE FROM messages WHERE conv = ? AND seq < ?', [conv, floor]);
      this.db.run('UPDATE convs SET floor = MAX(floor, ?) WHERE id = ?', [floor, conv]);
      this.db.run('DELETE FROM file_chunks WHERE file IN (SELECT id FROM files WHERE conv = ? AND id NOT IN (SELECT json_extract(body, \'$.file\') FROM messages WHERE conv = ? AND kind = \'file\'))', [conv, conv]);
      this.db.run('DELETE FROM files WHERE conv = ? AND id NOT IN (SELECT json_extract(body, \'$.file\') FROM messages WHERE conv = ? AND kind = \'file\')', [conv, conv]);
    });
  }

  search(q: SearchQuery): SearchHit[] {
    this.indexPending();
    // Newest first by the index's own order (a message's rowid), so the scan stops at the limit
    // instead of sorting every match; excerpts are made for the rows returned only.
    const rows = this.db.all(
      `SELECT m.conv, m.seq, m.id, m.author, m.ts, m.kind, json_extract(m.body, '$.thread') AS thread, search.text AS text
       FROM search JOIN messages m ON m.rowid = search.rowid
       WHERE search MATCH ? AND m.conv IN (SELECT value FROM json_each(?)) ${q.from !== undefined ? 'AND m.author = ?' : ''}
       ORDER BY search.rowid DESC LIMIT ?`,
      [q.match, JSON.stringify(q.convs), ...(q.from !== undefined ? [q.from] : []), q.limit + 1],
    ) as Row[];
    return rows.map((r) => ({
      conv: String(r.conv),
      seq: Number(r.seq),
      id: String(r.id),
      author: String(r.author),
      ts: Number(r.ts),
      kind: String(r.kind),
      ...(r.thread !== null && r.thread !== undefined ? { thread: Number(r.thread) } : {}),
      text: excerpt(String(r.text), q),
    }));
  }

  setRead(user: string, conv: string, seq: number): boolean {
    // shown <= seq always, so a marker that moves `shown` never moves `seq` back.
    const r = this.db.run(
      'INSERT INTO reads (user, conv, seq, shown) VALUES (?, ?, ?, ?) ON CONFLICT (user, conv) DO UPDATE SET seq = max(reads.seq, excluded.seq), shown = excluded.shown WHERE excluded.shown > reads.shown',
      [user, conv, seq, seq],
    );
    return r.changes > 0;
  }

  passRead(user: string, conv: string, seq: number): void {
    this.passReadStmt.run([user, conv, seq]);
  }

  reads(user: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.db.all('SELECT conv, seq FROM reads WHERE user = ?', user) as Row[]) out.set(String(r.conv), Number(r.seq));
    return out;
  }

  convReads(conv: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.db.all('SELECT user, seq FROM reads WHERE conv = ?', conv) as Row[]) out.set(String(r.user), Number(r.seq));
    return out;
  }

  convSeen(conv: string): Map<string, number> {
    const out = new Map<string, number>();
    for (const r of this.db.all('SELECT user, shown FROM reads WHERE conv = ? AND shown > 0', conv) as Row[]) out.set(String(r.user), Number(r.shown));
    return out;
  }

  setShareRead(user: string, on: boolean): void {
    this.db.run('UPDATE users SET share_read = ? WHERE id = ?', [on ? 1 : 0, user]);
  }

  roles(): { user: string; role: 'owner' | 'admin' }[] {
    return (this.db.all('SELECT user, role FROM team_roles') as Row[]).map((r) => ({ user: String(r.user), role: r.role === 'owner' ? 'owner' : 'admin' }));
  }

  setRole(user: string, role: 'owner' | 'admin' | 'member'): void {
    if (role === 'member') this.db.run('DELETE FROM team_roles WHERE user = ?', [user]);
    else this.db.run('INSERT INTO team_roles (user, role) VALUES (?, ?) ON CONFLICT (user) DO UPDATE SET role = excluded.role', [user, role]);
  }

  removedMembers(): RemovedRecord[] {
    return (this.db.all('SELECT user, by, ts FROM removed_members') as Row[]).map((r) => ({ user: String(r.user), by: String(r.by), ts: Number(r.ts) }));
  }

  markRemoved(r: RemovedRecord, rooms: string[]): void {
    this.transaction(() => {
      this.db.run('INSERT OR REPLACE INTO removed_members (user, by, ts) VALUES (?, ?, ?)', [r.user, r.by, r.ts]);
      this.db.run('DELETE FROM team_roles WHERE user = ?', [r.user]);
      for (const conv of rooms) this.db.run('DELETE FROM conv_members WHERE conv = ? AND user = ?', [conv, r.user]);
    });
  }

  roomCreators(): Map<string, string> {
    return new Map((this.db.all('SELECT conv, user FROM room_creators') as Row[]).map((r) => [String(r.conv), String(r.user)]));
  }

  setRoomCreator(conv: string, user: string): void {
    this.db.run('INSERT OR REPLACE INTO room_creators (conv, user) VALUES (?, ?)', [conv, user]);
  }

  setting(key: string): string | undefined {
    return this.meta(`team.${key}`);
  }

  setSetting(key: string, value: string): void {
    this.setMeta(`team.${key}`, value);
  }

  fileInfo(file: string): FileInfo | undefined {
    const r = this.db.get('SELECT conv, size, count FROM files WHERE id = ?', file) as Row | null;
    return r ? { conv: String(r.conv), size: Number(r.size), count: Number(r.count) } : undefined;
  }

  fileChunk(file: string, index: number): Buffer | undefined {
    const r = this.db.get('SELECT data FROM file_chunks WHERE file = ? AND idx = ?', [file, index]) as Row | null;
    return r ? Buffer.from(r.data as Uint8Array) : undefined;
  }

  /** Runs PRAGMA integrity_check; returns 'ok' when the file is sound. */
  integrityCheck(): string {
    const rows = this.db.all('PRAGMA integrity_check') as Row[];
    return rows.map((r) => String(Object.values(r)[0])).join('; ');
  }

  close(): void {
    if (!this.db.isOpen) return;
    for (const s of this.stmts) if (!s.isFinalized) s.finalize();
    this.db.close();
    this.releaseOwner();
  }

  private transaction(fn: () => void): void {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      fn();
      this.db.exec('COMMIT');
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw err;
    }
  }
}

/** The words a message is found by: a text's text, a snippet's path, note and code, a file's name and note. */
function searchText(b: Body): string | undefined {
  switch (b.kind) {
    case 'text':
      return b.text;
    case 'snippet':
      return [b.path, b.note, b.code].filter((x) => x !== undefined).join('\n');
    case 'file':
      return [b.name, b.note].filter((x) => x !== undefined).join('\n');
    default:
      return undefined;
  }
}

function toMessage(r: Row): Message {
  return {
    conv: String(r.conv),
    seq: Number(r.seq),
    id: String(r.id),
    ts: Number(r.ts),
    author: String(r.author),
    body: JSON.parse(String(r.body)) as Body,
  };
}
