import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../logger.js';
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
  closing(): boolean;
  /** Takes the upgraded socket from here: authentication, limits, joining. */
  admit(ws: WebSocket, request: IncomingMessage, url: URL): Promise<void>;
}

/** Handles one HTTP upgrade: other paths are left alone or refused, and none is taken while closing. */
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
  route.wss.handleUpgrade(request, socket, head, (ws) => {
    route.admit(ws, request, url).catch((error: unknown) => {
      route.logger.error({ err: error }, 'connection setup failed');
      if (ws.readyState === ws.OPEN) ws.close(CloseCode.tryAgainLater, 'try again later');
    });
  });
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
