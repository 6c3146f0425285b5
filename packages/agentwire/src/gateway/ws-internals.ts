import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

/*
 * Every read of `ws`'s private fields lives here, for the connection's direct write
 * (see `Connection.transmit`). A `ws` upgrade is re-checked in this file and its test
 * (test/unit/ws-internals.test.ts) only; if the shape changes, these return the safe
 * answer and the connection falls back to `ws.send`.
 */

/** The ws internals the direct write relies on, checked once per socket. */
interface WsInternals {
  _socket?: unknown;
  _sender?: { _queue?: unknown; _state?: unknown };
  _extensions?: Record<string, unknown>;
}

/**
 * The socket's underlying stream, when frames may bypass `ws.send`: ws keeps no state per
 * sent message once it is written, so a complete frame written to the stream is
 * indistinguishable from one ws wrote, provided nothing negotiated changes the framing
 * (the gateway disables permessage-deflate). Any other shape, e.g. a future ws, falls
 * back to `ws.send`.
 */
export function rawStreamOf(socket: WebSocket): Duplex | undefined {
  const internals = socket as unknown as WsInternals;
  const stream = internals._socket as Duplex | undefined;
  const sender = internals._sender;
  if (!stream || typeof stream.write !== 'function' || typeof stream.cork !== 'function') return undefined;
  if (!sender || !Array.isArray(sender._queue) || typeof sender._state !== 'number') return undefined;
  if (internals._extensions && Object.keys(internals._extensions).length > 0) return undefined;
  return stream;
}

/** ws writes immediately unless it is compressing or reading a Blob; then it queues in order. */
export function senderIdle(socket: WebSocket): boolean {
  const sender = (socket as unknown as WsInternals)._sender!;
  return sender._state === 0 && (sender._queue as unknown[]).length === 0;
}
