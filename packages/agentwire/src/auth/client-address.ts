import type { IncomingMessage } from 'node:http';

/**
 * The address a request is counted against (per-address limits). The peer's own address,
 * unless the server sits behind a proxy it trusts (`trustProxy`): then the last entry of
 * `X-Forwarded-For`, the one that proxy appended for the peer it saw. Earlier entries are
 * whatever the client wrote and are never believed. Without `trustProxy` the header is
 * ignored, so a client cannot pick its own address.
 */
export function clientAddress(request: IncomingMessage, trustProxy: boolean): string {
  const peer = request.socket.remoteAddress ?? 'unknown';
  if (!trustProxy) return peer;
  const header = request.headers['x-forwarded-for'];
  const joined = Array.isArray(header) ? header.join(',') : header;
  const last = joined
    ?.split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .at(-1);
  return last ?? peer;
}
