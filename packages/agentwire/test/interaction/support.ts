import { afterEach } from 'vitest';
import { createDemoAgent, type Agent } from '../../src/index.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import type { Reply, ServerFrame, StreamEvent } from '../../src/protocol/types.js';
import type { EngineFactory } from '../helpers/engines.js';
import { purgeAndClose, requireRedisBus, uniquePrefix } from '../redis/support/redis-env.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

/**
 * An agent that asks its user (protocol 1.2) and reports what it was told: "ask" requests
 * approval for `send_email`; "client" calls the client tool `local_time`. The answer text
 * states the outcome, so tests read it from `agent_completed`.
 */
export const askingAgent: Agent = {
  name: 'asker',
  async run(input, context) {
    if (input.text.startsWith('ask')) {
      const decision = await context.interactions.requestApproval({ toolName: 'send_email', args: { to: 'bob@example.com' }, reason: 'to tell Bob' });
      await context.notifier.delta(`approved=${decision.approved} resolution=${decision.resolution} reason=${decision.reason ?? ''}`);
      return;
    }
    if (input.text.startsWith('client')) {
      const outcome = await context.interactions.callClientTool('local_time', { format: 'iso' });
      await context.notifier.delta(outcome.ok ? `result=${JSON.stringify(outcome.result)}` : `error=${outcome.error}`);
      return;
    }
    await context.notifier.delta('nothing asked');
  },
};

/** Two gateways over one Redis key space and one store: two processes as far as coordination goes. */
export interface TwoGateways {
  readonly a: TestServer;
  readonly b: TestServer;
  close(): Promise<void>;
}

export async function startTwoGateways(options: TestServerOptions = {}): Promise<TwoGateways> {
  const prefix = uniquePrefix();
  const store = createMemoryStore();
  const shared: EngineFactory = { name: 'redis', create: (engine) => requireRedisBus({ prefix, retention: engine.retention ?? {} }) };
  const a = await startTestServer({ ...options, engine: shared, store });
  const b = await startTestServer({ ...options, engine: shared, store });
  return {
    a,
    b,
    async close() {
      await a.close();
      await b.close();
      await purgeAndClose(await requireRedisBus({ prefix }));
      await store.close();
    },
  };
}

export async function connectAs(server: TestServer, userId: string, query: Record<string, string | number> = {}): Promise<TestClient> {
  return TestClient.connect(server.wsUrl, { token: await server.token(userId), query });
}

export function accepted(frame: ServerFrame): Reply<'message_accepted'>['data'] {
  if (frame.type !== 'message_accepted') throw new Error(`message not accepted: ${JSON.stringify(frame)}`);
  return frame.data;
}

/** Waits for the first event of `type` in run `runId`. */
export async function eventOf<T extends StreamEvent['type']>(client: TestClient, runId: string, type: T, timeoutMs = 5000): Promise<StreamEvent<T>> {
  return (await client.waitFor((f) => 'seq' in f && f.run_id === runId && f.type === type, timeoutMs)) as StreamEvent<T>;
}

export function runEvents(client: TestClient, runId: string): StreamEvent[] {
  return client.events().filter((e) => e.run_id === runId);
}

/** The `error` replies that echo `runId`. */
export function errorsFor(client: TestClient, runId: string): Array<Reply<'error'>['data']> {
  return client.replies('error').filter((r) => r.data.run_id === runId).map((r) => r.data);
}

/** Waits for an `error` reply echoing `runId` with `code`. */
export async function errorReply(client: TestClient, runId: string, code: string): Promise<Reply<'error'>['data']> {
  const frame = await client.waitFor((f) => f.type === 'error' && f.data.run_id === runId && f.data.code === code);
  return (frame as Reply<'error'>).data;
}

export function answerText(events: readonly StreamEvent[]): string {
  const end = events.find((e) => e.type === 'agent_completed') as StreamEvent<'agent_completed'> | undefined;
  if (!end) throw new Error(`the run did not complete: ${JSON.stringify(events.map((e) => e.type))}`);
  return end.data.result.text;
}

/** GET with the user's Bearer token, JSON body. */
export async function getJson<T>(server: TestServer, userId: string, path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${server.httpUrl}${path}`, { headers: { authorization: `Bearer ${await server.token(userId)}` } });
  return { status: response.status, body: (await response.json()) as T };
}

/**
 * Servers (the asking agent and the demo agent) and tabs for one test file's approval and
 * client tool tests, all closed after each test, newest first. Call once at the file's top.
 */
export function interactionFixtures(): {
  server(options?: TestServerOptions): Promise<TestServer>;
  tab(on: TestServer, userId: string, query?: Record<string, string | number>): Promise<TestClient>;
} {
  const cleanups: Array<() => Promise<unknown>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });
  return {
    async server(options = {}) {
      const started = await startTestServer({ agents: [askingAgent, createDemoAgent({ delayMs: 0 })], ...options });
      cleanups.push(() => started.close());
      return started;
    },
    async tab(on, userId, query = {}) {
      const client = await connectAs(on, userId, query);
      cleanups.push(() => client.close());
      return client;
    },
  };
}
