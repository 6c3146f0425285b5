import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocketServer } from 'ws';
import type { VerifiedToken } from '../auth/jwt.js';
import type { AppendedEvent, Bus, Subscription } from '../bus/types.js';
import { DurableWriter } from '../history/durable-writer.js';
import { ThreadService } from '../history/thread-service.js';
import type { Store } from '../store/types.js';
import { AgentwireError } from '../errors.js';
import { DEFAULTS } from '../defaults.js';
import { createFrameParser } from '../protocol/inbound.js';
import { newId } from '../ids.js';
import type { StreamEvent } from '../protocol/types.js';
import { socketAdmission } from './admission.js';
import { announceListening } from './announce.js';
import { startHeartbeat } from './heartbeat.js';
import { InboundHandler } from './inbound-handler.js';
import { resolveOptions, type GatewayOptions, type ResolvedOptions } from './options.js';
import { AgentRunner } from './runner.js';
import { INTERRUPTED_MESSAGE, startRun, stopRun, type StartRunOutcome, type StartRunRequest, type StopRunOutcome } from './run-requests.js';
import { ScopeRegistry } from './scope-registry.js';
import { shutDown } from './shutdown.js';
import { GatewayStats } from './stats.js';
import { ConnectGate } from './connect-gate.js';
import { createSocketServer, routeUpgrade, type UpgradeRoute } from './upgrade.js';
import type { UserContext } from './user-context.js';
import type { UserScope } from './user-scope.js';
import { isTerminalType } from '../protocol/terminal.js';
import { storeOrphanEnding } from '../history/orphan-history.js';

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
  /** The durable store's engine and health: `degraded` while it cannot be reached. */
  store: { engine: Store['engine']; status: 'ok' | 'degraded'; pending_writes: number };
  connections: number;
  users: number;
  runs_active: number;
  events_delivered: number;
  delivery_failures: number;
  isolation_violations: number;
  slow_consumers_closed: number;
}

/**
 * The one WebSocket manager of a process (docs/architecture.md, "Layers"): it wires the parts and
 * keeps the public API; upgrade.ts and admission.ts take sockets in, joining.ts joins them
 * to the stream, run-requests.ts starts and stops runs, shutdown.ts ends it all.
 */
export class Gateway {
  readonly server: Server;
  readonly bus: Bus;
  /** Durable history: threads, messages, notes. */
  readonly store: Store;
  /** The thread routes' logic (list, messages snapshot, rename, delete), for HTTP and host code. */
  readonly threads: ThreadService;
  readonly stats = new GatewayStats();
  readonly options: ResolvedOptions;
  private readonly scopes: ScopeRegistry;
  private readonly runner: AgentRunner;
  private readonly inbound: InboundHandler;
  private readonly writer: DurableWriter;
  private readonly wss: WebSocketServer;
  private readonly ownsServer: boolean;
  private readonly heartbeat: NodeJS.Timeout;
  private readonly stopSubscription: () => void;
  private readonly disconnectSubscription: () => void;
  private readonly onUpgrade: (request: IncomingMessage, socket: Duplex, head: Buffer) => void;
  private closing: Promise<void> | undefined;

