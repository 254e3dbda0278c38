import type { Database } from 'node-sqlite3-wasm';

// Numbered schema migrations for the SQLite files (the relay's and the client cache). A file
// records the last migration applied in its header (`PRAGMA user_version`); opening it applies the
// ones after, each in its own transaction together with the new number, so a crash between two
// leaves a file at the earlier version that the next open finishes. A file from a newer build is
// refused before anything is written to it (an older Parley cannot know what its tables mean).
// Files written before the numbering have user_version 0 and are placed by what they hold
// (`legacyVersion`); a new file is 0 too and holds nothing, so it goes through every migration.

export interface Migration {
  /** 1, 2, 3, … in order, no gaps. */
  version: number;
  /** What it changes and which change needed it (for the error when it fails, and the reader). */
  what: string;
  up(db: Database): void;
}

/** The version `PRAGMA user_version` records (0 for a file from before the numbering, or a new one). */
export function schemaVersion(db: Database): number {
  const row = db.get('PRAGMA user_version') as Record<string, unknown> | null;
  return Number(row?.user_version ?? 0);
}

/**
 * Brings the file to the newest of `migrations`; returns the version it was at. `name` says which
 * kind of file it is in messages ("relay data", "cache").
 */
export function migrate(db: Database, file: string, name: string, migrations: readonly Migration[], legacyVersion: (db: Database) => number): number {
  const latest = migrations.length;
  migrations.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`${name} migration ${i + 1} is numbered ${m.version}`);
  });
  const stamped = schemaVersion(db);
  if (stamped > latest) {
    throw new Error(
      `${file} was written by a newer version of Parley (${name} schema ${stamped}; this version knows up to ${latest}) and was left as it is: update Parley to open it, or move the file away to start from an empty one`,
    );
  }
  const from = stamped === 0 ? legacyVersion(db) : stamped;
  for (const m of migrations) {
    if (m.version <= from) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      m.up(db);
      db.exec(`PRAGMA user_version = ${m.version}`);
      db.exec('COMMIT');
    } catch (err) {
      if (db.inTransaction) db.exec('ROLLBACK');
      throw new Error(`${file}: migrating ${name} to schema ${m.version} (${m.what}) failed: ${(err as Error).message}`);
    }
  }
  // A file from before the numbering that needed nothing: record where it is.
  if (schemaVersion(db) !== latest) db.exec(`PRAGMA user_version = ${latest}`);
  return from;
}

/** Whether `table` exists. */
export function hasTable(db: Database, table: string): boolean {
  return Boolean(db.get("SELECT 1 AS x FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?", table));
}

/** Whether `table` has the column `column`. */
export function hasColumn(db: Database, table: string, column: string): boolean {
  return (db.all(`PRAGMA table_info(${table})`) as Record<string, unknown>[]).some((c) => c.name === column);
}
