import type { IncomingMessage } from 'node:http';
import { BEARER_SUBPROTOCOL_PREFIX } from '../protocol/types.js';

export type Credential =
  | { kind: 'token'; token: string }
  | { kind: 'ticket'; ticket: string }
  | { kind: 'none'; reason: string };

/**
 * Finds the one credential of an upgrade request (docs/protocol.md, "Connecting"): Bearer
 * header, `?ticket=`, a `bearer.<jwt>` subprotocol, or `?token=` only when allowed.
 */
export function extractCredential(request: IncomingMessage, url: URL, allowQueryToken: boolean): Credential {
  const header = request.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    return match ? { kind: 'token', token: match[1]! } : { kind: 'none', reason: 'malformed Authorization header' };
  }
  const ticket = url.searchParams.get('ticket');
  if (ticket !== null) return { kind: 'ticket', ticket };
  const fromProtocol = bearerFromSubprotocols(request.headers['sec-websocket-protocol']);
  if (fromProtocol) return { kind: 'token', token: fromProtocol };
  const queryToken = url.searchParams.get('token');
  if (queryToken !== null) {
    return allowQueryToken ? { kind: 'token', token: queryToken } : { kind: 'none', reason: '?token= is not allowed' };
  }
  return { kind: 'none', reason: 'no credentials' };
}

export function offeredSubprotocols(header: string | undefined): string[] {
  return header ? header.split(',').map((p) => p.trim()).filter((p) => p.length > 0) : [];
}

function bearerFromSubprotocols(header: string | undefined): string | undefined {
  const entry = offeredSubprotocols(header).find((p) => p.startsWith(BEARER_SUBPROTOCOL_PREFIX));
  return entry?.slice(BEARER_SUBPROTOCOL_PREFIX.length);
}

/** Bearer token of an HTTP request, for the HTTP routes. */
export function bearerToken(request: IncomingMessage): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(request.headers.authorization ?? '');
  return match?.[1];
}
