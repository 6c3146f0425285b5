import { createServer } from 'node:http';
import { SignJWT } from 'jose';
import { createDemoAgent, builtinTools, type Bus, createGateway, type Gateway } from '../../src/index.js';
import { createProducerApi, createHttpHandler } from '../../src/server.js';
import { TEST_SECRET, testToken } from '../helpers/server.js';

export const PRODUCER_KEY = 'producer-key-0123456789abcdef-0123456789';

export interface ProducerTestServer {
  readonly httpUrl: string;
  readonly wsUrl: string;
  readonly gateway: Gateway;
  readonly bus: Bus;
  close(): Promise<void>;
}

/** The real gateway, its HTTP routes and the producer API on a free loopback port. */
export async function startProducerServer(options: { silenceMs?: number; bus?: Bus } = {}): Promise<ProducerTestServer> {
  const server = createServer();
  const gateway = createGateway({
    shutdownDrainMs: 0,
    server,
    ...(options.bus && { bus: options.bus }),
    auth: { jwt: { secret: TEST_SECRET } },
    quiet: true,
    agents: [createDemoAgent({ delayMs: 0 })],
    tools: builtinTools(),
  });
  const producer = createProducerApi(gateway, { keys: [PRODUCER_KEY], silenceMs: options.silenceMs ?? 60_000 });
  server.on('request', createHttpHandler(gateway, { producer }));
  const { port } = await gateway.listen(0, '127.0.0.1');
  return {
    httpUrl: `http://127.0.0.1:${port}`,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    gateway,
    bus: gateway.bus,
    async close() {
      await gateway.close();
      const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await stopped;
    },
  };
}

/** A JWT signed like a user's token, with the given `scope` claim. */
export function scopedToken(subject: string, scope: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ scope })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(subject)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(new TextEncoder().encode(TEST_SECRET));
}

export const userToken = testToken;

/** An answer of the producer API as tests read it (fields absent in some answers). */
export interface ApiBody {
  readonly [field: string]: unknown;
  readonly run_id: string;
  readonly thread_id: string;
  readonly appended: ReadonlyArray<{ key: string; type: string; seq: number }>;
  readonly error: { code: string; rule?: string; message: string };
  readonly stop_requested: boolean;
  readonly reason: { code: string; message: string };
}

/** One request to the producer API; answers status and parsed body. */
export async function call(
  baseUrl: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  credential: string = PRODUCER_KEY,
): Promise<{ status: number; body: ApiBody }> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${credential}`, 'content-type': 'application/json' },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as ApiBody };
}
