import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { AgentwireError } from '../errors.js';
import { noteLimits } from './note-limits.js';
import { migrateToLatest } from './sql/migrate.js';
import type { StoreDatabase } from './sql/schema.js';
import { SqlStore } from './sql/sql-store.js';
import type { NoteLimits, Store } from './types.js';

/** The database file's name under a data directory. */
export const SQLITE_FILE_NAME = 'agentwire.db';

export type SqliteStoreOptions = ({ readonly dataDir: string } | { readonly file: string }) & {
  readonly noteLimits?: Partial<NoteLimits>;
};

/**
 * The embedded store of the standalone server: one SQLite file (`<dataDir>/agentwire.db`,
 * created with its directory when missing), WAL journal so readers never wait for the writer.
 * A directory or file that cannot be created, opened, written or read as a database rejects
 * with AW_ERR_STORE_OPEN naming the path: the server must refuse to start, not limp on.
 */
export async function openSqliteStore(options: SqliteStoreOptions): Promise<Store> {
  const limits = noteLimits(options.noteLimits);
  const file = resolve('file' in options ? options.file : join(options.dataDir, SQLITE_FILE_NAME));
  let sqlite: Database.Database | undefined;
  try {
    mkdirSync(dirname(file), { recursive: true });
    sqlite = new Database(file);
    // Reads the header: a file that is not a database fails here ("file is not a database").
    const mode = sqlite.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new Error(`journal_mode is ${String(mode)}, WAL could not be enabled`);
    sqlite.pragma('foreign_keys = ON');
    // Another process (a second server on the same data directory) holding the write lock
    // makes writers wait, not fail at once.
    sqlite.pragma('busy_timeout = 5000');
    // Takes the write lock once: an unwritable file or directory fails now, not at the first message.
    sqlite.exec('BEGIN IMMEDIATE; ROLLBACK');
    const db = new Kysely<StoreDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
    await migrateToLatest(db, 'sqlite');
    return new SqlStore('sqlite', db, limits, file);
  } catch (error) {
    sqlite?.close();
    const detail = error instanceof Error ? error.message : String(error);
    throw new AgentwireError('AW_ERR_STORE_OPEN', `SQLite database ${file}: ${detail}`, { cause: error });
  }
}
