import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoAgent } from '../../src/index.js';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

const SEED = 20261121;
/** The default frame limit: deep nesting up to it must be survivable. */
const MAX_FRAME = 64 * 1024;
const MAX_TEXT = 2 * 1024;

/** What one fuzz case sends: a text frame, raw bytes as a text frame, or a binary frame. */
type Sent = { kind: 'text'; text: string } | { kind: 'bytes-as-text'; bytes: Uint8Array } | { kind: 'binary'; bytes: Uint8Array };

/** Close codes a client may legitimately earn with a malformed frame. Never 1011. */
const ACCEPTABLE_CLOSES = new Set([1007, 1009]);

const hostileKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', 'type', 'text');
const hugeNumber = fc.constantFrom(1e308, -1e308, Number.MAX_SAFE_INTEGER + 2, 2 ** 64, -0, 5e-324);
const anyJson = fc.jsonValue({ maxDepth: 4 });

const knownFrame = fc.record(
  {
    type: fc.constantFrom('user_message', 'stop_agent', 'ping', 'PING', '', 'user_message ', '__proto__', 'constructor'),
    client_msg_id: fc.oneof(fc.string({ maxLength: 140 }), anyJson),
    text: fc.oneof(fc.string({ maxLength: 40 }), fc.string({ minLength: MAX_TEXT - 4, maxLength: MAX_TEXT + 4 }), anyJson),
    thread_id: fc.oneof(fc.string({ maxLength: 140 }), anyJson),
    run_id: fc.oneof(fc.string({ maxLength: 140 }), anyJson),
    agent: fc.oneof(fc.string({ maxLength: 70 }), anyJson),
    client_ts: fc.oneof(anyJson, hugeNumber),
  },
  { requiredKeys: [] },
);

