import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoAgent, createGateway } from '../../src/index.js';
import type { Reply } from '../../src/protocol/types.js';
import { Gates, gatedAgent } from '../chaos/support/gated-agent.js';
import { waitUntil } from '../helpers/wait.js';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, TEST_SECRET, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

/**
 * Every limit of docs/protocol.md set to a non-default value: the configured value is the one
 * enforced (the defaults themselves are covered by bad-input, connect and run-failures).
 */
const LIMITS = {
  maxFrameBytes: 2048,
  maxTextBytes: 300,
  maxClientMsgIdLength: 16,
  ratePerSecond: 2,
  rateBurst: 4,
  abuseFramesPerSecond: 12,
  maxConnectionsPerUser: 2,
  maxRunsInFlightPerUser: 2,
};

const errorCode = (frame: unknown) => (frame as Reply<'error'>).data.code;

/**
 * The socket still answers: a ping gets its pong. Probes are spaced (well under the abuse
 * threshold) because the rate limiter may refuse the first ones until its bucket refills.
 */
async function answers(client: TestClient): Promise<void> {
  for (let attempt = 0; attempt < 40; attempt++) {
    const tag = `probe-${attempt}`;
    const replies = client.frames.length;
    client.send({ type: 'ping', client_ts: tag });
    await waitUntil(() => client.frames.length > replies, 'an answer to the probe');
    if (client.replies('pong').some((p) => p.data.client_ts === tag)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error('the connection never answered a ping again');
}

describe.each(testEngines())('configured limits ($name engine)', (engine) => {
  const gates = new Gates();
  let server: TestServer;
  let seq = 0;
  const user = () => `limits-${engine.name}-${process.pid}-${++seq}`;

  beforeAll(async () => {
    server = await startTestServer({ engine, agents: [gatedAgent(gates), createDemoAgent({ delayMs: 0 })], limits: LIMITS });
  });
  afterAll(() => server.close());

  it(`inbound frame size: ${LIMITS.maxFrameBytes} bytes is answered, one byte more closes with 1009`, async () => {
    const token = await server.token(user());
    const client = await TestClient.connect(server.wsUrl, { token });
    // Padded with a field the parser ignores: client_ts itself is bounded to 64 characters.
    const envelope = JSON.stringify({ type: 'ping', pad: '' }).length;
    client.send(JSON.stringify({ type: 'ping', pad: 'a'.repeat(LIMITS.maxFrameBytes - envelope) }));
    await client.waitFor((f) => f.type === 'pong');
    client.send(JSON.stringify({ type: 'ping', pad: 'a'.repeat(LIMITS.maxFrameBytes - envelope + 1) }));
    expect((await client.closed).code).toBe(1009);
    // Below the default (64 KiB) yet above the configured limit: the configured value rules.
    expect(LIMITS.maxFrameBytes).toBeLessThan(64 * 1024);
  });

  it(`text length: ${LIMITS.maxTextBytes} UTF-8 bytes accepted, more → invalid_message naming text, counted in bytes not characters`, async () => {
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(user()) });
    const atLimit = await client.ask('x'.repeat(LIMITS.maxTextBytes), { agent: 'demo' });
    expect(atLimit.type).toBe('message_accepted');
    const over = await client.ask('x'.repeat(LIMITS.maxTextBytes + 1), { agent: 'demo' });
    expect(over).toMatchObject({ type: 'error', data: { code: 'invalid_message', message: expect.stringContaining('text') } });
    // 101 euro signs are 101 characters but 303 bytes.
    const multiByte = await client.ask('€'.repeat(101), { agent: 'demo' });
    expect(errorCode(multiByte)).toBe('invalid_message');
    await answers(client);
    await client.close();
  });

  it(`client_msg_id length: ${LIMITS.maxClientMsgIdLength} characters accepted, more → invalid_message`, async () => {
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(user()) });
    expect((await client.ask('What is 1 + 1?', { agent: 'demo' }, 'i'.repeat(LIMITS.maxClientMsgIdLength))).type).toBe('message_accepted');
    client.send({ type: 'user_message', client_msg_id: 'i'.repeat(LIMITS.maxClientMsgIdLength + 1), text: 'hi', agent: 'demo' });
    const error = await client.waitFor((f) => f.type === 'error');
    expect(error).toMatchObject({ data: { code: 'invalid_message', message: expect.stringContaining('client_msg_id') } });
    await client.close();
  });

  it(`message rate: a burst of ${LIMITS.rateBurst} is answered, the next frames get rate_limited, the connection stays and recovers`, async () => {
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(user()) });
    const burst = LIMITS.rateBurst + 3;
    // Sent back to back, fewer than the abuse threshold.
    for (let i = 0; i < burst; i++) client.send({ type: 'ping', client_ts: i });
    await waitUntil(() => client.replies('pong').length + client.replies('error').length >= burst, 'an answer to every frame');
    const pongs = client.replies('pong').map((p) => p.data.client_ts);
    expect(pongs.slice(0, LIMITS.rateBurst)).toEqual([0, 1, 2, 3]);
    expect(client.replies('error').map((e) => e.data.code)).toContain('rate_limited');
    expect(client.replies('error').every((e) => e.data.code === 'rate_limited')).toBe(true);
    await answers(client);
    await client.close();
  });

  it(`more than ${LIMITS.abuseFramesPerSecond} frames within one second → close 4029`, async () => {
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(user()) });
    for (let i = 0; i < LIMITS.abuseFramesPerSecond * 3; i++) client.send({ type: 'ping', client_ts: i });
    expect((await client.closed).code).toBe(4029);
    expect(client.replies('error').map((e) => e.data.code)).toContain('rate_limited');
  });

  it(`connections per user: the ${LIMITS.maxConnectionsPerUser + 1}th socket → close 4029 too_many_connections; other users unaffected; a freed slot is reusable`, async () => {
    const userId = user();
    const token = await server.token(userId);
    const open = [await TestClient.connect(server.wsUrl, { token }), await TestClient.connect(server.wsUrl, { token })];
    const refused = TestClient.open(server.wsUrl, { token });
    expect(await refused.closed).toEqual({ code: 4029, reason: 'too_many_connections' });
    expect(refused.frames).toEqual([]);
    const other = await TestClient.connect(server.wsUrl, { token: await server.token(user()) });
    await open[0]!.close();
    await waitUntil(() => server.gateway.health().connections === 2, 'the closed socket to free its slot');
    const again = await TestClient.connect(server.wsUrl, { token });
    expect(again.established.user_id).toBe(userId);
    await Promise.all([open[1]!.close(), other.close(), again.close()]);
  });

  it(`runs in flight: the ${LIMITS.maxRunsInFlightPerUser + 1}th → too_many_runs (nothing emitted); once one ends, the same client_msg_id is accepted`, async () => {
    const userId = user();
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(userId) });
    const runs: string[] = [];
    for (let i = 0; i < LIMITS.maxRunsInFlightPerUser; i++) {
      const ok = (await client.ask('go', {}, `run-${i}`)) as Reply<'message_accepted'>;
      expect(ok.type).toBe('message_accepted');
      runs.push(ok.data.run_id);
    }
    // Each accepted run has its user_message and agent_started on the stream.
    await waitUntil(() => client.events().length === 2 * LIMITS.maxRunsInFlightPerUser, 'the runs to start');
    const before = (await server.bus.log.head(userId)).lastSeq;
    const refused = await client.ask('go', {}, 'one-too-many');
    expect(refused).toMatchObject({ type: 'error', data: { code: 'too_many_runs', client_msg_id: 'one-too-many' } });
    expect((await server.bus.log.head(userId)).lastSeq).toBe(before);

    gates.for(runs[0]!).release(100);
    await client.waitForRunEnd(runs[0]!);
    await waitUntil(() => server.gateway.health().runs_active === LIMITS.maxRunsInFlightPerUser - 1, 'the run to leave the in-flight count');
    // Not `ask`: that would find the earlier error frame for the same client_msg_id.
    const seen = client.frames.length;
    client.send({ type: 'user_message', client_msg_id: 'one-too-many', text: 'go' });
    await waitUntil(() => client.frames.length > seen, 'an answer to the retry');
    const retried = client.frames[seen] as Reply<'message_accepted'>;
    expect(retried, JSON.stringify(retried)).toMatchObject({ type: 'message_accepted', data: { client_msg_id: 'one-too-many' } });
    for (const runId of [runs[1]!, retried.data.run_id]) {
      gates.for(runId).release(100);
      await client.waitForRunEnd(runId);
    }
    await client.close();
  });
});

describe('limits are validated when the gateway is created', () => {
  it.each([0, -1, Number.NaN, Number.POSITIVE_INFINITY])('limits.maxBufferedBytes = %s → AW_ERR_CONFIG', (value) => {
    expect(() =>
      createGateway({ auth: { jwt: { secret: TEST_SECRET } }, agents: [createDemoAgent()], limits: { maxBufferedBytes: value } }),
    ).toThrow(expect.objectContaining({ code: 'AW_ERR_CONFIG' }));
  });
});
