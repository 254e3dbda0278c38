import type { Database } from 'node-sqlite3-wasm';
import { hasColumn, hasTable, type Migration } from '../infra/sqliteMigrations';
import { DELETED_EDIT_TEXT } from './rules';

// The relay file's schema as numbered migrations (src/infra/sqliteMigrations.ts runs them). Add a
// change as the next number; never edit one that has shipped. Each is also safe on a file that
// already has what it adds (IF NOT EXISTS, a column check): files from before the numbering are
// placed by what they hold, and an odd one may hold a little more.

/** 1: the schema of 145df8a, the last release before signed sign-in. */
const V1 = `
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, norm TEXT NOT NULL UNIQUE,
  key_hash TEXT NOT NULL UNIQUE, created INTEGER NOT NULL);
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
CREATE VIRTUAL TABLE IF NOT EXISTS search USING fts5(text, tokenize = 'unicode61 remove_diacritics 2');
`;

/** 4: the tables of signed sign-in and team administration (0e2b935). */
const V4 = `
CREATE TABLE IF NOT EXISTS devices (
  id TEXT PRIMARY KEY, user TEXT NOT NULL, key TEXT NOT NULL UNIQUE, label TEXT NOT NULL,
  added INTEGER NOT NULL, seen INTEGER);
CREATE TABLE IF NOT EXISTS team_roles (user TEXT PRIMARY KEY, role TEXT NOT NULL CHECK (role IN ('owner', 'admin')));
CREATE TABLE IF NOT EXISTS removed_members (user TEXT PRIMARY KEY, by TEXT NOT NULL, ts INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS room_creators (conv TEXT PRIMARY KEY, user TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS reserved_names (norm TEXT PRIMARY KEY, user TEXT NOT NULL, since INTEGER, name TEXT NOT NULL);
`;

function addColumn(db: Database, table: string, column: string, type: string): void {
  if (!hasColumn(db, table, column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
}

/**
 * Before edits kept only the current text: every edited message and its edits take the newest
 * edit's text, and edits of deleted messages lose theirs.
 */
function keepOnlyCurrentText(db: Database): void {
  const latest = (target: string) =>
    `(SELECT json_extract(e.body, '$.text') FROM messages e WHERE e.conv = m.conv AND e.kind = 'edit' AND json_extract(e.body, '$.target') = ${target} ORDER BY e.seq DESC LIMIT 1)`;
  db.exec(`UPDATE messages AS m SET body = json_set(m.body, '$.text', ${latest('m.seq')}) WHERE m.kind = 'text' AND ${latest('m.seq')} IS NOT NULL`);
  const target = "json_extract(m.body, '$.target')";
  const targetDeleted = `EXISTS (SELECT 1 FROM messages t WHERE t.conv = m.conv AND t.seq = ${target} AND t.deleted = 1)`;
  db.run(`UPDATE messages AS m SET body = json_set(m.body, '$.text', CASE WHEN ${targetDeleted} THEN ? ELSE ${latest(target)} END) WHERE m.kind = 'edit'`, [
    DELETED_EDIT_TEXT,
  ]);
}

export const RELAY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    what: 'the schema of 145df8a',
    up(db) {
      db.exec(V1);
      // Columns that 145df8a itself added to files of the first releases.
      addColumn(db, 'users', 'share_read', 'INTEGER NOT NULL DEFAULT 1');
      addColumn(db, 'convs', 'archived', 'INTEGER NOT NULL DEFAULT 0');
      // What 145df8a checked (builds from before the numbering still do).
      db.exec("INSERT OR IGNORE INTO meta (k, v) VALUES ('schema', '1')");
    },
  },
  {
    version: 2,
    // reads.seq is where a member's unread messages start (moved by their read frames, by joining
    // and by their own messages); reads.shown only by their read frames: what "seen by" shows.
    // Older files could not tell the two apart, so their markers show again once read again.
    what: 'reads.shown, the read marker others see (fe10236)',
    up: (db) => addColumn(db, 'reads', 'shown', 'INTEGER NOT NULL DEFAULT 0'),
  },
  {
    version: 3,
    what: 'only the current text of edited messages is kept (7d89067)',
    up(db) {
      db.exec("CREATE INDEX IF NOT EXISTS messages_edits ON messages (conv, json_extract(body, '$.target')) WHERE kind = 'edit'");
      keepOnlyCurrentText(db);
      // Builds from before the numbering scrub a file without this mark.
      db.exec("INSERT OR REPLACE INTO meta (k, v) VALUES ('edits_current', '1')");
    },
  },
  { version: 4, what: 'devices, roles, removed members, room creators, reserved names (0e2b935)', up: (db) => db.exec(V4) },
  {
    version: 5,
    what: 'named invites (66369da)',
    up: (db) =>
      db.exec(
        'CREATE TABLE IF NOT EXISTS invites (hash TEXT PRIMARY KEY, name TEXT NOT NULL, maker TEXT NOT NULL, created INTEGER NOT NULL, expires INTEGER NOT NULL)',
      ),
  },
];

/** Where a relay file from before the numbering stands, by what it holds (0: empty, or older than 145df8a). */
export function relayLegacyVersion(db: Database): number {
  if (!hasTable(db, 'users') || !hasColumn(db, 'users', 'share_read') || !hasColumn(db, 'convs', 'archived')) return 0;
  if (hasTable(db, 'invites')) return 5;
  if (hasTable(db, 'devices')) return 4;
  if (db.get("SELECT 1 AS x FROM meta WHERE k = 'edits_current'")) return 3;
  if (hasColumn(db, 'reads', 'shown')) return 2;
  return 1;
}
