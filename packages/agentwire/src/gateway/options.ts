import type { Server } from 'node:http';
import type { Agent } from '../agents/types.js';
import type { Tool } from '../agents/tools/registry.js';
import { ToolRegistry } from '../agents/tools/registry.js';
import type { JwtOptions, TokenVerifier } from '../auth/jwt.js';
import { createJwtVerifier } from '../auth/jwt.js';
import type { Bus, RetentionOptions } from '../bus/types.js';
import { DEFAULTS } from '../defaults.js';
import { MemoryBus } from '../bus/memory/memory-bus.js';
import { AgentwireError } from '../errors.js';
import { silentLogger, type Logger } from '../logger.js';
import { DEFAULT_LIMITS, type Limits } from '../protocol/limits.js';
import { resolveConnectLimits, type ConnectLimits } from './connect-limits.js';
import { createMemoryStore } from '../store/memory-store.js';
import type { Store } from '../store/types.js';

/** How runs are kept in the store (docs/architecture.md, "Stream and store"). */
export interface HistoryOptions {
  /** Least time between two checkpoints of a run in flight (default 250 ms). */
  checkpointMs?: number;
  /** How long a run's final message may wait for an unreachable store before the run ends failed (default 30 s). */
  finalWriteTimeoutMs?: number;
  /** Characters of a thread's earlier turns given to agents as memory, trimmed from the oldest (default 48,000). */
  budgetChars?: number;
}

export interface GatewayOptions {
  /** Attach to this server; without it the gateway makes one (`gateway.listen()`). */
  server?: Server;
  /** Upgrade path (default `/ws`). */
  path?: string;
  /** How tokens are verified: JWT settings, or your own verifier. */
  auth: { jwt: JwtOptions } | { verifier: TokenVerifier };
  /**
   * Limits checked on the upgrade request, answered with HTTP 503 (this server is full) or
   * 429 (this address), before any WebSocket exists. Defaults: 10,000 sockets, 200 per
   * address, 500 new upgrades a second, 50 a second per address (gateway/connect-limits.ts).
   */
  connectLimits?: Partial<ConnectLimits>;
  /**
   * Behind a load balancer or reverse proxy you trust: count per-address limits against the
   * last `X-Forwarded-For` entry instead of the proxy's own address (default false: the
   * header is ignored, as any client can write it).
   */
  trustProxy?: boolean;
  /**
   * Browser origins allowed to open sockets besides the server's own (`https://chat.example.com`;
   * `'*'` any). Once a list is set, the origin of the request's own `Host` always passes and
   * any other `Origin` is refused with HTTP 403 before the upgrade; requests without `Origin`
   * (not browsers) always pass (auth/origin-policy.ts). Default: unset, any origin (the
   * library cannot know the page's origin); the standalone server passes `[]`, its own only.
   */
  allowedOrigins?: readonly string[];
  /** Accept `?token=` on the upgrade URL (off by default: URLs end up in logs). */
  allowQueryToken?: boolean;
  /** Lifetime of `POST /auth/ticket` tickets (default 60 s). */
  ticketTtlMs?: number;
  /** Event engine; default an in-process memory bus owned (and closed) by the gateway. */
  bus?: Bus;
  /** Retention of the default memory bus (ignored when `bus` is given). */
  retention?: Partial<RetentionOptions>;
  /** Durable history (threads, messages, notes); default an in-process memory store owned (and closed) by the gateway. */
  store?: Store;
  history?: HistoryOptions;
  agents: readonly Agent[];
  /** Agent used when a message names none (default: the first of `agents`). */
  defaultAgent?: string;
  tools?: ToolRegistry | readonly Tool<never>[];
  limits?: Partial<Limits>;
  heartbeatMs?: number;
  /** A run still going after this is ended with `agent_error` code `timeout` (default 5 min). */
  runTimeoutMs?: number;
  /**
   * Consecutive text deltas of a run within this window travel as one `agent_message_delta`
   * (docs/protocol.md, "Coalesced deltas"; default 30 ms; 0 sends every delta on its own).
   */
  coalesceDeltasMs?: number;
  /**
   * An approval request unanswered this long resolves `expired` and the tool does not run
   * (default 5 min; protocol 1.2). The wait does not count against `runTimeoutMs`.
   */
  approvalTimeoutMs?: number;
  /** A client tool call (`executor: "client"`) unanswered this long completes with an error (default 60 s; protocol 1.2). */
  clientToolTimeoutMs?: number;
  /** A scope with no sockets and no runs is released after this (default 30 min). */
  scopeIdleMs?: number;
  /** On close, how long running runs may continue before they end with `shutdown` (default 10 s). */
  shutdownDrainMs?: number;
  /**
   * Where the gateway logs (one line per connection open and close, warnings, errors);
   * default: nothing, but for one line on stdout when its server starts listening.
   */
  logger?: Logger;
  /** No line when the server starts listening (the standalone server says it itself). */
  quiet?: boolean;
}

