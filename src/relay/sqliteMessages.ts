import type { Database, Statement } from 'node-sqlite3-wasm';
import type { Body, Message } from '../protocol/wire';
import { decideAppend, type Effect, type TargetView } from './rules';
import { SqliteTables, type Row } from './sqliteTables';
import type { AppendItem, AppendResult, FileInfo } from './store';

// The SQLite store's messages: the group commit (appendBatch), replay and history pages, pruning,
// and the files stored with their messages. What a message may do to another is decided by
// src/relay/rules.ts; this only looks the target up and carries out the effects.

export class MessageTables extends SqliteTables {
  constructor(
    db: Database,
    stmts: Statement[],
    /** Each conversation's head seq (the next message takes head + 1), shared with ConversationTables. */
    private readonly heads: Map<string, number>,
    private readonly reads: { passRead(user: string, conv: string, seq: number): void },
  ) {
    super(db, stmts);
  }

  private readonly findDup = this.prep('SELECT conv, seq, ts, body FROM messages WHERE author = ? AND id = ? LIMIT 1');
  private readonly insertMsg = this.prep('INSERT INTO messages (conv, seq, id, author, ts, kind, body) VALUES (?, ?, ?, ?, ?, ?, ?)');
  private readonly setHead = this.prep('UPDATE convs SET head = ? WHERE id = ?');
  private readonly findTarget = this.prep(
    "SELECT author, kind, deleted, json_extract(body, '$.file') AS file, json_extract(body, '$.thread') AS thread FROM messages WHERE conv = ? AND seq = ? LIMIT 1",
  );
  private readonly rewriteText = this.prep(`UPDATE messages SET body = json_set(body, '$.text', ?) WHERE conv = ? AND seq = ? AND kind = 'text'`);
  private readonly rewriteEdits = this.prep(
    `UPDATE messages SET body = json_set(body, '$.text', ?) WHERE conv = ? AND kind = 'edit' AND json_extract(body, '$.target') = ?`,
  );
  private readonly markDeleted = this.prep(`UPDATE messages SET deleted = 1, kind = 'deleted', body = '{"kind":"deleted"}' WHERE conv = ? AND seq = ?`);
  private readonly selectAfter = this.prep('SELECT conv, seq, id, author, ts, body FROM messages WHERE conv = ? AND seq > ? ORDER BY seq LIMIT ?');
  // Bodies are stored as JSON.stringify wrote them, so they go into the event as they are.
  private readonly selectAfterJson = this.prep(
    `SELECT seq, '{"t":"msg","m":{"conv":' || json_quote(conv) || ',"seq":' || seq || ',"id":' || json_quote(id) || ',"ts":' || ts || ',"author":' || json_quote(author) || ',"body":' || body || '}}' AS json FROM messages WHERE conv = ? AND seq > ? ORDER BY seq LIMIT ?`,
  );
  private readonly selectBefore = this.prep('SELECT conv, seq, id, author, ts, body FROM messages WHERE conv = ? AND seq < ? ORDER BY seq DESC LIMIT ?');
  // A history page as the wire has it, built by SQLite from the stored JSON (as for replay).
  private readonly selectBeforeJson = this.prep(
    `SELECT seq, '{"conv":' || json_quote(conv) || ',"seq":' || seq || ',"id":' || json_quote(id) || ',"ts":' || ts || ',"author":' || json_quote(author) || ',"body":' || body || '}' AS json FROM messages WHERE conv = ? AND seq < ? ORDER BY seq DESC LIMIT ?`,
  );
  // A message's size in a reply: its body's bytes plus about what the other fields take.
  // octet_length, not length: SQLite reads a text's byte count from the row's header, where
  // length (characters) reads the whole text off its overflow pages. With a page of 200 large
  // messages that walked more than the page cache holds, so every history request read the file.
  private readonly selectBeforeSizes = this.prep(
    'SELECT octet_length(body) + length(id) + length(author) + 80 AS size FROM messages WHERE conv = ? AND seq < ? ORDER BY seq DESC LIMIT ?',
  );
  private readonly insertChunk = this.prep('INSERT OR REPLACE INTO file_chunks (file, idx, data) VALUES (?, ?, ?)');
  private readonly insertFile = this.prep('INSERT OR REPLACE INTO files (id, conv, size, count) VALUES (?, ?, ?, ?)');

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
      for (const a of authored.values()) this.reads.passRead(a.user, a.conv, a.seq);
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
        message: {
          conv: String(dup.conv),
          seq: Number(dup.seq),
          id: item.id,
          ts: Number(dup.ts),
          author: item.author,
          body: JSON.parse(String(dup.body)) as Body,
        },
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
      this.db.run(
        "DELETE FROM file_chunks WHERE file IN (SELECT id FROM files WHERE conv = ? AND id NOT IN (SELECT json_extract(body, '$.file') FROM messages WHERE conv = ? AND kind = 'file'))",
        [conv, conv],
      );
      this.db.run("DELETE FROM files WHERE conv = ? AND id NOT IN (SELECT json_extract(body, '$.file') FROM messages WHERE conv = ? AND kind = 'file')", [
        conv,
        conv,
      ]);
    });
  }

  fileInfo(file: string): FileInfo | undefined {
    const r = this.db.get('SELECT conv, size, count FROM files WHERE id = ?', file) as Row | null;
    return r ? { conv: String(r.conv), size: Number(r.size), count: Number(r.count) } : undefined;
  }

  fileChunk(file: string, index: number): Buffer | undefined {
    const r = this.db.get('SELECT data FROM file_chunks WHERE file = ? AND idx = ?', [file, index]) as Row | null;
    return r ? Buffer.from(r.data as Uint8Array) : undefined;
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
