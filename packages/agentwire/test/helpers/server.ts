import { createServer } from 'node:http';
import { SignJWT } from 'jose';
import { createDemoAgent } from '../../src/agents/demo-agent.js';
import { builtinTools } from '../../src/agents/tools/builtin.js';
import type { Agent } from '../../src/agents/types.js';
import { createDevLogin } from '../../src/auth/dev-login.js';
import type { Bus } from '../../src/bus/types.js';
import { createGateway, type Gateway } from '../../src/gateway/gateway.js';
import type { GatewayOptions } from '../../src/gateway/options.js';
import { createHttpHandler, type HttpApiOptions } from '../../src/server/http-api.js';
import { createMetricsRegistry } from '../../src/server/metrics.js';
import type { EngineFactory } from './engines.js';

const LOOPBACK_CONNECT_LIMITS = { maxConnectionsPerAddress: 100_000, connectsPerSecondPerAddress: 100_000, connectsPerSecond: 100_000 };

export const TEST_SECRET = 'agentwire-test-secret-0123456789abcdef';

/** An HS256 token for `userId` signed with TEST_SECRET, valid for `ttlSeconds` (negative: already expired). */
export function testToken(userId: string, ttlSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt(now - (ttlSeconds < 0 ? 7200 : 0))
    .setExpirationTime(now + ttlSeconds)
    .sign(new TextEncoder().encode(TEST_SECRET));
}

export interface TestServerOptions extends Partial<Omit<GatewayOptions, 'auth' | 'server' | 'bus' | 'agents'>> {
  engine?: EngineFactory;
  /** Options of the HTTP routes beside the test ones (dev login, metrics). */
  http?: HttpApiOptions;
  agents?: Agent[];
  demoDelayMs?: number;
}

export interface TestServer {
  readonly port: number;
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly gateway: Gateway;
  readonly bus: Bus;
  /** An HS256 token for `userId`, valid for `ttlSeconds` (negative: already expired). */
  token(userId: string, ttlSeconds?: number): Promise<string>;
  close(): Promise<void>;
}

/** The real gateway and HTTP routes on a free loopback port. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const { engine, agents, demoDelayMs, http, ...gatewayOptions } = options;
  const bus = engine ? await engine.create({ retention: options.retention ?? {} }) : undefined;
  const server = createServer();
  const gateway = createGateway({
    shutdownDrainMs: 0,
    ...gatewayOptions,
    // Every test client connects from 127.0.0.1, in bursts: the per-address admission limits
    // would refuse them. Tests of those limits pass their own.
    connectLimits: { ...LOOPBACK_CONNECT_LIMITS, ...gatewayOptions.connectLimits },
    server,
    ...(bus && { bus }),
    auth: { jwt: { secret: TEST_SECRET } },
    quiet: true,
    agents: agents ?? [createDemoAgent({ delayMs: demoDelayMs ?? 0 })],
    tools: builtinTools(),
  });
  server.on(
    'request',
    createHttpHandler(gateway, { devLogin: createDevLogin(TEST_SECRET, 3600_000), metrics: createMetricsRegistry(gateway), ...http }),
  );
  const { port } = await gateway.listen(0, '127.0.0.1');
  return {
    port,
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    gateway,
    bus: gateway.bus,
    token: testToken,
    async close() {
      await gateway.close();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
      if (bus) await bus.close();
    },
  };
}
