/**
 * Whether a driver error means "the database could not be reached" (as opposed to a query
 * the database refused, or a bug). Only these make the store `degraded` and surface as
 * AW_ERR_STORE_UNAVAILABLE; everything else is a bug or bad input and keeps its own error.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

// SQLSTATE classes 08 (connection exception), 53 (insufficient resources), 57P0x (the server
// is shutting down, or starting and not accepting connections yet).
const SQLSTATE = /^(08...|53...|57P0[1-4])$/;

// SQLite (better-sqlite3 codes): the file or its disk failed under an open store (I/O error,
// disk full, file gone read-only, another process holding the lock past busy_timeout).
const SQLITE = /^SQLITE_(IOERR|FULL|CANTOPEN|READONLY|BUSY|LOCKED)/;

// pg reports a socket closed under it (server killed) and a pool connect timeout with plain
// Errors that have no code; their messages are stable across pg 8.x.
const PG_MESSAGES = [/Connection terminated/i, /timeout exceeded when trying to connect/i, /Client has encountered a connection error/i, /Query read timeout/i];

export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && (NETWORK_CODES.has(code) || SQLSTATE.test(code) || SQLITE.test(code))) return true;
    if (PG_MESSAGES.some((pattern) => pattern.test(e instanceof Error ? e.message : ''))) return true;
    if (e instanceof AggregateError && e.errors.some((inner) => isConnectionError(inner))) return true;
  }
  return false;
}
