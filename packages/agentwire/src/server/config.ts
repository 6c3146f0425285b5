import { createPublicKey } from 'node:crypto';
import { isIP } from 'node:net';
import { DEFAULTS } from '../defaults.js';
import { parseAllowedOrigins } from '../auth/origin-policy.js';
import { AgentwireError } from '../errors.js';
import type { StoreConfig } from '../store/open-store.js';

/** Everything the standalone server reads from its environment (README, "Configuration"). */
export interface ServerConfig {
  port: number;
  host: string;
  /** The kernel's queue of connections not yet accepted (`listen(2)`'s backlog, capped by net.core.somaxconn). */
  listenBacklog: number;
  jwt: { secret?: string; publicKey?: string; jwksUrl?: string; issuer?: string; audience?: string };
  /**
   * Dev mode in effect: no key configured and dev mode asked for (`AGENTWIRE_DEV=1`, `--dev`),
   * so the key is the one kept in the data directory, dev login is on and HOST defaults to
   * 127.0.0.1. False whenever a key is configured, whatever AGENTWIRE_DEV says.
   */
  devMode: boolean;
  devLogin: boolean;
  devTokenTtlMs: number;
  allowQueryToken: boolean;
  demoDelayMs: number;
  heartbeatMs: number;
  runTimeoutMs: number;
  approvalTimeoutMs: number;
  clientToolTimeoutMs: number;
  scopeIdleMs: number;
  shutdownDrainMs: number;
  ticketTtlMs: number;
  retentionEvents: number;
  retentionMs: number;
  maxConnectionsPerUser: number;
  maxRunsPerUser: number;
  /** Believe the last `X-Forwarded-For` entry as the client's address (one proxy in front). */
  trustProxy: boolean;
  /** Browser origins beside the server's own that may call the API and open `/ws`. */
  allowedOrigins: string[];
  /** Limits of the Node HTTP server: a slow client cannot hold a connection open. */
  http: { headersTimeoutMs: number; requestTimeoutMs: number; keepAliveTimeoutMs: number };
  /** Token bucket per client address on `/auth/*` and `/agui`. */
  httpRate: { perMinute: number; burst: number };
  /** The gateway's `history` options (src/gateway/options.ts, HistoryOptions). */
  history: { budgetChars: number; checkpointMs: number; finalWriteTimeoutMs: number };
  /** The gateway's `coalesceDeltasMs`. */
  coalesceDeltasMs: number;
  logLevel: string;
  redisUrl: string | undefined;
  /** Put before every Redis key and channel, so several deployments can share one Redis. */
  redisPrefix: string;
  /**
   * Where history is kept: PostgreSQL with `DATABASE_URL`, else SQLite in `AGENTWIRE_DATA_DIR`
   * (`AGENTWIRE_STORE=memory` keeps it in the process only, for experiments).
   */
  store: StoreConfig;
  /** The producer API (docs/producers.md): its API keys and the silence that ends a producer's run. */
  producer: { keys: string[]; silenceMs: number };
  /** The OpenAI-compatible endpoint of agent `llm`; undefined when not configured (no `llm` agent). */
  llm: LlmConfig | undefined;
}

