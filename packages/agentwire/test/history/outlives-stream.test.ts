import { afterEach, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { eventually } from '../helpers/wait.js';
import { apiFor } from './support/http.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe.each(testEngines())('history outlives the stream ($name engine)', (engine) => {
  it('with a retention of one second, a finished conversation is complete over /messages after its events expired', async () => {
    const s = (server = await startTestServer({ engine, retention: { maxAgeMs: 1000 } }));
    const token = await s.token('fern');
    const ws = await TestClient.connect(s.wsUrl, { token });
    const first = await ws.ask('What is 17 * 23?');
    if (first.type !== 'message_accepted') throw new Error('refused');
    await ws.waitForRunEnd(first.data.run_id);
    const second = await ws.ask('What is 2 ^ 10?', { thread_id: first.data.thread_id });
    if (second.type !== 'message_accepted') throw new Error('refused');
    await ws.waitForRunEnd(second.data.run_id);
    const api = apiFor(s.httpUrl, token);
    await eventually(
      'every event expired from the stream',
      async () => ((await api.get<{ events: unknown[] }>(`/threads/${first.data.thread_id}/events`)).body.events.length === 0 ? true : undefined),
      10_000,
    );
    const { body } = await api.get<{ messages: Array<{ role: string; text: string; status?: string }> }>(`/threads/${first.data.thread_id}/messages`);
    expect(body.messages.map((m) => [m.role, m.status ?? null])).toEqual([
      ['user', null],
      ['assistant', 'completed'],
      ['user', null],
      ['assistant', 'completed'],
    ]);
    expect(body.messages[1]!.text).toContain('17 * 23 = 391');
    expect(body.messages[3]!.text).toContain('2 ^ 10 = 1024');
    await ws.close();
  }, 30_000);
});
