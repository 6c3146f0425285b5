import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { clientAddress } from '../auth/client-address.js';
import { originAllowed } from '../auth/origin-policy.js';
import type { Logger } from '../logger.js';
import type { ConnectGate } from './connect-gate.js';
import { CloseCode } from '../protocol/close-codes.js';
import { SUBPROTOCOL } from '../protocol/types.js';

/** The `ws` server the gateway upgrades with: no tracking (scopes hold the sockets), no compression. */
export function createSocketServer(maxFrameBytes: number): WebSocketServer {
  return new WebSocketServer({
    noServer: true,
    clientTracking: false,
    // The direct write (ws-internals.ts) relies on uncompressed framing.
    perMessageDeflate: false,
    maxPayload: maxFrameBytes,
    // Select agentwire.v1 when offered; never echo a `bearer.<jwt>` entry.
    handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
  });
}

export interface UpgradeRoute {
  readonly server: Server;
  readonly wss: WebSocketServer;
  readonly path: string;
  readonly logger: Logger;
  readonly gate: ConnectGate;
  readonly trustProxy: boolean;
  readonly allowedOrigins: readonly string[] | undefined;
  closing(): boolean;
  /** Takes the upgraded socket from here: authentication, limits, joining. */
  admit(ws: WebSocket, request: IncomingMessage, url: URL): Promise<void>;
}

/**
 * Handles one HTTP upgrade: other paths are left alone or refused, none is taken while
 * closing, a browser origin not allowed is refused (403) and the connection limits answer
 * 503/429, all before the upgrade completes (docs/protocol.md, "Connecting").
 */
export function routeUpgrade(route: UpgradeRoute, request: IncomingMessage, socket: Duplex, head: Buffer): void {
  const url = new URL(request.url ?? '/', 'http://agentwire.invalid');
  if (url.pathname !== route.path) {
    // Leave other paths to other upgrade listeners, if the host application has any.
    if (route.server.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404, 'Not Found');
    return;
  }
  if (route.closing()) {
    rejectUpgrade(socket, 503, 'Service Unavailable');
    return;
  }
  if (!originAllowed(request.headers.origin, route.allowedOrigins, request.headers.host)) {
    route.logger.info({ event: 'ws_refused', status: 403, origin: request.headers.origin }, 'upgrade refused: origin not allowed');
    rejectUpgrade(socket, 403, 'Forbidden');
    return;
  }
  const address = clientAddress(request, route.trustProxy);
  const entry = route.gate.enter(address);
  if (!entry.ok) {
    route.logger.info({ event: 'ws_refused', status: entry.status, address, reason: entry.reason }, 'upgrade refused: connection limits');
    rejectUpgrade(socket, entry.status, entry.status === 429 ? 'Too Many Requests' : 'Service Unavailable', true);
    return;
  }
  // Counted until the TCP socket is gone, whatever happens to the upgrade in between.
  route.gate.countUntilClose(socket, address);
  // The 101 response, `connection_established` and a short resume replay leave in one write
  // instead of two or more: corked here, uncorked once this turn's admission work (its
  // promise hops included) is done. A join that waits on the network (Redis, a JWKS fetch)
  // does not hold the 101 back: the uncork comes on the next turn of the loop regardless.
  // A system call per accepted socket was ~14% of the server's accept CPU (issue 19).
  socket.cork();
  setImmediate(uncork, socket);
  route.wss.handleUpgrade(request, socket, head, (ws) => {
    route.admit(ws, request, url).catch((error: unknown) => {
      route.logger.error({ err: error }, 'connection setup failed');
      if (ws.readyState === ws.OPEN) ws.close(CloseCode.tryAgainLater, 'try again later');
    });
  });
}

/** Module-level, not a closure: one fewer allocation per upgrade. */
function uncork(socket: Duplex): void {
  socket.uncork();
}

function rejectUpgrade(socket: Duplex, status: number, text: string, retry = false): void {
  const retryAfter = retry ? 'Retry-After: 1\r\n' : '';
  socket.end(`HTTP/1.1 ${status} ${text}\r\n${retryAfter}Connection: close\r\nContent-Length: 0\r\n\r\n`);
}