export interface LlmConfig {
  baseURL: string;
  apiKey: string | undefined;
  model: string;
  requestTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

/**
 * Reads the standalone server's configuration. `devSecret(dataDir)` gives dev mode's key (the
 * CLI keeps it in the data directory); it is called only in dev mode.
 *
 * Fail closed (issue 12): with no key configured the server refuses to start unless dev mode is
 * asked for, and refuses with `REDIS_URL` even then (processes would each sign with their own).
 */
export function configFromEnv(env: Env, devSecret: (dataDir: string) => string): ServerConfig {
  const secret = text(env, 'AGENTWIRE_JWT_SECRET');
  const publicKey = pem(env, 'AGENTWIRE_JWT_PUBLIC_KEY');
  const jwksUrl = url(env, 'AGENTWIRE_JWKS_URL', ['http:', 'https:']);
  const keyCount = [secret, publicKey, jwksUrl].filter(Boolean).length;
  if (keyCount > 1) {
    throw new AgentwireError('AW_ERR_CONFIG', 'set only one of AGENTWIRE_JWT_SECRET, AGENTWIRE_JWT_PUBLIC_KEY, AGENTWIRE_JWKS_URL');
  }
  if (secret !== undefined && secret.length < 32) {
    throw new AgentwireError('AW_ERR_CONFIG', 'AGENTWIRE_JWT_SECRET must be at least 32 characters');
  }
  const devAsked = bool(env, 'AGENTWIRE_DEV') ?? false;
  const devMode = keyCount === 0;
  if (devMode && text(env, 'REDIS_URL') !== undefined) {
    throw new AgentwireError(
      'AW_ERR_CONFIG',
      'REDIS_URL is set but no JWT key is: set the same AGENTWIRE_JWT_SECRET, AGENTWIRE_JWT_PUBLIC_KEY or AGENTWIRE_JWKS_URL on every process (dev mode cannot serve several processes)',
    );
  }
  if (devMode && !devAsked) {
    throw new AgentwireError(
      'AW_ERR_CONFIG',
      'no JWT key configured: set AGENTWIRE_JWT_SECRET (32+ characters), AGENTWIRE_JWT_PUBLIC_KEY or AGENTWIRE_JWKS_URL; ' +
        'to try it on this machine only, start in dev mode with AGENTWIRE_DEV=1 or --dev (a kept dev key, dev login for any name, 127.0.0.1)',
    );
  }
  const devLoginSetting = bool(env, 'AGENTWIRE_DEV_LOGIN');
  const devLogin = devLoginSetting ?? devMode;
  if (devLogin && publicKey !== undefined) {
    throw new AgentwireError('AW_ERR_CONFIG', 'AGENTWIRE_DEV_LOGIN needs AGENTWIRE_JWT_SECRET (it signs HS256 tokens), not a public key');
  }
  if (devLogin && jwksUrl !== undefined) {
    throw new AgentwireError('AW_ERR_CONFIG', 'AGENTWIRE_DEV_LOGIN needs AGENTWIRE_JWT_SECRET (it signs HS256 tokens), not a JWKS URL');
  }
  const jwt: ServerConfig['jwt'] = {};
  if (secret !== undefined) jwt.secret = secret;
  if (publicKey !== undefined) jwt.publicKey = publicKey;
  if (jwksUrl !== undefined) jwt.jwksUrl = jwksUrl;
  const issuer = text(env, 'AGENTWIRE_JWT_ISSUER');
  const audience = text(env, 'AGENTWIRE_JWT_AUDIENCE');
  if (issuer !== undefined) jwt.issuer = issuer;
  if (audience !== undefined) jwt.audience = audience;
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const config: ServerConfig = {
    port: int(env, 'PORT', DEFAULTS.port.value, 0, 65535),
    // Dev mode signs tokens for any name: reachable from this machine only, unless HOST says otherwise.
    host: host(env, 'HOST') ?? (devMode ? '127.0.0.1' : DEFAULTS.host.value),
    listenBacklog: int(env, 'AGENTWIRE_LISTEN_BACKLOG', DEFAULTS.listenBacklog.value, 1, 65535),
    jwt,
    devMode,
    devLogin,
    devTokenTtlMs: int(env, 'AGENTWIRE_DEV_TOKEN_TTL_MS', DEFAULTS.devTokenTtlMs.value, 1000),
    allowQueryToken: bool(env, 'AGENTWIRE_ALLOW_QUERY_TOKEN') ?? DEFAULTS.allowQueryToken.value,
    demoDelayMs: int(env, 'AGENTWIRE_DEMO_DELAY_MS', DEFAULTS.demoDelayMs.value, 0, 60_000),
    heartbeatMs: int(env, 'AGENTWIRE_HEARTBEAT_MS', DEFAULTS.heartbeatMs.value, 10),
    runTimeoutMs: int(env, 'AGENTWIRE_RUN_TIMEOUT_MS', DEFAULTS.runTimeoutMs.value, 10),
    approvalTimeoutMs: int(env, 'AGENTWIRE_APPROVAL_TIMEOUT_MS', DEFAULTS.approvalTimeoutMs.value, 10),
    clientToolTimeoutMs: int(env, 'AGENTWIRE_CLIENT_TOOL_TIMEOUT_MS', DEFAULTS.clientToolTimeoutMs.value, 10),
    scopeIdleMs: int(env, 'AGENTWIRE_SCOPE_IDLE_MS', DEFAULTS.scopeIdleMs.value, 10),
    shutdownDrainMs: int(env, 'AGENTWIRE_SHUTDOWN_DRAIN_MS', DEFAULTS.shutdownDrainMs.value, 0),
    ticketTtlMs: int(env, 'AGENTWIRE_TICKET_TTL_MS', DEFAULTS.ticketTtlMs.value, 1000),
    retentionEvents: int(env, 'AGENTWIRE_RETENTION_EVENTS', DEFAULTS.retentionEvents.value, 1),
    retentionMs: int(env, 'AGENTWIRE_RETENTION_MS', DEFAULTS.retentionMs.value, 1000),
    maxConnectionsPerUser: int(env, 'AGENTWIRE_MAX_CONNECTIONS_PER_USER', DEFAULTS.maxConnectionsPerUser.value, 1),
    maxRunsPerUser: int(env, 'AGENTWIRE_MAX_RUNS_PER_USER', DEFAULTS.maxRunsPerUser.value, 1),
    trustProxy: bool(env, 'AGENTWIRE_TRUST_PROXY') ?? DEFAULTS.trustProxy.value,
    allowedOrigins: parseAllowedOrigins(text(env, 'AGENTWIRE_ALLOWED_ORIGINS') ?? '', 'AGENTWIRE_ALLOWED_ORIGINS'),
    http: httpTimeouts(env),
    httpRate: {
      perMinute: int(env, 'AGENTWIRE_HTTP_RATE_PER_MINUTE', DEFAULTS.httpRatePerMinute.value, 1),
      burst: int(env, 'AGENTWIRE_HTTP_RATE_BURST', DEFAULTS.httpRateBurst.value, 1),
    },
    history: {
      budgetChars: int(env, 'AGENTWIRE_HISTORY_BUDGET_CHARS', DEFAULTS.historyBudgetChars.value, 1),
      checkpointMs: int(env, 'AGENTWIRE_CHECKPOINT_MS', DEFAULTS.checkpointMs.value, 0),
      finalWriteTimeoutMs: int(env, 'AGENTWIRE_FINAL_WRITE_TIMEOUT_MS', DEFAULTS.finalWriteTimeoutMs.value, 0),
    },
    coalesceDeltasMs: int(env, 'AGENTWIRE_COALESCE_DELTAS_MS', DEFAULTS.coalesceDeltasMs.value, 0),
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], DEFAULTS.logLevel.value),
    redisUrl,
    redisPrefix: text(env, 'AGENTWIRE_REDIS_PREFIX') ?? DEFAULTS.redisPrefix.value,
    store: storeConfig(env, redisUrl !== undefined),
    llm: llmConfig(env),
    producer: {
      keys: producerKeys(env),
      silenceMs: int(env, 'AGENTWIRE_PRODUCER_SILENCE_MS', DEFAULTS.producerSilenceMs.value, 10),
    },
  };
  // Last, once everything else is valid: a refused configuration leaves no key file behind.
  if (devMode) jwt.secret = devSecret(text(env, 'AGENTWIRE_DATA_DIR') ?? DEFAULTS.dataDir.value);
  return config;
}

