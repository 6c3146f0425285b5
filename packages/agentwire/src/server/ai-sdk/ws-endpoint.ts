import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { authenticateUpgrade } from '../../gateway/authenticate.js';
import { ConnectGate } from '../../gateway/connect-gate.js';
import { bufferEarlyFrames, MAX_EARLY_FRAMES } from '../../gateway/early-frames.js';
import type { Gateway } from '../../gateway/gateway.js';
import { TokenExpiries, type ExpiringSocket } from '../../gateway/token-expiry.js';
import { createSocketServer, routeUpgrade, type UpgradeRoute } from '../../gateway/upgrade.js';
import { CloseCode } from '../../protocol/close-codes.js';
import { ChatSocket } from './chat-socket.js';

/** Where the AI SDK's `WebSocketChatTransport` connects (docs/ai-sdk.md). */
export const AI_SDK_WS_PATH = '/ai-sdk/ws';

/**
 * Largest request frame: the transport sends the whole conversation with every `send`,
 * so this is `POST /agui`'s body limit, not `/ws`'s frame limit.
 */
export const AI_SDK_MAX_FRAME_BYTES = 1024 * 1024;

export interface AiSdkSocketEndpoint {
  /** Refuses new upgrades and closes the open sockets with 1001 (the runs go on; clients resume). */
  close(): void;
}

/**
 * Serves `GET /ai-sdk/ws` on the gateway's HTTP server, with `/ws`'s own upgrade rules
 * (gateway/upgrade.ts: Origin allow-list, connection limits, no new sockets while closing)
 * and credentials (gateway/authenticate.ts: Bearer header, `?ticket=`, a `bearer.<jwt>`
 * subprotocol beside `agentwire.v1`). Each socket is a ChatSocket of its user.
 */
export function attachAiSdkSocket(gateway: Gateway): AiSdkSocketEndpoint {
  const { options } = gateway;
  const sockets = new Set<WebSocket>();
  // The endpoint's 4001 closes at token `exp`: one queue and one timer for all its sockets, as on /ws.
  const expiries = new TokenExpiries();
  let closed = false;
  const route: UpgradeRoute = {
    server: gateway.server,
    wss: createSocketServer(AI_SDK_MAX_FRAME_BYTES),
    path: AI_SDK_WS_PATH,
    logger: options.logger,
    gate: new ConnectGate(options.connectLimits),
    trustProxy: options.trustProxy,
    allowedOrigins: options.allowedOrigins,
    closing: () => closed || gateway.health().status === 'closing',
    admit: async (ws, request, url) => {
      ws.on('error', (error) => options.logger.debug({ err: error }, 'AI SDK socket error'));
      // The transport sends its request as soon as the socket opens, while authentication may still wait.
      const early = bufferEarlyFrames(ws, MAX_EARLY_FRAMES, AI_SDK_MAX_FRAME_BYTES);
      const auth = await authenticateUpgrade(request, url, { verifier: options.verifier, tickets: gateway.bus.tickets, allowQueryToken: options.allowQueryToken });
      if (!auth.ok) {
        options.logger.info({ event: 'ws_refused', path: AI_SDK_WS_PATH, code: auth.closeCode, reason: auth.reason, detail: auth.detail }, 'connection refused');
        ws.close(auth.closeCode, auth.reason);
        return;
      }
      if (early.overflowed) return;
      if (closed || ws.readyState !== ws.OPEN) {
        ws.close(CloseCode.goingAway, 'server going away');
        return;
      }
      sockets.add(ws);
      const expiring: ExpiringSocket = { tokenExpiresAtMs: 0, expiryIndex: -1, close: (code, reason) => ws.close(code, reason) };
      if (auth.expiresAtMs !== undefined) expiries.arm(expiring, auth.expiresAtMs);
      ws.on('close', () => {
        sockets.delete(ws);
        expiries.cancel(expiring);
      });
      new ChatSocket(gateway, ws, auth.userId, early.drain());
    },
  };
  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // The gateway's listener leaves this path alone and this one leaves `/ws` alone; a path
    // neither serves is refused here, so that it is never left hanging.
    const { pathname } = new URL(request.url ?? '/', 'http://agentwire.invalid');
    if (pathname !== AI_SDK_WS_PATH) {
      if (pathname !== options.path && gateway.server.listenerCount('upgrade') === 2) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    routeUpgrade(route, request, socket, head);
  };
  gateway.server.on('upgrade', onUpgrade);
  return {
    close() {
      closed = true;
      gateway.server.off('upgrade', onUpgrade);
      for (const ws of sockets) ws.close(CloseCode.goingAway, 'server going away');
    },
  };
}