  constructor(options: GatewayOptions) {
    this.options = resolveOptions(options);
    const { bus, store, logger, limits, history } = this.options;
    this.bus = bus;
    this.store = store;
    this.ownsServer = options.server === undefined;
    this.server = options.server ?? createServer((_req, res) => res.writeHead(426).end());
    this.writer = new DurableWriter({ logger, retryMs: 100, maxRetryMs: 5000 });
    const recorder = { messages: store.messages, writer: this.writer, logger, checkpointMs: history.checkpointMs, finalWriteTimeoutMs: history.finalWriteTimeoutMs };
    const notifier = { coalesceMs: this.options.coalesceDeltasMs };
    this.scopes = new ScopeRegistry(bus, { store, recorder, notifier }, this.options.scopeIdleMs, logger);
    this.runner = new AgentRunner({
      bus,
      store,
      historyBudgetChars: history.budgetChars,
      tools: this.options.tools,
      timeoutMs: this.options.runTimeoutMs,
      interaction: { approvalTimeoutMs: this.options.approvalTimeoutMs, clientToolTimeoutMs: this.options.clientToolTimeoutMs },
      stats: this.stats,
      logger,
    });
    this.threads = new ThreadService({
      store,
      log: bus.log,
      runs: bus.runs,
      logger,
      stopRun: (userId, runId) => this.stopRun(userId, runId),
      checkpointMs: history.checkpointMs,
      stopWaitMs: Math.max(history.finalWriteTimeoutMs, 5000),
    });
    bus.setOrphanHistory?.((run, runEvents, closing, epoch) => storeOrphanEnding(store.messages, run, runEvents, closing, epoch));
    this.inbound = new InboundHandler({
      options: this.options,
      runner: this.runner,
      writer: this.writer,
      parse: createFrameParser(limits),
      stats: this.stats,
      logger,
      accepting: () => this.closing === undefined,
    });
    this.wss = createSocketServer(limits.maxFrameBytes);
    this.stopSubscription = bus.runs.onStopRequested((runId, reason) => {
      this.runner.stop(runId, 'cancelled', reason === 'interrupted' ? INTERRUPTED_MESSAGE : 'stopped by the user');
    });
    // Disconnect requests from any process (this one included) close this process's sockets of the user.
    this.disconnectSubscription = bus.sessions.onDisconnectRequested((userId) => this.scopes.disconnectLocal(userId));
    const closing = (): boolean => this.closing !== undefined;
    const admit = socketAdmission({ options: this.options, stats: this.stats, scopes: this.scopes, inbound: this.inbound, closing });
    const route: UpgradeRoute = {
      server: this.server,
      wss: this.wss,
      path: this.options.path,
      logger,
      gate: new ConnectGate(this.options.connectLimits),
      trustProxy: this.options.trustProxy,
      allowedOrigins: this.options.allowedOrigins,
      closing,
      admit,
    };
    this.onUpgrade = (request, socket, head) => routeUpgrade(route, request, socket, head);
    this.server.on('upgrade', this.onUpgrade);
    this.heartbeat = startHeartbeat(this.scopes, logger, this.options.heartbeatMs);
    announceListening(this.server, this.options);
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

  /**
   * A single-use upgrade ticket. `tokenExpiresAtMs` is the `exp` of the token that buys it:
   * the ticket never outlives it, and the socket it opens closes 4001 at it, as a Bearer one does.
   */
  issueTicket(userId: string, tokenExpiresAtMs?: number): Promise<{ ticket: string; expiresAt: Date }> {
    return this.bus.tickets.issue(userId, this.options.ticketTtlMs, tokenExpiresAtMs);
  }

  /**
   * Ends every session of `userId` on every process (logout, ban, password change): each
   * socket closes with 4001, so the client SDK asks for a new token before it reconnects.
   * Resolves once the request is published; this process's sockets are closed by then.
   * Tickets already issued still open a socket until they expire (60 s by default); a ban
   * also belongs in the token verifier.
   */
  disconnectUser(userId: string): Promise<void> {
    return this.bus.sessions.requestDisconnect(userId);
  }

  /** The retained events of one of the user's threads, or undefined if it is not theirs. */
  async threadEvents(userId: string, threadId: string): Promise<AppendedEvent[] | undefined> {
    if (!(await this.threads.owned(userId, threadId))) return undefined;
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
    const deps = { options: this.options, runner: this.runner, writer: this.writer, accepting: () => this.closing === undefined };
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
      status: this.closing ? 'closing' : this.bus.health() === 'ok' && this.store.health() === 'ok' ? 'ok' : 'degraded',
      engine: this.bus.engine,
      store: { engine: this.store.engine, status: this.store.health(), pending_writes: this.writer.backlog },
      connections,
      users: this.scopes.size,
      runs_active: this.runner.activeCount,
      events_delivered: this.stats.eventsDelivered,
      delivery_failures: this.stats.deliveryFailures,
      isolation_violations: this.stats.isolationViolations,
      slow_consumers_closed: this.stats.slowConsumersClosed,
    };
  }

  /**
   * Starts the gateway's own server (when it made one). `backlog` is the kernel's queue of
   * connections not yet accepted: Node's 511 overflows in a reconnect storm (README, "Configuration").
   */
  listen(port: number, host = '127.0.0.1', backlog: number = DEFAULTS.listenBacklog.value): Promise<{ port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host, backlog }, () => {
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

  private shutdown(): Promise<void> {
    return shutDown({
      options: this.options,
      server: this.server,
      ownsServer: this.ownsServer,
      wss: this.wss,
      scopes: this.scopes,
      runner: this.runner,
      inbound: this.inbound,
      heartbeat: this.heartbeat,
      onUpgrade: this.onUpgrade,
      stopSubscription: () => {
        this.stopSubscription();
        this.disconnectSubscription();
      },
      writer: this.writer,
    });
  }
}

export function createGateway(options: GatewayOptions): Gateway {
  if (!options || typeof options !== 'object') throw new AgentwireError('AW_ERR_CONFIG', 'createGateway needs an options object');
  return new Gateway(options);
}
