import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The address a request comes from, for per-address limits (HTTP rate limits here, WebSocket
 * admission in the gateway). With `trustProxy` (one proxy in front, e.g. the nginx of
 * docs/deploy.md) it is the last `X-Forwarded-For` entry, the one that proxy appended: the
 * entries before it are whatever the client wrote and prove nothing. Without `trustProxy` the
 * header is ignored, so a client cannot pick its own bucket.
 */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const header = req.headers['x-forwarded-for'];
    const joined = Array.isArray(header) ? header.join(',') : header;
    const last = joined?.split(',').at(-1)?.trim();
    if (last && isIP(unmapped(last)) !== 0) return unmapped(last);
  }
  return unmapped(req.socket.remoteAddress ?? 'unknown');
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client. */
const unmapped = (address: string): string => (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address);
