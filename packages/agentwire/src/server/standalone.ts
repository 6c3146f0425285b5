import { createServer } from 'node:http';
import { fileURLToPath } from 'node:url';
import { createDemoAgent } from '../agents/demo-agent.js';
import { createLlmAgent } from '../agents/llm/llm-agent.js';
import { builtinTools } from '../agents/tools/builtin.js';
import type { Agent } from '../agents/types.js';
import { createDevLogin } from '../auth/dev-login.js';
import { createRedisBus } from '../bus/redis/redis-bus.js';
import type { Bus } from '../bus/types.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/types.js';
import { createGateway, type Gateway } from '../gateway/gateway.js';
import type { Logger } from '../logger.js';
import type { ServerConfig } from './config.js';
import { attachAiSdkSocket } from './ai-sdk/ws-endpoint.js';
import { createHttpHandler } from './http-api.js';
import { createMetricsRegistry } from './metrics.js';
import { createProducerApi } from './producer/producer-api.js';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly gateway: Gateway;
  /** Graceful: drains runs, closes sockets with 1001, stops listening. */
  close(): Promise<void>;
}

export interface StandaloneOptions {
  logger: Logger;
  /** Overrides the engine chosen from the config (tests use this). */
  bus?: Bus;
  /** Overrides the store chosen from the config (tests use this). */
  store?: Store;
  /** Agents beside the demo agent. */
  extraAgents?: readonly Agent[];
}

/** The chat page's built files, shipped beside `dist/`. */
export const WEB_ROOT = fileURLToPath(new URL('../../web/dist', import.meta.url));

/** Starts the standalone server of `npm start`: chat page, `/ws`, `/ai-sdk/ws`, and the HTTP routes. */
export async function startServer(config: ServerConfig, options: StandaloneOptions): Promise<RunningServer> {
  const retention = { maxEvents: config.retentionEvents, maxAgeMs: config.retentionMs };
  // REDIS_URL switches to the cluster engine; this server then owns (and closes) that bus.
  const ownBus =
    options.bus === undefined && config.redisUrl !== undefined
      ? await createRedisBus({ url: config.redisUrl, prefix: config.redisPrefix, retention, logger: options.logger })
      : undefined;
  const bus = options.bus ?? ownBus;
  let ownStore: Store | undefined;
  try {
    ownStore = options.store === undefined ? await openStore(config.store) : undefined;
  } catch (error) {
    await ownBus?.close();
    throw error;
  }
  const store = options.store ?? ownStore!;
  const { headersTimeoutMs, requestTimeoutMs, keepAliveTimeoutMs } = config.http;
  const server = createServer({
    headersTimeout: headersTimeoutMs,
    requestTimeout: requestTimeoutMs,
    keepAliveTimeout: keepAliveTimeoutMs,
    // Node enforces both timeouts only when it checks (every 30 s by default): check often
    // enough that a slow client is cut off near its limit, not up to 30 s later.
    connectionsCheckingInterval: Math.min(1000, headersTimeoutMs),
  });
  const gateway = createGateway({
    quiet: true,
    server,
    auth: { jwt: config.jwt },
    allowQueryToken: config.allowQueryToken,
    // One allow-list and one address rule for the API (CORS, rate limits) and for /ws.
    allowedOrigins: config.allowedOrigins,
    trustProxy: config.trustProxy,
    ticketTtlMs: config.ticketTtlMs,
    ...(bus && { bus }),
    store,
    history: config.history,
    retention,
    agents: [
      createDemoAgent({ delayMs: config.demoDelayMs }),
      // Offered beside the demo when AGENTWIRE_LLM_MODEL is set; the page lets the user pick.
      ...(config.llm ? [createLlmAgent(config.llm)] : []),
      ...(options.extraAgents ?? []),
    ],
    defaultAgent: 'demo',
    tools: builtinTools(),
    limits: { maxConnectionsPerUser: config.maxConnectionsPerUser, maxRunsInFlightPerUser: config.maxRunsPerUser },
    heartbeatMs: config.heartbeatMs,
    runTimeoutMs: config.runTimeoutMs,
    coalesceDeltasMs: config.coalesceDeltasMs,
    approvalTimeoutMs: config.approvalTimeoutMs,
    clientToolTimeoutMs: config.clientToolTimeoutMs,
    scopeIdleMs: config.scopeIdleMs,
    shutdownDrainMs: config.shutdownDrainMs,
    logger: options.logger,
  });
  const devLogin = config.devLogin && config.jwt.secret ? createDevLogin(config.jwt.secret, config.devTokenTtlMs) : undefined;
  server.on(
    'request',
    createHttpHandler(gateway, {
      ...(devLogin && { devLogin }),
      staticRoot: WEB_ROOT,
      metrics: createMetricsRegistry(gateway),
      allowedOrigins: config.allowedOrigins,
      rateLimit: config.httpRate,
      trustProxy: config.trustProxy,
      producer: createProducerApi(gateway, config.producer),
    }),
  );
  // `/ai-sdk/ws` beside `/ws` on the same server: the upgrade is routed by path.
  const aiSdkSocket = attachAiSdkSocket(gateway);
  let port: number;
  try {
    ({ port } = await gateway.listen(config.port, config.host, config.listenBacklog));
  } catch (error) {
    await ownBus?.close();
    await ownStore?.close();
    throw error;
  }
  const shownHost = config.host === '0.0.0.0' ? '127.0.0.1' : config.host;
  return {
    url: `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${port}`,
    port,
    gateway,
    async close() {
      aiSdkSocket.close();
      await gateway.close();
      if (server.listening) {
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeAllConnections();
        await stopped;
      }
      await ownBus?.close();
      await ownStore?.close();
    },
  };
}