/** A valid-looking frame with hostile keys and values mixed in. */
const mutatedFrame = fc
  .tuple(knownFrame, fc.dictionary(hostileKey, fc.oneof(anyJson, hugeNumber), { maxKeys: 4 }))
  .map(([frame, extra]) => {
    // JSON text, so that `__proto__` arrives as an own key exactly as a hostile client sends it.
    const head = JSON.stringify(frame).slice(0, -1);
    const tail = Object.entries(extra).map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`);
    return head.length > 1 && tail.length > 0 ? `${head},${tail.join(',')}}` : `${head}${tail.length ? tail.join(',') : ''}}`;
  });

function nested(depth: number, open: string, close: string, inner = '0'): string {
  return open.repeat(depth) + inner + close.repeat(depth);
}

const deepFrame = fc
  .tuple(fc.integer({ min: 100, max: 32_000 }), fc.constantFrom('client_ts', 'text', 'client_msg_id', 'type', 'run_id'), fc.constantFrom('ping', 'user_message', 'stop_agent'))
  .map(([depth, field, type]) => `{"type":"${type}","client_msg_id":"deep","${field}":${nested(depth, '[', ']')}}`);

const deepObjectFrame = fc.integer({ min: 100, max: 12_000 }).map((depth) => `{"type":"ping","client_ts":${nested(depth, '{"a":', '}')}}`);

const sentCase: fc.Arbitrary<Sent> = fc.oneof(
  { weight: 3, arbitrary: mutatedFrame.map((text) => ({ kind: 'text' as const, text })) },
  { weight: 2, arbitrary: deepFrame.map((text) => ({ kind: 'text' as const, text })) },
  { weight: 1, arbitrary: deepObjectFrame.map((text) => ({ kind: 'text' as const, text })) },
  { weight: 2, arbitrary: fc.string({ maxLength: 200 }).map((text) => ({ kind: 'text' as const, text })) },
  { weight: 1, arbitrary: anyJson.map((v) => ({ kind: 'text' as const, text: JSON.stringify(v) ?? 'null' })) },
  {
    weight: 1,
    arbitrary: fc.integer({ min: MAX_FRAME - 64, max: MAX_FRAME + 64 }).map((n) => ({ kind: 'text' as const, text: `{"type":"ping","client_ts":"${'x'.repeat(n)}"}` })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => ({ kind: 'bytes-as-text' as const, bytes })) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 300 }).map((bytes) => ({ kind: 'binary' as const, bytes })) },
);

describe.each(testEngines())('fuzzed inbound frames ($name engine)', (engine) => {
  let server: TestServer;
  let token: string;
  let client: TestClient | undefined;
  let pings = 0;
  const closes: number[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      engine,
      agents: [createDemoAgent({ delayMs: 0 })],
      // Rate limits are their own test; here every frame must reach the parser.
      limits: { maxFrameBytes: MAX_FRAME, maxTextBytes: MAX_TEXT, ratePerSecond: 1e6, rateBurst: 1e6, abuseFramesPerSecond: 1e6, maxRunsInFlightPerUser: 1000 },
    });
    token = await server.token(`fuzz-${engine.name}-${process.pid}`);
  });
  afterAll(async () => {
    await client?.close();
    await server.close();
  });

  async function socket(): Promise<TestClient> {
    if (client && client.socket.readyState === client.socket.OPEN) return client;
    client = await TestClient.connect(server.wsUrl, { token });
    return client;
  }

  function send(target: TestClient, sent: Sent): void {
    if (sent.kind === 'text') target.socket.send(sent.text);
    else target.socket.send(Buffer.from(sent.bytes), { binary: sent.kind === 'binary' });
  }

  /** The connection still answers: a ping gets its pong, or the socket was closed with an acceptable code. */
  async function stillWorks(target: TestClient): Promise<'pong' | number> {
    const tag = `probe-${++pings}`;
    if (target.socket.readyState === target.socket.OPEN) target.send({ type: 'ping', client_ts: tag });
    const outcome = await Promise.race([
      target.waitFor((f) => f.type === 'pong' && (f.data as { client_ts?: unknown }).client_ts === tag, 10_000).then(() => 'pong' as const),
      target.closed.then((c) => c.code),
    ]);
    return outcome;
  }

  it('random and mutated frames never crash the process, never earn 1011, and the connection keeps answering', async () => {
    await fc.assert(
      fc.asyncProperty(sentCase, async (sent) => {
        const target = await socket();
        send(target, sent);
        const outcome = await stillWorks(target);
        if (outcome !== 'pong') {
          closes.push(outcome);
          expect(ACCEPTABLE_CLOSES.has(outcome), `closed with ${outcome} after ${JSON.stringify(sent).slice(0, 300)}`).toBe(true);
        }
        for (const frame of target.frames) {
          if (frame.type === 'error') expect(frame.data.code).not.toBe('internal');
        }
      }),
      { seed: SEED, numRuns: 250, endOnFailure: true },
    );
    expect(server.gateway.health().status).toBe('ok');
  });

  it('each error frame leaves the connection working: ping → pong right after it', async () => {
    const target = await socket();
    const bad: Sent[] = [
      { kind: 'text', text: 'not json' },
      { kind: 'text', text: '[1,2,3]' },
      { kind: 'text', text: '{"type":"nope"}' },
      { kind: 'text', text: '{"type":42}' },
      { kind: 'text', text: '{"type":"user_message","client_msg_id":"m","text":{"__proto__":{"polluted":true}}}' },
      { kind: 'text', text: '{"__proto__":{"type":"ping"},"constructor":{"prototype":{"polluted":true}}}' },
      { kind: 'text', text: `{"type":"ping","client_ts":${nested(30_000, '[', ']')}}` },
      { kind: 'text', text: `{"type":"stop_agent","run_id":${nested(30_000, '[', ']')}}` },
      { kind: 'text', text: '{"type":"stop_agent","run_id":1e999}' },
      { kind: 'binary', bytes: new Uint8Array([0, 1, 2, 255]) },
    ];
    for (const sent of bad) {
      send(target, sent);
      expect(await stillWorks(target), JSON.stringify(sent).slice(0, 120)).toBe('pong');
    }
    const codes = target.replies('error').map((f) => f.data.code);
    expect(codes).not.toContain('internal');
    expect(codes.length).toBeGreaterThanOrEqual(bad.length - 1);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });

  it('invalid UTF-8 in a text frame closes with 1007, never 1011, and the next connection works', async () => {
    const target = await socket();
    target.socket.send(Buffer.from([0x7b, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]), { binary: false });
    expect((await target.closed).code).toBe(1007);
    expect(await stillWorks(await socket())).toBe('pong');
  });
});
