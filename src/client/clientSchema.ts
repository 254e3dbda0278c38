import type { Database } from 'node-sqlite3-wasm';
import { hasColumn, hasTable, type Migration } from '../infra/sqliteMigrations';

// The client cache's schema as numbered migrations (sqliteMigrations.ts runs them). Add a change
// as the next number; never edit one that has shipped.

/** 1: the cache of 145df8a (unchanged since). */
const V1 = `
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

export const CACHE_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    what: 'the cache of 145df8a',
    up(db) {
      db.exec(V1);
      // Caches made before threads existed lack the column (and hold no replies).
      if (!hasColumn(db, 'messages', 'thread')) db.exec('ALTER TABLE messages ADD COLUMN thread INTEGER');
      db.exec('CREATE INDEX IF NOT EXISTS messages_by_thread ON messages (conv, thread)');
    },
  },
];

/** Where a cache from before the numbering stands (0: empty, or without threads). */
export function cacheLegacyVersion(db: Database): number {
  if (!hasTable(db, 'messages') || !hasTable(db, 'pins') || !hasColumn(db, 'messages', 'thread')) return 0;
  return db.get("SELECT 1 AS x FROM sqlite_master WHERE type = 'index' AND name = 'messages_by_thread'") ? 1 : 0;
}
