import type { Body, SearchHit } from '../protocol/wire';
import { excerpt } from './searchText';
import { SqliteTables, type Row } from './sqliteTables';
import type { SearchQuery } from './store';

// The search index (FTS5) holds the current words of each text, snippet and file message under the
// message's rowid (stable: this store never runs VACUUM). It is brought up to date in batches,
// not in the commit that acks a message (indexing there doubled the cost of a commit): meta
// 'search_upto' is the highest message rowid indexed, and indexPending() goes through the rows
// after it in insertion order — texts are added, edits replace their target's words, deletions
// remove them — so a crash only leaves work for the next call. Pruning removes rows at once
// (MessageTables.prune).

export class SearchIndex extends SqliteTables {
  private readonly reindexMsg = this.prep('UPDATE search SET text = ? WHERE rowid = (SELECT rowid FROM messages WHERE conv = ? AND seq = ?)');
  private readonly unindexMsg = this.prep('DELETE FROM search WHERE rowid = (SELECT rowid FROM messages WHERE conv = ? AND seq = ?)');
  private readonly pendingRows = this.prep('SELECT rowid AS r, conv, kind, body FROM messages WHERE rowid > ? ORDER BY rowid LIMIT ?');
  private readonly indexRow = this.prep('INSERT OR REPLACE INTO search (rowid, text) VALUES (?, ?)');

  /** A file from before the index (or one whose index was dropped) is indexed from the start. */
  startIfNone(): void {
    if (this.meta('search_upto') !== undefined) return;
    this.db.exec('DELETE FROM search');
    this.setMeta('search_upto', '0');
  }

  /**
   * Brings the search index up to date with the messages stored so far (see the note at the
   * top of this file), at most `maxRows` of them; true when nothing is left.
   */
  indexPending(maxRows = Number.MAX_SAFE_INTEGER): boolean {
    let upto = Number(this.meta('search_upto') ?? 0);
    for (let left = maxRows; left > 0;) {
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