/**
 * The store engine (docs/deploy.md): several processes (Redis) must share one store, so
 * `REDIS_URL` without `DATABASE_URL` is refused: each process's SQLite file would hold a
 * different part of every user's history.
 */
function storeConfig(env: Env, clustered: boolean): StoreConfig {
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const engine = oneOf(env, 'AGENTWIRE_STORE', ['sqlite', 'postgres', 'memory'], databaseUrl ? 'postgres' : 'sqlite');
  if (engine === 'postgres') {
    if (!databaseUrl) throw new AgentwireError('AW_ERR_CONFIG', 'AGENTWIRE_STORE=postgres needs DATABASE_URL (postgres://user@host:5432/db)');
    return { engine, url: databaseUrl };
  }
  if (databaseUrl) throw new AgentwireError('AW_ERR_CONFIG', `DATABASE_URL is set but AGENTWIRE_STORE=${engine}: unset one of them`);
  if (clustered) {
    throw new AgentwireError(
      'AW_ERR_CONFIG',
      'REDIS_URL runs several processes, which must share one store: set DATABASE_URL (PostgreSQL, e.g. postgres://postgres@127.0.0.1:5432/agentwire)',
    );
  }
  if (engine === 'memory') return { engine };
  return { engine, dataDir: text(env, 'AGENTWIRE_DATA_DIR') ?? DEFAULTS.dataDir.value };
}

