// The entry point of `agentwire/store`: re-exports only. The SQL engines of the durable
// store (SQLite through better-sqlite3, PostgreSQL through pg, both behind Kysely) have
// their own subpath so that `agentwire` loads no SQL client (docs/architecture.md,
// "Entry points"); the memory engine is on the main entry.

export { openStore, type StoreConfig } from './store/open-store.js';
export { openSqliteStore, type SqliteStoreOptions } from './store/sqlite-store.js';
export { openPostgresStore, type PostgresStoreOptions } from './store/postgres-store.js';
