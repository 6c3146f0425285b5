import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { AgentRunner } from './runner.js';
import type { VerifiedToken } from '../auth/jwt.js';
import type { AppendedEvent, Bus, Subscription, ThreadRecord } from '../bus/types.js';
import { AgentwireError } from '../errors.js';
import { CloseCode } from '../protocol/close-codes.js';
import { replyFrame } from '../protocol/frames.js';
import { createFrameParser } from '../protocol/inbound.js';
import { newId } from '../ids.js';
import { PROTOCOL_VERSION, SUBPROTOCOL, type StreamEvent } from '../protocol/types.js';
import { authenticateUpgrade } from './authenticate.js';
import { Connection } from './connection.js';
import { InboundHandler } from './inbound-handler.js';
import { resolveOptions, type GatewayOptions, type ResolvedOptions } from './options.js';
import { RateLimiter } from './rate-limiter.js';
import { canResume, resumeRequest } from './resume.js';
import { startRun, stopRun, type StartRunOutcome, type StartRunRequest, type StopRunOutcome } from './run-requests.js';
import { ScopeRegistry } from './scope-registry.js';
import { GatewayStats } from './stats.js';
import type { UserContext } from './user-context.js';
import type { UserScope } from './user-scope.js';
import { isTerminalType } from '../protocol/terminal.js';

/** A run request from outside a socket; `clientMsgId` defaults to a fresh id (no deduplication). */
export type GatewayRunRequest = Omit<StartRunRequest, 'clientMsgId'> & { readonly clientMsgId?: string | undefined };

/** Follows one run's events on its user's stream, from `user_message` to its terminal event. */
export interface RunWatch {
  onEvent(event: StreamEvent): void;
  /** Stops following (the run goes on). */
  readonly signal?: AbortSignal;
}

export interface AgentSummary {
  readonly name: string;
  readonly description: string;
}

export interface GatewayHealth {
  status: 'ok' | 'degraded' | 'closing';
  engine: Bus['engine'];
  connections: number;
  users: number;
  runs_active: number;
  events_delivered: number;
  delivery_failures: number;
  isolation_violations: number;
  slow_consumers_closed: number;
}

/** The one WebSocket manager of a process (DESIGN.md, "Gateway"). */
export class Gateway {
  readonly server: Server;
  readonly bus: Bus;
  readonly stats = new GatewayStats();
  readonly options: ResolvedOptions;
  private readonly scopes: ScopeRegistry;
  private readonly runner: AgentRunner;
  private readonly inbound: InboundHandler;
  private readonly wss: WebSocketServer;
  private readonly ownsServer: boolean;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly stopSubscription: () => void;
  private readonly onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => this.upgrade(request, socket, head);
  private closing: Promise<void> | undefined;

