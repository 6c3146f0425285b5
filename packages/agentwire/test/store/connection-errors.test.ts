import { describe, expect, it } from 'vitest';
import { isConnectionError } from '../../src/store/sql/connection-errors.js';

const coded = (code: string, message = 'x'): Error => Object.assign(new Error(message), { code });

describe('store: which driver errors mean "database unreachable"', () => {
  it.each([
    ['refused connection', coded('ECONNREFUSED')],
    ['reset socket', coded('ECONNRESET')],
    ['server shutting down (57P01)', coded('57P01', 'terminating connection due to administrator command')],
    ['server starting (57P03)', coded('57P03', 'the database system is starting up')],
    ['connection exception class 08', coded('08006')],
    ['too many connections (53300)', coded('53300')],
    ['pg socket closed under it', new Error('Connection terminated unexpectedly')],
    ['pg pool connect timeout', new Error('timeout exceeded when trying to connect')],
    ['wrapped in a cause', new Error('outer', { cause: coded('ECONNREFUSED') })],
    ['every address refused (AggregateError)', new AggregateError([coded('ECONNREFUSED'), coded('ECONNREFUSED')], 'connect failed')],
    ['SQLite disk full', coded('SQLITE_FULL')],
    ['SQLite I/O error', coded('SQLITE_IOERR_WRITE')],
  ])('%s: unreachable', (_name, error) => {
    expect(isConnectionError(error)).toBe(true);
  });

  it.each([
    ['unique violation', coded('23505', 'duplicate key value violates unique constraint')],
    ['foreign key violation', coded('23503')],
    ['syntax error', coded('42601')],
    ['SQLite constraint', coded('SQLITE_CONSTRAINT_UNIQUE')],
    ['a plain bug', new TypeError('cannot read properties of undefined')],
    ['not an error', 'ECONNREFUSED'],
  ])('%s: not unreachable (keeps its own error)', (_name, error) => {
    expect(isConnectionError(error)).toBe(false);
  });
});
