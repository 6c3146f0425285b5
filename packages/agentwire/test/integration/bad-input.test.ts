import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import type { Reply } from '../../src/protocol/types.js';
import { accepted, expectGoldenPath } from './support/stream-checks.js';

const MAX_TEXT_BYTES = 64;
const MAX_FRAME_BYTES = 1024;

interface BadCase {
  name: string;
  /** Sent as is when a string, JSON-encoded otherwise. */
  frame: unknown;
  code: string;
  /** A word the error message must contain (the field it names). */
  names?: string;
  echo?: { client_msg_id?: string; run_id?: string };
}

const CASES: BadCase[] = [
  { name: 'not JSON', frame: 'hello there', code: 'invalid_json' },
  { name: 'truncated JSON', frame: '{"type":"ping"', code: 'invalid_json' },
  { name: 'a JSON array', frame: '[]', code: 'invalid_json' },
  { name: 'a JSON string', frame: '"x"', code: 'invalid_json' },
  { name: 'a JSON number', frame: '3', code: 'invalid_json' },
  { name: 'JSON null', frame: 'null', code: 'invalid_json' },
  { name: 'an unknown type', frame: { type: 'launch_rockets', client_msg_id: 'u1' }, code: 'unknown_type', echo: { client_msg_id: 'u1' } },
  { name: 'a type named like an Object property', frame: { type: 'constructor' }, code: 'unknown_type' },
  { name: 'missing type', frame: { text: 'hi', client_msg_id: 't1' }, code: 'invalid_message', names: 'type', echo: { client_msg_id: 't1' } },
  { name: 'non-string type', frame: { type: 7 }, code: 'invalid_message', names: 'type' },
  { name: 'missing client_msg_id', frame: { type: 'user_message', text: 'hi' }, code: 'invalid_message', names: 'client_msg_id' },
  { name: 'missing text', frame: { type: 'user_message', client_msg_id: 'm1' }, code: 'invalid_message', names: 'text', echo: { client_msg_id: 'm1' } },
  {
    name: 'ill-typed text',
    frame: { type: 'user_message', client_msg_id: 'm2', text: 42 },
    code: 'invalid_message',
    names: 'text',
    echo: { client_msg_id: 'm2' },
  },
  { name: 'ill-typed client_msg_id', frame: { type: 'user_message', client_msg_id: 5, text: 'hi' }, code: 'invalid_message', names: 'client_msg_id' },
  {
    name: 'ill-typed thread_id',
    frame: { type: 'user_message', client_msg_id: 'm3', text: 'hi', thread_id: ['t'] },
    code: 'invalid_message',
    names: 'thread_id',
    echo: { client_msg_id: 'm3' },
  },
  { name: 'stop_agent without run_id', frame: { type: 'stop_agent' }, code: 'invalid_message', names: 'run_id' },
  { name: 'ill-typed run_id', frame: { type: 'stop_agent', run_id: {} }, code: 'invalid_message', names: 'run_id' },
  {
    name: 'text over the limit',
    frame: { type: 'user_message', client_msg_id: 'm4', text: 'x'.repeat(MAX_TEXT_BYTES + 1) },
    code: 'invalid_message',
    names: 'text',
    echo: { client_msg_id: 'm4' },
  },
  {
    // 22 characters, 66 bytes: the limit is on UTF-8 bytes, not characters.
    name: 'text over the limit in UTF-8 bytes only',
    frame: { type: 'user_message', client_msg_id: 'm5', text: '€'.repeat(22) },
    code: 'invalid_message',
    names: 'text',
    echo: { client_msg_id: 'm5' },
  },
  {
    name: 'client_msg_id over 128 characters',
    frame: { type: 'user_message', client_msg_id: 'c'.repeat(129), text: 'hi' },
    code: 'invalid_message',
    names: 'client_msg_id',
  },
  {
    name: 'a thread that does not exist',
    frame: { type: 'user_message', client_msg_id: 'm6', text: 'hi', thread_id: 'thr_nope' },
    code: 'forbidden',
    echo: { client_msg_id: 'm6' },
  },
  { name: 'stopping a run that does not exist', frame: { type: 'stop_agent', run_id: 'run_nope' }, code: 'forbidden', echo: { run_id: 'run_nope' } },
];

let users = 0;

/** A ping answered by its pong: the connection still works. */
async function expectAlive(client: TestClient, tag: string): Promise<void> {
  client.send({ type: 'ping', client_ts: tag });
  const pong = await client.waitFor((f) => f.type === 'pong' && (f.data as { client_ts?: unknown }).client_ts === tag);
  expect(pong).toEqual({ type: 'pong', data: { client_ts: tag } });
}

function expectErrorShape(frame: Reply<'error'>, expected: BadCase): void {
  expect(Object.keys(frame).sort()).toEqual(['data', 'type']);
  expect(frame.data.code).toBe(expected.code);
  expect(typeof frame.data.message === 'string' && frame.data.message.length > 0).toBe(true);
  if (expected.names) expect(frame.data.message).toContain(expected.names);
  const echoKeys = Object.keys(expected.echo ?? {}).sort();
  expect(Object.keys(frame.data).sort()).toEqual(['code', 'message', ...echoKeys].sort());
  for (const [key, value] of Object.entries(expected.echo ?? {})) expect((frame.data as Record<string, unknown>)[key]).toBe(value);
}