/** Node checks `headersTimeout` against `requestTimeout`: the headers cannot be allowed longer than the request. */
function httpTimeouts(env: Env): ServerConfig['http'] {
  const requestTimeoutMs = int(env, 'AGENTWIRE_REQUEST_TIMEOUT_MS', DEFAULTS.requestTimeoutMs.value, 100);
  const headersTimeoutMs = int(env, 'AGENTWIRE_HEADERS_TIMEOUT_MS', DEFAULTS.headersTimeoutMs.value, 100);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new AgentwireError('AW_ERR_CONFIG', `AGENTWIRE_HEADERS_TIMEOUT_MS (${headersTimeoutMs}) must not exceed AGENTWIRE_REQUEST_TIMEOUT_MS (${requestTimeoutMs})`);
  }
  const keepAliveTimeoutMs = int(env, 'AGENTWIRE_KEEP_ALIVE_TIMEOUT_MS', DEFAULTS.keepAliveTimeoutMs.value, 100);
  return { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs };
}

/** Agent `llm` is on when AGENTWIRE_LLM_MODEL is set; the other LLM settings need it. */
function llmConfig(env: Env): LlmConfig | undefined {
  const model = text(env, 'AGENTWIRE_LLM_MODEL');
  const baseURL = url(env, 'AGENTWIRE_LLM_BASE_URL', ['http:', 'https:']);
  const apiKey = text(env, 'AGENTWIRE_LLM_API_KEY');
  const requestTimeoutMs = int(env, 'AGENTWIRE_LLM_TIMEOUT_MS', DEFAULTS.llmTimeoutMs.value, 100);
  if (model === undefined) {
    const stray = (['AGENTWIRE_LLM_BASE_URL', 'AGENTWIRE_LLM_API_KEY', 'AGENTWIRE_LLM_TIMEOUT_MS'] as const).filter((name) => text(env, name));
    if (stray.length > 0) throw new AgentwireError('AW_ERR_CONFIG', `${stray.join(', ')} set without AGENTWIRE_LLM_MODEL: name the model too`);
    return undefined;
  }
  if (baseURL === undefined && apiKey === undefined) {
    throw new AgentwireError('AW_ERR_CONFIG', 'AGENTWIRE_LLM_MODEL needs AGENTWIRE_LLM_BASE_URL (a local server) or AGENTWIRE_LLM_API_KEY (OpenAI)');
  }
  return { baseURL: baseURL ?? 'https://api.openai.com/v1', apiKey, model, requestTimeoutMs };
}

/** `AGENTWIRE_PRODUCER_KEYS`: comma-separated; each long enough not to be guessed. */
function producerKeys(env: Env): string[] {
  const keys = (text(env, 'AGENTWIRE_PRODUCER_KEYS') ?? '').split(',').map((k) => k.trim()).filter(Boolean);
  if (keys.some((k) => k.length < 32)) throw new AgentwireError('AW_ERR_CONFIG', 'AGENTWIRE_PRODUCER_KEYS: each key must be at least 32 characters');
  return keys;
}

function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** A URL with one of `protocols`; anything else fails at start, not at first use. */
function url(env: Env, name: string, protocols: readonly string[]): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  const protocol = URL.canParse(raw) ? new URL(raw).protocol : undefined;
  if (protocol === undefined || !protocols.includes(protocol)) {
    // The value itself is not echoed: URLs like these may carry a password.
    const got = protocol === undefined ? 'something that is not a URL' : `a ${protocol}// URL`;
    throw new AgentwireError('AW_ERR_CONFIG', `${name} must be a ${protocols.map((p) => `${p}//`).join(' or ')} URL, got ${got}`);
  }
  return raw;
}

/** A PEM public key; one-line values may carry `\n` escapes (env files cannot hold newlines). */
function pem(env: Env, name: string): string | undefined {
  const value = text(env, name)?.replaceAll('\\n', '\n');
  if (value === undefined) return undefined;
  try {
    createPublicKey(value);
  } catch {
    throw new AgentwireError('AW_ERR_CONFIG', `${name} must be a PEM public key ("-----BEGIN PUBLIC KEY-----" ...)`);
  }
  return value;
}

function host(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined || isIP(raw) !== 0 || /^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(raw)) return raw;
  throw new AgentwireError('AW_ERR_CONFIG', `${name} must be a host name or an IP address, got "${raw}"`);
}

function int(env: Env, name: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new AgentwireError('AW_ERR_CONFIG', `${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function bool(env: Env, name: string): boolean | undefined {
  const raw = text(env, name)?.toLowerCase();
  if (raw === undefined) return undefined;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new AgentwireError('AW_ERR_CONFIG', `${name} must be true or false, got "${raw}"`);
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) {
    throw new AgentwireError('AW_ERR_CONFIG', `${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}
