import type { Database, Statement } from 'node-sqlite3-wasm';
import { SqliteTables, type Row } from './sqliteTables';
import type { ConversationRecord } from './store';

// The SQLite store's conversations, their members, and members' read markers.

export class ConversationTables extends SqliteTables {
  constructor(
    db: Database,
    stmts: Statement[],
    /** Each conversation's head seq, shared with MessageTables (which moves it). */
    private readonly heads: Map<string, number>,
  ) {
    super(db, stmts);
  }

  private readonly passReadStmt = this.prep(
    'INSERT INTO reads (user, conv, seq) VALUES (?, ?, ?) ON CONFLICT (user, conv) DO UPDATE SET seq = excluded.seq WHERE excluded.seq > reads.seq',
  );

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
}