describe.each(testEngines())('bad input ($name engine)', (engine) => {
  let server: TestServer;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ engine, limits: { maxTextBytes: MAX_TEXT_BYTES, maxFrameBytes: MAX_FRAME_BYTES } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  const connect = async (userId = `bad-${process.pid}-${++users}`): Promise<TestClient> => {
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(userId) });
    clients.push(client);
    return client;
  };

  it.each(CASES)('$name → error $code, and the connection stays', async (badCase) => {
    const client = await connect();
    client.send(typeof badCase.frame === 'string' ? badCase.frame : JSON.stringify(badCase.frame));
    const error = (await client.waitFor((f) => f.type === 'error')) as Reply<'error'>;
    expectErrorShape(error, badCase);
    await expectAlive(client, badCase.name);
    // Bad input loses nothing and adds nothing: no run, no event on the user's stream.
    expect(client.events()).toEqual([]);
    expect(client.frames.map((f) => f.type)).toEqual(['connection_established', 'error', 'pong']);
  });

  it('a binary frame → error unsupported_frame, and the connection stays', async () => {
    const client = await connect();
    client.socket.send(Buffer.from(JSON.stringify({ type: 'ping' })), { binary: true });
    const error = (await client.waitFor((f) => f.type === 'error')) as Reply<'error'>;
    expectErrorShape(error, { name: 'binary', frame: null, code: 'unsupported_frame' });
    await expectAlive(client, 'after-binary');
  });

  it('unknown extra fields are ignored', async () => {
    const client = await connect();
    client.send({ type: 'ping', client_ts: 'extra', future_field: { nested: true } });
    expect(await client.waitFor((f) => f.type === 'pong')).toEqual({ type: 'pong', data: { client_ts: 'extra' } });
    expect(client.replies('error')).toEqual([]);
  });

  it('text exactly at the limit is accepted', async () => {
    const client = await connect();
    const text = `What is 1 + 1?${' '.repeat(MAX_TEXT_BYTES - 14)}`;
    expect(Buffer.byteLength(text)).toBe(MAX_TEXT_BYTES);
    const ids = accepted(await client.ask(text));
    await client.waitForRunEnd(ids.run_id);
    expectGoldenPath(client.events(), ids.run_id, ids.thread_id);
  });

  it('a frame above the size limit → close 1009; one exactly at the limit is answered', async () => {
    const client = await connect();
    const base = JSON.stringify({ type: 'ping', client_ts: 'edge', pad: '' });
    const atLimit = JSON.stringify({ type: 'ping', client_ts: 'edge', pad: 'p'.repeat(MAX_FRAME_BYTES - base.length) });
    expect(Buffer.byteLength(atLimit)).toBe(MAX_FRAME_BYTES);
    client.send(atLimit);
    await client.waitFor((f) => f.type === 'pong');
    client.send(JSON.stringify({ type: 'ping', pad: 'p'.repeat(MAX_FRAME_BYTES) }));
    const closed = await client.closed;
    expect(closed.code).toBe(1009);
    // The server is unharmed: a new connection works.
    await expectAlive(await connect(), 'after-1009');
  });

  it('after a run of bad frames, a good message still runs its golden path', async () => {
    const client = await connect();
    for (const badCase of CASES) client.send(typeof badCase.frame === 'string' ? badCase.frame : JSON.stringify(badCase.frame));
    await client.waitFor(() => client.replies('error').length === CASES.length);
    expect(client.replies('error').map((e) => e.data.code)).toEqual(CASES.map((c) => c.code));
    const ids = accepted(await client.ask('What is 17 * 23?'));
    await client.waitForRunEnd(ids.run_id);
    expect(client.events()[0]!.seq).toBe(1);
    expectGoldenPath(client.events(), ids.run_id, ids.thread_id);
  });
});

describe.each(testEngines())('rate limits ($name engine)', (engine) => {
  const BURST = 5;
  const ABUSE = 30;
  let server: TestServer;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ engine, limits: { ratePerSecond: 20, rateBurst: BURST, abuseFramesPerSecond: ABUSE } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  const connect = async (): Promise<TestClient> => {
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(`rate-${process.pid}-${++users}`) });
    clients.push(client);
    return client;
  };

  it('frames past the burst → error rate_limited; the connection stays and recovers', async () => {
    const client = await connect();
    const sent = BURST + 5;
    for (let i = 0; i < sent; i++) client.send({ type: 'ping', client_ts: i });
    await client.waitFor(() => client.replies('pong').length + client.replies('error').length === sent);
    const limited = client.replies('error');
    // Refill during the burst may admit a frame or two more, never fewer than the burst.
    expect(client.replies('pong').length).toBeGreaterThanOrEqual(BURST);
    expect(limited.length).toBeGreaterThanOrEqual(1);
    for (const error of limited) {
      expect(Object.keys(error.data).sort()).toEqual(['code', 'message']);
      expect(error.data.code).toBe('rate_limited');
    }
    // The bucket refills: a ping is answered again once a token is back (bounded retries).
    const deadline = Date.now() + 5000;
    for (let attempt = 0; ; attempt++) {
      const tag = `retry-${attempt}`;
      client.send({ type: 'ping', client_ts: tag });
      const answer = await client.waitFor(
        (f) => (f.type === 'pong' && (f.data as { client_ts?: unknown }).client_ts === tag) || client.replies('error').length > limited.length + attempt,
      );
      if (answer.type === 'pong') break;
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(client.socket.readyState).toBe(client.socket.OPEN);
  });

  it(`more than ${ABUSE} frames within one second → close 4029`, async () => {
    const client = await connect();
    for (let i = 0; i < ABUSE + 10; i++) client.send({ type: 'ping', client_ts: i });
    const closed = await client.closed;
    expect(closed.code).toBe(4029);
  });
});
