import type { Database, Statement } from 'node-sqlite3-wasm';
import { readMeta, writeMeta } from '../infra/sqliteFile';

// What each part of the SQLite store (members, conversations, messages, search) shares: the open
// file, its prepared statements (finalized together on close) and the meta table.

export type Row = Record<string, unknown>;

export class SqliteTables {
  constructor(
    protected readonly db: Database,
    private readonly stmts: Statement[],
  ) {}

  /** A statement kept for the store's life. Only ever run to completion (all/run): one left mid-step keeps the file locked. */
  protected prep(sql: string): Statement {
    const stmt = this.db.prepare(sql);
    this.stmts.push(stmt);
    return stmt;
  }

  meta(k: string): string | undefined {
    return readMeta(this.db, k);
  }

  setMeta(k: string, v: string): void {
    writeMeta(this.db, k, v);
  }

  transaction(fn: () => void): void {
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