export interface ResolvedOptions {
  readonly path: string;
  readonly verifier: TokenVerifier;
  readonly allowQueryToken: boolean;
  readonly connectLimits: Readonly<ConnectLimits>;
  readonly trustProxy: boolean;
  readonly allowedOrigins: readonly string[] | undefined;
  readonly ticketTtlMs: number;
  readonly bus: Bus;
  readonly ownsBus: boolean;
  readonly store: Store;
  readonly ownsStore: boolean;
  readonly history: Readonly<Required<HistoryOptions>>;
  readonly agents: ReadonlyMap<string, Agent>;
  readonly defaultAgent: string;
  readonly tools: ToolRegistry;
  readonly limits: Readonly<Limits>;
  readonly heartbeatMs: number;
  readonly runTimeoutMs: number;
  readonly coalesceDeltasMs: number;
  readonly approvalTimeoutMs: number;
  readonly clientToolTimeoutMs: number;
  readonly scopeIdleMs: number;
  readonly shutdownDrainMs: number;
  readonly logger: Logger;
  /** Say where the gateway listens: through `logger` when one was given, else on stdout unless `quiet`. */
  readonly announce: 'logger' | 'stdout' | 'none';
}

export function resolveOptions(options: GatewayOptions): ResolvedOptions {
  if (!options.agents || options.agents.length === 0) throw new AgentwireError('AW_ERR_CONFIG', 'agents must name at least one agent');
  const agents = new Map<string, Agent>();
  for (const agent of options.agents) {
    if (agents.has(agent.name)) throw new AgentwireError('AW_ERR_CONFIG', `agent "${agent.name}" registered twice`);
    agents.set(agent.name, agent);
  }
  const defaultAgent = options.defaultAgent ?? options.agents[0]!.name;
  if (!agents.has(defaultAgent)) throw new AgentwireError('AW_ERR_CONFIG', `defaultAgent "${defaultAgent}" is not among agents`);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  for (const [name, value] of Object.entries(limits)) {
    if (!Number.isFinite(value) || value <= 0) throw new AgentwireError('AW_ERR_CONFIG', `limits.${name} must be a positive number`);
  }
  const verifier = 'verifier' in options.auth ? options.auth.verifier : createJwtVerifier(options.auth.jwt);
  const tools = options.tools instanceof ToolRegistry ? options.tools : new ToolRegistry(options.tools ?? []);
  return {
    path: options.path ?? '/ws',
    verifier,
    allowQueryToken: options.allowQueryToken ?? DEFAULTS.allowQueryToken.value,
    connectLimits: resolveConnectLimits(options.connectLimits),
    trustProxy: options.trustProxy ?? false,
    allowedOrigins: options.allowedOrigins === undefined ? undefined : [...options.allowedOrigins],
    ticketTtlMs: positive('ticketTtlMs', options.ticketTtlMs, DEFAULTS.ticketTtlMs.value),
    bus: options.bus ?? new MemoryBus({ retention: options.retention ?? {} }),
    ownsBus: options.bus === undefined,
    store: options.store ?? createMemoryStore(),
    ownsStore: options.store === undefined,
    history: {
      checkpointMs: nonNegative('history.checkpointMs', options.history?.checkpointMs, DEFAULTS.checkpointMs.value),
      finalWriteTimeoutMs: nonNegative('history.finalWriteTimeoutMs', options.history?.finalWriteTimeoutMs, DEFAULTS.finalWriteTimeoutMs.value),
      budgetChars: positive('history.budgetChars', options.history?.budgetChars, DEFAULTS.historyBudgetChars.value),
    },
    agents,
    defaultAgent,
    tools,
    limits,
    heartbeatMs: positive('heartbeatMs', options.heartbeatMs, DEFAULTS.heartbeatMs.value),
    runTimeoutMs: positive('runTimeoutMs', options.runTimeoutMs, DEFAULTS.runTimeoutMs.value),
    coalesceDeltasMs: nonNegative('coalesceDeltasMs', options.coalesceDeltasMs, DEFAULTS.coalesceDeltasMs.value),
    approvalTimeoutMs: positive('approvalTimeoutMs', options.approvalTimeoutMs, DEFAULTS.approvalTimeoutMs.value),
    clientToolTimeoutMs: positive('clientToolTimeoutMs', options.clientToolTimeoutMs, DEFAULTS.clientToolTimeoutMs.value),
    scopeIdleMs: positive('scopeIdleMs', options.scopeIdleMs, DEFAULTS.scopeIdleMs.value),
    shutdownDrainMs: nonNegative('shutdownDrainMs', options.shutdownDrainMs, DEFAULTS.shutdownDrainMs.value),
    logger: options.logger ?? silentLogger,
    announce: options.quiet ? 'none' : options.logger ? 'logger' : 'stdout',
  };
}

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value <= 0) throw new AgentwireError('AW_ERR_CONFIG', `${name} must be a positive number`);
  return value;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 0) throw new AgentwireError('AW_ERR_CONFIG', `${name} must be zero or more`);
  return value;
}
