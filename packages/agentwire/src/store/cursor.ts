import { AgentwireError } from '../errors.js';

/**
 * Opaque keyset cursors: base64url of a small JSON object tagged with the list it belongs
 * to, so a thread cursor handed to the message list (or a forged one) is refused with
 * AW_ERR_STORE_CURSOR instead of silently paging from the wrong place.
 */

export interface ThreadCursor {
  /** updatedAt of the last thread served, in ms. */
  readonly updatedAtMs: number;
  readonly threadId: string;
}

/**
 * A message's place in its thread (docs/protocol.md, "agentwire's choices where the contract
 * is silent": conversation order): its run's place (the insertion position of the run's user
 * message), then its own insertion position, so a run's assistant message sits right after
 * its user message however late its first checkpoint is written.
 */
export interface MessageCursor {
  /** Run position of the oldest message served. */
  readonly runPosition: number;
  /** Insertion position of the oldest message served. */
  readonly position: number;
}

const encode = (value: object): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

function decode(cursor: string): Record<string, unknown> {
  if (cursor.length === 0 || cursor.length > 512 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw badCursor(cursor);
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Falls through to the coded error below.
  }
  throw badCursor(cursor);
}

const badCursor = (cursor: string): AgentwireError => new AgentwireError('AW_ERR_STORE_CURSOR', JSON.stringify(cursor.slice(0, 64)));

const isSafeInt = (value: unknown): value is number => Number.isSafeInteger(value);

export const encodeThreadCursor = (c: ThreadCursor): string => encode({ k: 't', u: c.updatedAtMs, i: c.threadId });

export function decodeThreadCursor(cursor: string): ThreadCursor {
  const value = decode(cursor);
  if (value['k'] !== 't' || !isSafeInt(value['u']) || typeof value['i'] !== 'string') throw badCursor(cursor);
  return { updatedAtMs: value['u'], threadId: value['i'] };
}

export const encodeMessageCursor = (c: MessageCursor): string => encode({ k: 'm', r: c.runPosition, p: c.position });

/** A cursor handed out before conversation order (no `r`) pages on as if its message began its run. */
export function decodeMessageCursor(cursor: string): MessageCursor {
  const value = decode(cursor);
  const runPosition = value['r'] ?? value['p'];
  if (value['k'] !== 'm' || !isSafeInt(value['p']) || value['p'] < 0 || !isSafeInt(runPosition) || runPosition < 0) throw badCursor(cursor);
  return { runPosition, position: value['p'] };
}

/** Whether a message at (`runPosition`, `position`) comes before the cursor in its thread. */
export const isBeforeCursor = (message: MessageCursor, cursor: MessageCursor): boolean =>
  message.runPosition < cursor.runPosition || (message.runPosition === cursor.runPosition && message.position < cursor.position);

/** Page sizes are checked by the HTTP layer; the store only refuses nonsense. */
export function checkLimit(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`page limit must be a positive integer, got ${limit}`);
  return limit;
}

/** Milliseconds of an ISO 8601 instant; the store refuses anything else. */
export function instantMs(at: string): number {
  const ms = Date.parse(at);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO 8601 instant: ${JSON.stringify(at)}`);
  return ms;
}
