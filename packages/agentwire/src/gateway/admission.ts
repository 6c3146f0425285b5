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
import { TokenExpiries } from './token-expiry.js';
import { WriteBursts } from './write-bursts.js';
import type { ScopeRegistry } from './scope-registry.js';
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
  /** The listeners an open socket keeps for its whole life, `this` being the socket (see `watchSocket`). */
  readonly onClose: (this: WebSocket, code: number, reason: Buffer) => void;
  readonly onPong: (this: WebSocket) => void;
  readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
}

/** The connection of a socket, for the listeners shared by all sockets (`SocketShared`). */
const CONNECTION = Symbol('agentwire.connection');
type WatchedSocket = WebSocket & { [CONNECTION]?: Connection };

/** Takes upgraded sockets in with `deps`: `admitSocket` with the per-gateway parts made once. */
export function socketAdmission(deps: AdmissionDeps): (ws: WebSocket, request: IncomingMessage, url: URL) => Promise<void> {
  const { options, stats, inbound } = deps;
  const { logger, limits, bus } = options;
  const shared: SocketShared = {
    connection: {
      log: bus.log,
      stats,
      logger,
      maxBufferedBytes: limits.maxBufferedBytes,
      bursts: new WriteBursts(),
      expiries: new TokenExpiries(),
      rateLimiter: (now) => new RateLimiter(limits.ratePerSecond, limits.rateBurst, limits.abuseFramesPerSecond, now),
    },
    onError: (error) => logger.debug({ err: error }, 'socket error'),
    onClose(code, reason) {
      const connection = (this as WatchedSocket)[CONNECTION]!;
      connection.stopExpiry();
      connection.scope.detach(connection);
      logger.info(
        { event: 'ws_close', user: connection.userId, connection: connection.id, code, reason: reason.toString(), ms: Date.now() - connection.openedAt },
        'connection closed',
      );
    },
    onPong() {
      (this as WatchedSocket)[CONNECTION]!.missedPongs = 0;
    },
    onMessage(data, isBinary) {
      const connection = (this as WatchedSocket)[CONNECTION]!;
      inbound.handle(connection, connection.scope, data, isBinary);
    },
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
  const connection = new Connection(ws, scope, shared.connection);
  watchSocket(connection, shared);
  await scope.attach(connection);
  stats.connectionsOpened++;
  await joinStream(connection, url, bus.log, options.heartbeatMs);
  if (!connection.isOpen) return;
  logger.info({ event: 'ws_open', user: auth.userId, connection: connection.id, resumed: url.searchParams.has('last_seq') }, 'connection opened');
  if (auth.expiresAtMs !== undefined) connection.expireAt(auth.expiresAtMs);
  const kept = early.drain();
  ws.on('message', shared.onMessage);
  for (const [data, isBinary] of kept) inbound.handle(connection, scope, data, isBinary);
}

const isPromiseLike = <T>(value: T | PromiseLike<T>): value is PromiseLike<T> => typeof (value as Partial<PromiseLike<T>>).then === 'function';

/**
 * Links the socket to its connection for the listeners every socket of the gateway shares:
 * per-socket closures (and their context) cost ~230 B of every idle connection (issue 19,
 * "Idle memory"). The frame handler is attached once the join is done.
 */
function watchSocket(connection: Connection, shared: SocketShared): void {
  const socket = connection.socket as WatchedSocket;
  socket[CONNECTION] = connection;
  socket.on('close', shared.onClose);
  socket.on('pong', shared.onPong);
}

function refuse(deps: AdmissionDeps, ws: WebSocket, code: number, reason: string, userId: string | undefined, detail?: string): void {
  deps.stats.connectionsRefused++;
  deps.options.logger.info({ event: 'ws_refused', user: userId, code, reason, detail }, 'connection refused');
  ws.close(code, reason);
}