  constructor(options: GatewayOptions) {
    this.options = resolveOptions(options);
    const { bus, logger, limits } = this.options;
    this.bus = bus;
    this.ownsServer = options.server === undefined;
    this.server = options.server ?? createServer((_req, res) => res.writeHead(426).end());
    this.scopes = new ScopeRegistry(bus, this.options.scopeIdleMs, logger);
    this.runner = new AgentRunner({ bus, tools: this.options.tools, timeoutMs: this.options.runTimeoutMs, stats: this.stats, logger });
    this.inbound = new InboundHandler({
      options: this.options,
      runner: this.runner,
      parse: createFrameParser(limits),
      stats: this.stats,
      logger,
      accepting: () => this.closing === undefined,
    });
    this.wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: limits.maxFrameBytes,
      // Select agentwire.v1 when offered; never echo a `bearer.<jwt>` entry.
      handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false),
    });
    this.stopSubscription = bus.runs.onStopRequested((runId) => {
      this.runner.stop(runId, 'cancelled', 'stopped by the user');
    });
    this.server.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** The factory of user scopes: the only way to obtain one. */
  scopeFor(context: UserContext): UserScope {
    return this.scopes.scopeFor(context);
  }

  get scopeCount(): number {
    return this.scopes.size;
  }

  verifyToken(token: string): Promise<VerifiedToken> {
    return this.options.verifier.verify(token);
  }

  issueTicket(userId: string): Promise<{ ticket: string; expiresAt: Date }> {
    return this.bus.tickets.issue(userId, this.options.ticketTtlMs);
  }

  listThreads(userId: string): Promise<ThreadRecord[]> {
    return this.bus.threads.list(userId);
  }

  /** The retained events of one of the user's threads, or undefined if it is not theirs. */
  async threadEvents(userId: string, threadId: string): Promise<AppendedEvent[] | undefined> {
    const thread = await this.bus.threads.get(threadId);
    if (!thread || thread.userId !== userId) return undefined;
    const read = await this.bus.log.readAfter(userId, 0);
    return read.events.filter((e) => e.event.thread_id === threadId);
  }

  /** The agents a user may pick (`user_message.agent`), and the one used when none is named. */
  agentList(): { agents: AgentSummary[]; defaultAgent: string } {
    const agents = [...this.options.agents.values()].map((a) => ({ name: a.name, description: a.description ?? '' }));
    return { agents, defaultAgent: this.options.defaultAgent };
  }

  /**
   * Starts a run for `userId` exactly as a `user_message` on `/ws` does: the same checks,
   * runner and notifier, and the run's events on the user's stream with their seq, so the
   * user's open sockets show it too. For bridges (AG-UI) and host code. With `watch`, the
   * run's own events are passed to it as they are appended.
   */
  async startRun(userId: string, request: GatewayRunRequest, watch?: RunWatch): Promise<StartRunOutcome> {
    let runId: string | undefined;
    let subscription: Subscription | undefined;
    if (watch && !watch.signal?.aborted) {
      const sub = this.bus.log.subscribe(userId, ({ event }) => {
        if (event.run_id !== runId) return;
        watch.onEvent(event);
        if (isTerminalType(event.type)) sub.close();
      });
      subscription = sub;
      watch.signal?.addEventListener('abort', () => sub.close(), { once: true });
      // Following starts before the run does, so not even its first event is missed.
      await sub.ready;
    }
    const deps = { options: this.options, runner: this.runner, accepting: () => this.closing === undefined };
    const scope = this.scopes.scopeFor({ userId });
    const work = startRun(deps, scope, { ...request, clientMsgId: request.clientMsgId ?? newId('msg') }, (ids) => (runId = ids.runId));
    this.inbound.track(work);
    try {
      const outcome = await work;
      if (!outcome.ok || !outcome.fresh) subscription?.close();
      return outcome;
    } catch (error) {
      subscription?.close();
      throw error;
    }
  }

  /** Ends one of the user's runs with `cancelled`, wherever it executes, as `stop_agent` does. */
  stopRun(userId: string, runId: string): Promise<StopRunOutcome> {
    return stopRun(this.options, userId, runId);
  }

  health(): GatewayHealth {
    let connections = 0;
    for (const scope of this.scopes.all()) connections += scope.connections.size;
    return {
      status: this.closing ? 'closing' : this.bus.health(),
      engine: this.bus.engine,
      connections,
      users: this.scopes.size,
      runs_active: this.runner.activeCount,
      events_delivered: this.stats.eventsDelivered,
      delivery_failures: this.stats.deliveryFailures,
      isolation_violations: this.stats.isolationViolations,
      slow_consumers_closed: this.stats.slowConsumersClosed,
    };
  }

  /** Starts the gateway's own server (when it made one). */
  listen(port: number, host = '127.0.0.1'): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const address = this.server.address();
        resolve({ port: typeof address === 'object' && address ? address.port : port });
      });
    });
  }

  /**
   * Graceful shutdown: refuse new sockets and runs, let runs drain, end the rest with
   * `agent_error` code `shutdown`, then close every socket with 1001.
   */
  close(): Promise<void> {
    this.closing ??= this.shutdown();
    return this.closing;
  }

  private async shutdown(): Promise<void> {
    const { logger } = this.options;
    logger.info({ runs: this.runner.activeCount }, 'gateway shutting down');
    // A message accepted just before close() may still be on its way to starting its run.
    await this.inbound.idle();
    await this.runner.shutdown(this.options.shutdownDrainMs);
    clearInterval(this.heartbeat);
    this.stopSubscription();
    await this.flush(SHUTDOWN_FLUSH_MS);
    const sockets: WebSocket[] = [];
    for (const scope of this.scopes.all()) {
      for (const connection of scope.connections) {
        sockets.push(connection.socket);
        connection.close(CloseCode.goingAway, 'server going away');
      }
    }
    await Promise.all(sockets.map((s) => closed(s, 2000)));
    this.server.off('upgrade', this.onUpgrade);
    this.scopes.close();
    this.wss.close();
    if (this.options.ownsBus) await this.bus.close();
    if (this.ownsServer && this.server.listening) await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Waits until every socket has been written its user's stream up to now (fan-out may be asynchronous). */
  private async flush(timeoutMs: number): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const scope of this.scopes.all()) {
      if (scope.connections.size === 0) continue;
      const connections = [...scope.connections];
      waits.push(
        this.bus.log.head(scope.userId).then(
          (head) => Promise.all(connections.map((c) => c.delivered(head.lastSeq, timeoutMs))).then(() => undefined),
          (error: unknown) => this.options.logger.warn({ err: error, user: scope.userId }, 'shutdown flush skipped'),
        ),
      );
    }
    await Promise.all(waits);
  }

  private upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(request.url ?? '/', 'http://agentwire.invalid');
    if (url.pathname !== this.options.path) {
      // Leave other paths to other upgrade listeners, if the host application has any.
      if (this.server.listenerCount('upgrade') === 1) rejectUpgrade(socket, 404, 'Not Found');
      return;
    }
    if (this.closing) {
      rejectUpgrade(socket, 503, 'Service Unavailable');
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.accept(ws, request, url).catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'connection setup failed');
        if (ws.readyState === ws.OPEN) ws.close(CloseCode.tryAgainLater, 'try again later');
      });
    });
  }

  private async accept(ws: WebSocket, request: IncomingMessage, url: URL): Promise<void> {
    const { logger, limits } = this.options;
    ws.on('error', (error) => logger.debug({ err: error }, 'socket error'));
    if (ws.protocol !== SUBPROTOCOL) {
      this.refuse(ws, CloseCode.protocolError, 'subprotocol agentwire.v1 required', undefined);
      return;
    }
    // Frames sent before the join completes are kept and answered after it, in order.
    const early: Array<[RawData, boolean]> = [];
    const keepEarly = (data: RawData, isBinary: boolean) => early.push([data, isBinary]);
    ws.on('message', keepEarly);

    const auth = await authenticateUpgrade(request, url, {
      verifier: this.options.verifier,
      tickets: this.bus.tickets,
      allowQueryToken: this.options.allowQueryToken,
    });
    if (!auth.ok) {
      this.refuse(ws, auth.closeCode, auth.reason, undefined, auth.detail);
      return;
    }
    if (this.closing) {
      // Upgraded just before close(): joining now would leave a socket the shutdown never closes.
      this.refuse(ws, CloseCode.goingAway, 'server going away', auth.userId);
      return;
    }
    if (auth.expiresAtMs !== undefined && auth.expiresAtMs <= Date.now()) {
      this.refuse(ws, CloseCode.tokenExpired, 'token_expired', auth.userId);
      return;
    }
    if (ws.readyState !== ws.OPEN) return;
    const scope = this.scopes.scopeFor({ userId: auth.userId });
    if (scope.connections.size >= limits.maxConnectionsPerUser) {
      this.refuse(ws, CloseCode.tooManyRequests, 'too_many_connections', auth.userId);
      return;
    }
    const connection = new Connection(
      ws,
      auth.userId,
      new RateLimiter(limits.ratePerSecond, limits.rateBurst, limits.abuseFramesPerSecond, Date.now()),
      { log: this.bus.log, stats: this.stats, logger, maxBufferedBytes: limits.maxBufferedBytes },
    );
    let expiry: NodeJS.Timeout | undefined;
    ws.on('close', (code, reason) => {
      clearTimeout(expiry);
      scope.detach(connection);
      logger.info(
        { event: 'ws_close', user: auth.userId, connection: connection.id, code, reason: reason.toString(), ms: Date.now() - connection.openedAt },
        'connection closed',
      );
    });
    ws.on('pong', () => (connection.missedPongs = 0));
    await scope.attach(connection);
    this.stats.connectionsOpened++;
    await this.join(connection, url);
    if (!connection.isOpen) return;
    logger.info({ event: 'ws_open', user: auth.userId, connection: connection.id, resumed: url.searchParams.has('last_seq') }, 'connection opened');
    if (auth.expiresAtMs !== undefined) {
      // Re-armed until exp: setTimeout overflows past 2^31-1 ms and may fire early by the wall clock.
      const expiresAtMs = auth.expiresAtMs;
      const expire = (): void => {
        const left = expiresAtMs - Date.now();
        if (left > 0) {
          expiry = setTimeout(expire, Math.min(left, 2_147_483_647));
          expiry.unref();
          return;
        }
        connection.close(CloseCode.tokenExpired, 'token_expired');
      };
      expire();
    }
    ws.off('message', keepEarly);
    const onMessage = (data: RawData, isBinary: boolean) => this.inbound.handle(connection, scope, data, isBinary);
    ws.on('message', onMessage);
    for (const [data, isBinary] of early) onMessage(data, isBinary);
  }

  /** Sends `connection_established`, the resume replay or `resume_gap`, then goes live. */
  private async join(connection: Connection, url: URL): Promise<void> {
    const request = resumeRequest(url);
    const read =
      request.kind === 'resume'
        ? await this.bus.log.readAfter(connection.userId, request.afterSeq ?? 0)
        : { ...(await this.bus.log.head(connection.userId)), events: [] };
    const resumed = request.kind === 'resume' && canResume(request, read);
    connection.reply(
      replyFrame('connection_established', {
        connection_id: connection.id,
        user_id: connection.userId,
        protocol: PROTOCOL_VERSION,
        last_seq: read.lastSeq,
        epoch: read.epoch,
        resumed,
        heartbeat_ms: this.options.heartbeatMs,
      }),
    );
    if (request.kind === 'resume' && canResume(request, read)) {
      connection.goLive(request.afterSeq, read.events);
      return;
    }
    if (request.kind === 'resume') {
      connection.reply(
        replyFrame('resume_gap', { requested_after: request.afterSeq ?? 0, oldest_available: read.oldestSeq, epoch: read.epoch }),
      );
    }
    connection.goLive(read.lastSeq);
  }

  private refuse(ws: WebSocket, code: number, reason: string, userId: string | undefined, detail?: string): void {
    this.stats.connectionsRefused++;
    this.options.logger.info({ event: 'ws_refused', user: userId, code, reason, detail }, 'connection refused');
    ws.close(code, reason);
  }

  /** Pings every socket; one that missed two pings in a row is terminated. */
  private beat(): void {
    for (const scope of this.scopes.all()) {
      for (const connection of scope.connections) {
        if (connection.missedPongs >= 2) {
          this.options.logger.info({ event: 'ws_dead', user: scope.userId, connection: connection.id }, 'heartbeat missed twice');
          connection.socket.terminate();
          continue;
        }
        connection.missedPongs++;
        if (connection.socket.readyState === connection.socket.OPEN) connection.socket.ping();
      }
    }
  }
}

/** How long shutdown waits for fan-out to reach every socket before closing them with 1001. */
const SHUTDOWN_FLUSH_MS = 2000;

export function createGateway(options: GatewayOptions): Gateway {
  if (!options || typeof options !== 'object') throw new AgentwireError('AW_ERR_CONFIG', 'createGateway needs an options object');
  return new Gateway(options);
}

function rejectUpgrade(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

function closed(ws: WebSocket, timeoutMs: number): Promise<void> {
  if (ws.readyState === ws.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      ws.terminate();
      resolve();
    }, timeoutMs);
    ws.once('close', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
