/**
 * The defaults of the settings both the library and the standalone server have, in one
 * table: the library's options (gateway, engines, agents) and `server/config.ts` read them
 * from here, and test/unit/defaults.test.ts checks the README's "Configuration" table
 * against it. `variable` is the standalone server's environment variable.
 */
export const DEFAULTS = {
  port: { variable: 'PORT', value: 8080 },
  host: { variable: 'HOST', value: '0.0.0.0' },
  listenBacklog: { variable: 'AGENTWIRE_LISTEN_BACKLOG', value: 4096 },
  devTokenTtlMs: { variable: 'AGENTWIRE_DEV_TOKEN_TTL_MS', value: 12 * 3600_000 },
  allowQueryToken: { variable: 'AGENTWIRE_ALLOW_QUERY_TOKEN', value: false },
  ticketTtlMs: { variable: 'AGENTWIRE_TICKET_TTL_MS', value: 60_000 },
  demoDelayMs: { variable: 'AGENTWIRE_DEMO_DELAY_MS', value: 150 },
  heartbeatMs: { variable: 'AGENTWIRE_HEARTBEAT_MS', value: 25_000 },
  runTimeoutMs: { variable: 'AGENTWIRE_RUN_TIMEOUT_MS', value: 5 * 60_000 },
  approvalTimeoutMs: { variable: 'AGENTWIRE_APPROVAL_TIMEOUT_MS', value: 5 * 60_000 },
  clientToolTimeoutMs: { variable: 'AGENTWIRE_CLIENT_TOOL_TIMEOUT_MS', value: 60_000 },
  scopeIdleMs: { variable: 'AGENTWIRE_SCOPE_IDLE_MS', value: 30 * 60_000 },
  shutdownDrainMs: { variable: 'AGENTWIRE_SHUTDOWN_DRAIN_MS', value: 10_000 },
  retentionEvents: { variable: 'AGENTWIRE_RETENTION_EVENTS', value: 1000 },
  retentionMs: { variable: 'AGENTWIRE_RETENTION_MS', value: 15 * 60_000 },
  maxConnectionsPerUser: { variable: 'AGENTWIRE_MAX_CONNECTIONS_PER_USER', value: 20 },
  maxRunsPerUser: { variable: 'AGENTWIRE_MAX_RUNS_PER_USER', value: 5 },
  llmTimeoutMs: { variable: 'AGENTWIRE_LLM_TIMEOUT_MS', value: 60_000 },
  logLevel: { variable: 'LOG_LEVEL', value: 'info' },
  redisPrefix: { variable: 'AGENTWIRE_REDIS_PREFIX', value: 'agentwire:' },
  dataDir: { variable: 'AGENTWIRE_DATA_DIR', value: './data' },
  historyBudgetChars: { variable: 'AGENTWIRE_HISTORY_BUDGET_CHARS', value: 48_000 },
  checkpointMs: { variable: 'AGENTWIRE_CHECKPOINT_MS', value: 250 },
  trustProxy: { variable: 'AGENTWIRE_TRUST_PROXY', value: false },
  headersTimeoutMs: { variable: 'AGENTWIRE_HEADERS_TIMEOUT_MS', value: 20_000 },
  requestTimeoutMs: { variable: 'AGENTWIRE_REQUEST_TIMEOUT_MS', value: 30_000 },
  keepAliveTimeoutMs: { variable: 'AGENTWIRE_KEEP_ALIVE_TIMEOUT_MS', value: 5_000 },
  httpRatePerMinute: { variable: 'AGENTWIRE_HTTP_RATE_PER_MINUTE', value: 120 },
  httpRateBurst: { variable: 'AGENTWIRE_HTTP_RATE_BURST', value: 60 },
  finalWriteTimeoutMs: { variable: 'AGENTWIRE_FINAL_WRITE_TIMEOUT_MS', value: 30_000 },
  coalesceDeltasMs: { variable: 'AGENTWIRE_COALESCE_DELTAS_MS', value: 30 },
  producerSilenceMs: { variable: 'AGENTWIRE_PRODUCER_SILENCE_MS', value: 30_000 },
} as const satisfies Record<string, { readonly variable: string; readonly value: number | string | boolean }>;
