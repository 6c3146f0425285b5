import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { CloseCode } from '../protocol/close-codes.js';
import { SUBPROTOCOL } from '../protocol/types.js';
import { authenticateUpgrade, type AuthOutcome } from './authenticate.js';
import { Connection, type ConnectionDeps } from './connection.js';
import type { InboundHandler } from './inbound-handler.js';
import { bufferEarlyFrames, type EarlyFrames } from './early-frames.js';
import { joinStream } from './joining.js';
import type { ResolvedOptions } from './options.js';
import { RateLimiter } from './rate-limiter.js';
import { WriteBursts } from './write-bursts.js';
import type { ScopeRegistry } from './scope-registry.js';
import type { UserScope } from './user-scope.js';
import type { Logger } from '../logger.js';
import type { GatewayStats } from './stats.js';

export interface AdmissionDeps {
  readonly options: ResolvedOptions;
  readonly stats: GatewayStats;
  readonly scopes: ScopeRegistry;
  readonly inbound: InboundHandler;
  closing(): boolean;
}

/**
 * What every socket of a gateway shares, made once (`socketShared`) rather than per socket:
 * an idle connection should hold its own state only (issue 19, "Idle memory").
 */
interface SocketShared {
  readonly connection: ConnectionDeps;
  readonly onError: (error: Error) => void;
}

/** Takes upgraded sockets in with `deps`: `admitSocket` with the per-gateway parts made once. */
export function socketAdmission(deps: AdmissionDeps): (ws: WebSocket, request: IncomingMessage, url: URL) => Promise<void> {
  const { options, stats } = deps;
  const { logger, limits, bus } = options;
  const shared: SocketShared = {
    connection: {
      log: bus.log,
      stats,
      logger,
      maxBufferedBytes: limits.maxBufferedBytes,
      bursts: new WriteBursts(),
      rateLimiter: (now) => new RateLimiter(limits.ratePerSecond, limits.rateBurst, limits.abuseFramesPerSecond, now),
    },
    onError: (error) => logger.debug({ err: error }, 'socket error'),
  };
  return (ws, request, url) => admitSocket(deps, shared, ws, request, url);
}

/**
 * Takes an upgraded socket to a live connection of its user, or refuses it with a close
 * code: subprotocol, authentication, shutdown, token expiry, connections per user. Then it
 * registers the connection with the user's scope, joins the stream and hands frames on.
 * A token checked in this turn goes on to the join without a promise hop (authenticate.ts).
 */
function admitSocket(deps: AdmissionDeps, shared: SocketShared, ws: WebSocket, request: IncomingMessage, url: URL): Promise<void> {
  const { options } = deps;
  ws.on('error', shared.onError);
  if (ws.protocol !== SUBPROTOCOL) {
    refuse(deps, ws, CloseCode.protocolError, 'subprotocol agentwire.v1 required', undefined);
    return Promise.resolve();
  }
  // Frames sent before the join completes are kept (bounded) and answered after it, in order.
  const early = bufferEarlyFrames(ws);
  const auth = authenticateUpgrade(request, url, {
    verifier: options.verifier,
    tickets: options.bus.tickets,
    allowQueryToken: options.allowQueryToken,
  });
  if (isPromiseLike(auth)) return Promise.resolve(auth).then((outcome) => joinAuthenticated(deps, shared, ws, url, early, outcome));
  return joinAuthenticated(deps, shared, ws, url, early, auth);
}

async function joinAuthenticated(deps: AdmissionDeps, shared: SocketShared, ws: WebSocket, url: URL, early: EarlyFrames, auth: AuthOutcome): Promise<void> {
  const { options, stats, scopes, inbound } = deps;
  const { logger, limits, bus } = options;
  if (!auth.ok) {
    refuse(deps, ws, auth.closeCode, auth.reason, undefined, auth.detail);
    return;
  }
  if (deps.closing()) {
    // Upgraded just before close(): joining now would leave a socket the shutdown never closes.
    refuse(deps, ws, CloseCode.goingAway, 'server going away', auth.userId);
    return;
  }
  if (auth.expiresAtMs !== undefined && auth.expiresAtMs <= Date.now()) {
    refuse(deps, ws, CloseCode.tokenExpired, 'token_expired', auth.userId);
    return;
  }
  if (ws.readyState !== ws.OPEN) return;
  const scope = scopes.scopeFor({ userId: auth.userId });
  if (scope.connections.size >= limits.maxConnectionsPerUser) {
    refuse(deps, ws, CloseCode.tooManyRequests, 'too_many_connections', auth.userId);
    return;
  }
  const connection = new Connection(ws, auth.userId, shared.connection);
  const onMessage = watchSocket(connection, scope, inbound, logger);
  await scope.attach(connection);
  stats.connectionsOpened++;
  await joinStream(connection, url, bus.log, options.heartbeatMs);
  if (!connection.isOpen) return;
  logger.info({ event: 'ws_open', user: auth.userId, connection: connection.id, resumed: url.searchParams.has('last_seq') }, 'connection opened');
  if (auth.expiresAtMs !== undefined) connection.expireAt(auth.expiresAtMs);
  const kept = early.drain();
  ws.on('message', onMessage);
  for (const [data, isBinary] of kept) onMessage(data, isBinary);
}

const isPromiseLike = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> => typeof (value as Partial<PromiseLike<T>>).then === 'function';

/**
 * The listeners an open socket keeps for its whole life; returns its frame handler, attached
 * once the join is done. Made here, not in `admitSocket`: closures share their function's
 * context, so made there they would keep its upgrade request, URL and authentication alive
 * as long as the socket; made together they share one context.
 */
function watchSocket(connection: Connection, scope: UserScope, inbound: InboundHandler, logger: Logger): (data: RawData, isBinary: boolean) => void {
  connection.socket.on('close', (code, reason) => {
    connection.stopExpiry();
    scope.detach(connection);
    logger.info(
      { event: 'ws_close', user: connection.userId, connection: connection.id, code, reason: reason.toString(), ms: Date.now() - connection.openedAt },
      'connection closed',
    );
  });
  connection.socket.on('pong', () => (connection.missedPongs = 0));
  return (data, isBinary) => inbound.handle(connection, scope, data, isBinary);
}

function refuse(deps: AdmissionDeps, ws: WebSocket, code: number, reason: string, userId: string | undefined, detail?: string): void {
  deps.stats.connectionsRefused++;
  deps.options.logger.info({ event: 'ws_refused', user: userId, code, reason, detail }, 'connection refused');
  ws.close(code, reason);
}
