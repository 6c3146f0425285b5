import { afterEach, describe, expect, it } from 'vitest';
import type { Reply, StreamEvent } from '../../src/protocol/types.js';
import { goldenPathProblems, seqProblems } from '../chaos/support/stream-checks.js';
import type { EngineFactory } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { PrivateRedis } from './support/redis-server.js';
import { requireRedisBus } from './support/redis-env.js';
import { eventually } from '../helpers/wait.js';

/**
 * Redis stopped and started again while a run is going, on a private redis-server (the
 * shared one is never touched). During the outage: /health/websocket says degraded, new
 * messages get `unavailable`, sockets stay open. After it: recovery without help, and the
 * run still reaches its terminal event.
 */
const disposers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const dispose of disposers.splice(0).reverse()) await dispose();
});

async function setUp(persistent: boolean, appendTimeoutMs?: number): Promise<{ redis: PrivateRedis; server: TestServer }> {
  const redis = await PrivateRedis.start({ persistent });
  disposers.push(() => redis.dispose());
  const engine: EngineFactory = {
    name: 'redis',
    create: (options) => requireRedisBus({ url: redis.url, retention: options.retention ?? {}, ...(appendTimeoutMs && { appendTimeoutMs }) }),
  };
  // Steps of 300 ms: the run is still going while Redis is down and back.
  const server = await startTestServer({ engine, demoDelayMs: 300 });
  disposers.push(() => server.close());
  return { redis, server };
}

async function healthStatus(server: TestServer): Promise<string> {
  const body = (await (await fetch(`${server.httpUrl}/health/websocket`)).json()) as { status: string };
  return body.status;
}

function runIdOf(frame: unknown): string {
  const reply = frame as Reply;
  if (reply.type !== 'message_accepted') throw new Error(`message not accepted: ${JSON.stringify(reply)}`);
  return reply.data.run_id;
}

/** Stops Redis mid-run and checks everything that must hold while it is down. */
async function outage(redis: PrivateRedis, server: TestServer, tab: TestClient): Promise<void> {
  await redis.stop();
  await eventually('/health/websocket to say degraded', async () => (await healthStatus(server)) === 'degraded');
  const refused = await tab.ask('What is 1 + 1?');
  expect(refused).toMatchObject({ type: 'error', data: { code: 'unavailable' } });
  tab.send({ type: 'ping', client_ts: 'during-outage' });
  await tab.waitFor((f) => f.type === 'pong' && (f.data as { client_ts?: unknown }).client_ts === 'during-outage');
  expect(tab.socket.readyState).toBe(tab.socket.OPEN);
  await redis.restart();
  await eventually('/health/websocket to say ok again', async () => (await healthStatus(server)) === 'ok', 10_000);
}

describe('Redis outage during a run', () => {
  it('Redis that keeps its data (AOF): the socket stays open and receives the whole run, gap-free', async () => {
    const { redis, server } = await setUp(true);
    const tab = await TestClient.connect(server.wsUrl, { token: await server.token('outage-aof') });
    const runId = runIdOf(await tab.ask('What is 17 * 23 and 2 ^ 10?'));
    await tab.waitFor((f) => 'seq' in f && f.run_id === runId && f.type === 'agent_thinking');

    await outage(redis, server, tab);

    const end = await tab.waitForRunEnd(runId, 15_000);
    expect(end).toMatchObject({ type: 'agent_completed', data: { result: { text: expect.stringContaining('17 * 23 = 391') } } });
    expect(tab.socket.readyState).toBe(tab.socket.OPEN);
    expect(seqProblems(tab.events(), 0)).toEqual([]);
    expect(goldenPathProblems(tab.events())).toEqual([]);
    // Recovered: a new message is accepted and runs.
    const next = runIdOf(await tab.ask('What is 6 * 7?'));
    expect(await tab.waitForRunEnd(next)).toMatchObject({ type: 'agent_completed' });
  });

  it('Redis that comes back empty: sockets are told to resume, the new epoch says so, and the run still ends with its terminal event', async () => {
    const { redis, server } = await setUp(false);
    const token = await server.token('outage-flushed');
    const tab = await TestClient.connect(server.wsUrl, { token });
    const oldEpoch = tab.established.epoch;
    const runId = runIdOf(await tab.ask('What is 17 * 23 and 2 ^ 10?'));
    await tab.waitFor((f) => 'seq' in f && f.run_id === runId && f.type === 'agent_thinking');

    await outage(redis, server, tab);

    // The history is gone; the socket's position means nothing now, so it is closed for a resume.
    expect((await tab.closed).code).toBe(1013);
    const lastSeq = tab.events().at(-1)!.seq;
    const resumed = await TestClient.connect(server.wsUrl, { token, query: { last_seq: lastSeq, epoch: oldEpoch } });
    const gap = (await resumed.waitFor((f) => f.type === 'resume_gap')) as Reply<'resume_gap'>;
    expect(resumed.established.resumed).toBe(false);
    expect(gap.data.epoch).not.toBe(oldEpoch);
    await resumed.close();

    // The new life of the stream, from its start: the rest of the run, ending with its terminal event.
    const fresh = await TestClient.connect(server.wsUrl, { token, query: { last_seq: 0, epoch: gap.data.epoch } });
    expect(fresh.established.resumed).toBe(true);
    const end = (await fresh.waitForRunEnd(runId, 15_000)) as StreamEvent;
    expect(['agent_completed', 'agent_error']).toContain(end.type);
    expect(seqProblems(fresh.events(), 0)).toEqual([]);
    expect(fresh.events().filter((e) => e.run_id === runId && (e.type === 'agent_completed' || e.type === 'agent_error'))).toHaveLength(1);
    const next = runIdOf(await fresh.ask('What is 6 * 7?'));
    expect(await fresh.waitForRunEnd(next)).toMatchObject({ type: 'agent_completed' });
    await fresh.close();
  });

  it('Redis down for longer than an append may wait: the run ends (no crash, no hung run), the socket stays open, and the gateway recovers', async () => {
    const { redis, server } = await setUp(false, 200);
    const tab = await TestClient.connect(server.wsUrl, { token: await server.token('outage-long') });
    const runId = runIdOf(await tab.ask('What is 17 * 23 and 2 ^ 10?'));
    await tab.waitFor((f) => 'seq' in f && f.run_id === runId && f.type === 'agent_thinking');
    await redis.stop();
    // The run's next append fails after 200 ms, so does its agent_error: the runner lets the run go.
    await eventually('the failed run to leave the runner', () => server.gateway.health().runs_active === 0, 10_000);
    expect(server.gateway.health().status).toBe('degraded');
    tab.send({ type: 'ping', client_ts: 'still-here' });
    await tab.waitFor((f) => f.type === 'pong');
    await redis.restart();
    await eventually('/health/websocket to say ok again', async () => (await healthStatus(server)) === 'ok', 10_000);
    // This Redis came back empty: the socket is sent off to resume; a new connection works normally.
    expect((await tab.closed).code).toBe(1013);
    const again = await TestClient.connect(server.wsUrl, { token: await server.token('outage-long') });
    const next = runIdOf(await again.ask('What is 6 * 7?'));
    expect(await again.waitForRunEnd(next)).toMatchObject({ type: 'agent_completed' });
    await again.close();
  });
});
