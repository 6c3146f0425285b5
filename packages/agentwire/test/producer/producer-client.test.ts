import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProducerClient, ProducerRequestError } from '../../src/producer-client.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { configFromEnv } from '../../src/server.js';
import { eventually } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';
import { PRODUCER_KEY, startProducerServer, userToken, type ProducerTestServer } from './producer-server.js';

let server: ProducerTestServer;
beforeAll(async () => {
  server = await startProducerServer();
});
afterAll(() => server.close());

const newUser = (): string => `client-${Math.random().toString(36).slice(2, 10)}`;
const retainedTypes = async (userId: string): Promise<string[]> => (await server.bus.log.readAfter(userId, 0)).events.map((e) => e.event.type);

describe('agentwire/producer: the typed client', () => {
  it('a request whose answer is lost is retried with the same keys and appends once', async () => {
    let dropped = 0;
    // The request reaches the gateway, the answer never reaches the producer (a timeout): the client retries.
    const losingFirstAnswer: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (String(input).endsWith('/events') && dropped === 0) {
        dropped++;
        throw new TypeError('fetch failed: the answer was lost');
      }
      return response;
    };
    const client = new ProducerClient({ url: server.httpUrl, credential: PRODUCER_KEY, fetch: losingFirstAnswer });
    const userId = newUser();
    const run = await client.startRun({ userId, agentName: 'node-agent' });
    const appended = await run.delta('once');
    await run.complete();
    expect(dropped).toBe(1);
    expect(appended).toHaveLength(1);
    expect(await retainedTypes(userId)).toEqual(['agent_started', 'agent_message_delta', 'agent_completed']);
  });

  it('a refusal throws ProducerRequestError with the API code and the golden-path rule', async () => {
    const client = new ProducerClient({ url: server.httpUrl, credential: PRODUCER_KEY });
    const run = await client.startRun({ userId: newUser() });
    const refusal = await run.toolCompleted('never-opened', { result: 1 }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(ProducerRequestError);
    expect(refusal).toMatchObject({ status: 409, apiCode: 'golden_path', rule: 'AW_ERR_NOTIFIER_UNKNOWN_TOOL_CALL', code: 'AW_ERR_PRODUCER_REFUSED' });
    const wrongKey = new ProducerClient({ url: server.httpUrl, credential: 'x'.repeat(40) });
    await expect(wrongKey.startRun({ userId: newUser() })).rejects.toMatchObject({ status: 401, apiCode: 'unauthorized' });
    await run.complete();
  });

  it('learns of a stop from the long poll and from the next append', async () => {
    const client = new ProducerClient({ url: server.httpUrl, credential: PRODUCER_KEY });
    const userId = newUser();
    const socket = await TestClient.connect(server.wsUrl, { token: await userToken(userId) });
    const run = await client.startRun({ userId });
    await run.delta('working');
    expect(await run.waitForStop(0)).toBe(false);
    const stopped = run.waitForStop(30_000);
    socket.send({ type: 'stop_agent', run_id: run.runId });
    expect(await stopped).toBe(true);
    expect(run.stopRequested).toBe(true);
    await expect(run.delta('more')).rejects.toMatchObject({ apiCode: 'run_stopped', code: 'AW_ERR_PRODUCER_STOPPED' });
    const terminal = (await socket.waitForRunEnd(run.runId)) as StreamEvent<'agent_error'>;
    expect(terminal.data.code).toBe('cancelled');
    await eventually('the stream settled', async () => (await retainedTypes(userId)).at(-1) === 'agent_error');
    expect(await retainedTypes(userId)).toEqual(['agent_started', 'agent_message_delta', 'agent_error']);
    await socket.close();
  });
});

describe('producer configuration', () => {
  const devSecret = (): string => 'producer-config-secret-0123456789abcdef';
  it('reads AGENTWIRE_PRODUCER_KEYS and AGENTWIRE_PRODUCER_SILENCE_MS; refuses a short key naming the variable', () => {
    const key = 'k'.repeat(32);
    const config = configFromEnv({ AGENTWIRE_DEV: '1', AGENTWIRE_PRODUCER_KEYS: ` ${key} , ${key}2 `, AGENTWIRE_PRODUCER_SILENCE_MS: '5000' }, devSecret);
    expect(config.producer).toEqual({ keys: [key, `${key}2`], silenceMs: 5000 });
    expect(configFromEnv({ AGENTWIRE_DEV: '1' }, devSecret).producer).toEqual({ keys: [], silenceMs: 30_000 });
    expect(() => configFromEnv({ AGENTWIRE_DEV: '1', AGENTWIRE_PRODUCER_KEYS: 'short' }, devSecret)).toThrow(/AGENTWIRE_PRODUCER_KEYS/);
    expect(() => configFromEnv({ AGENTWIRE_DEV: '1', AGENTWIRE_PRODUCER_SILENCE_MS: 'soon' }, devSecret)).toThrow(/AGENTWIRE_PRODUCER_SILENCE_MS/);
  });
});
