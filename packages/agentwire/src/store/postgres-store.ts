import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { AgentwireError } from '../errors.js';
import { noteLimits } from './note-limits.js';
import { isConnectionError } from './sql/connection-errors.js';
import { migrateToLatest } from './sql/migrate.js';
import type { StoreDatabase } from './sql/schema.js';
import { SqlStore } from './sql/sql-store.js';
import type { NoteLimits, Store } from './types.js';

export interface PostgresStoreOptions {
  /** e.g. postgres://user:pass@host:5432/db (DATABASE_URL). */
  readonly connectionString: string;
  /** A schema of its own (created if missing); default: the server's search_path (public). */
  readonly schema?: string;
  readonly noteLimits?: Partial<NoteLimits>;
  /** Pool size per process (default 10). */
  readonly maxConnections?: number;
  /** How long an operation waits for a connection before it fails as unavailable (default 5000 ms). */
  readonly connectTimeoutMs?: number;
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/**
 * The production store, shared by every process: a pg Pool under Kysely. The schema's
 * migrations run at open (Kysely's Migrator holds an advisory lock, so processes starting
 * together apply them once). A database that cannot be reached at open rejects with
 * AW_ERR_STORE_UNAVAILABLE; later outages make operations reject with it and `health()`
 * degraded until the next success. The pool reconnects by itself.
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<Store> {
  const limits = noteLimits(options.noteLimits);
  const { schema } = options;
  if (schema !== undefined && !SCHEMA_NAME.test(schema)) {
    throw new AgentwireError('AW_ERR_CONFIG', `PostgreSQL schema name must match ${SCHEMA_NAME.source}, got ${JSON.stringify(schema)}`);
  }
  const where = describe(options.connectionString, schema);
  const pool = new pg.Pool({
    connectionString: options.connectionString,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? 5000,
    // Every connection works in the store's schema, so queries stay unqualified.
    ...(schema ? { options: `-c search_path=${schema}` } : {}),
  });
  // An idle connection dropped by the server (restart, failover) is reported here; without a
  // listener it would crash the process. The next operation reconnects or fails as unavailable.
  pool.on('error', () => {});
  // pg-pool takes its own listener off a connection while it is checked out (Kysely holds it
  // for a transaction): a server that goes away then would emit 'error' on the client with no
  // listener, an uncaught exception. A listener of our own for the connection's whole life;
  // the query in flight still rejects, and becomes AW_ERR_STORE_UNAVAILABLE as usual.
  pool.on('connect', (client) => {
    client.on('error', () => {});
  });
  const db = new Kysely<StoreDatabase>({ dialect: new PostgresDialect({ pool }) });
  try {
    if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await migrateToLatest(db, 'postgres', schema);
  } catch (error) {
    await db.destroy().catch(() => {});
    const detail = error instanceof Error ? error.message : String(error);
    const code = isConnectionError(error) ? 'AW_ERR_STORE_UNAVAILABLE' : 'AW_ERR_STORE_OPEN';
    throw new AgentwireError(code, `PostgreSQL ${where}: ${detail}`, { cause: error });
  }
  return new SqlStore('postgres', db, limits, where);
}

/** host:port/database[/schema], never the password. */
function describe(connectionString: string, schema: string | undefined): string {
  try {
    const url = new URL(connectionString);
    return `${url.hostname}:${url.port || 5432}${url.pathname}${schema ? ` (schema ${schema})` : ''}`;
  } catch {
    return 'the configured DATABASE_URL';
  }
}
