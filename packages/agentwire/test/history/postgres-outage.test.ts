import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/index.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import type { Store } from '../../src/store/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';
import { PrivatePostgres } from '../store/support/private-postgres.js';
import { apiFor } from './support/http.js';

/** Streams a first part, then waits for the test to let it finish. */
function gatedAgent(gate: Promise<void>): Agent {
  return {
    name: 'gated',
    async run(input, { notifier }) {
      await notifier.delta(`${input.text}: part one, `);
      await gate;
      await notifier.delta('part two.');
    },
  };
}

/**
 * PostgreSQL stopped and restarted under a running gateway (a private instance, as the Redis
 * outage tests use a private redis-server): new messages are refused `unavailable`, sockets
 * stay open, runs already accepted keep streaming, their final messages wait for the store
 * and are written when it is back, health says degraded and then recovers. Nothing accepted is lost.
 */
describe('PostgreSQL outage under a running gateway', () => {
  let postgres: PrivatePostgres;
  let store: Store;
  let server: TestServer;
  let release!: () => void;

  beforeAll(async () => {
    postgres = await PrivatePostgres.start();
    store = await openPostgresStore({ connectionString: postgres.url, connectTimeoutMs: 1000 });
    const gate = new Promise<void>((resolve) => (release = resolve));
    server = await startTestServer({ store, agents: [gatedAgent(gate)], history: { checkpointMs: 20, finalWriteTimeoutMs: 120_000 } });
  }, 90_000);

  afterAll(async () => {
    release?.();
    await server?.close();
    await store?.close();
    await postgres?.dispose();
  }, 60_000);

  it('nothing accepted is lost; new messages get unavailable; health is degraded, then ok again', async () => {
    const token = await server.token('olga');
    const api = apiFor(server.httpUrl, token);
    const ws = await TestClient.connect(server.wsUrl, { token });
    const first = await ws.ask('alpha');
    if (first.type !== 'message_accepted') throw new Error(JSON.stringify(first));
    // Its own thread, so both runs are in flight at once (runs of one thread queue: docs/protocol.md, "Busy threads").
    const second = await ws.ask('beta');
    if (second.type !== 'message_accepted') throw new Error(JSON.stringify(second));
    await ws.waitFor((f) => f.type === 'agent_message_delta' && f.run_id === second.data.run_id);

    await postgres.stop();
    const refused = await ws.ask('gamma', { thread_id: first.data.thread_id });
    expect(refused).toMatchObject({ type: 'error', data: { code: 'unavailable' } });
    const health = await api.get<{ status: string; store: { status: string } }>('/health/websocket');
    expect(health.status).toBe(503);
    expect(health.body).toMatchObject({ status: 'degraded', store: { status: 'degraded' } });
    expect((await api.get(`/threads/${first.data.thread_id}/messages`)).status).toBe(503);
    // The runs go on streaming while the store is down.
    release();
    await ws.waitFor((f) => f.type === 'agent_message_delta' && f.run_id === second.data.run_id && (f as StreamEvent<'agent_message_delta'>).data.delta === 'part two.');

    const restartedAt = Date.now();
    await postgres.start();
    const ends = await Promise.all([first, second].map((a) => ws.waitForRunEnd(a.data.run_id, 30_000)));
    for (const end of ends as StreamEvent[]) {
      expect(end.type).toBe('agent_completed');
      // Appended only once its final message was stored, which needed PostgreSQL back.
      expect(Date.parse(end.ts)).toBeGreaterThanOrEqual(restartedAt - 5);
    }
    expect(ws.socket.readyState).toBe(ws.socket.OPEN);

    type Messages = { messages: Array<{ role: string; text: string; status?: string }> };
    const history = await eventually('history readable again', async () => {
      const answers = await Promise.all([first, second].map((a) => api.get<Messages>(`/threads/${a.data.thread_id}/messages`)));
      return answers.every((a) => a.status === 200) ? { messages: answers.flatMap((a) => a.body.messages) } : undefined;
    }, 20_000);
    const shown = history.messages.map((m) => [m.role, m.text, m.status ?? null]);
    expect(shown).toHaveLength(4);
    expect(shown).toEqual(
      expect.arrayContaining([
        ['user', 'alpha', null],
        ['user', 'beta', null],
        ['assistant', 'alpha: part one, part two.', 'completed'],
        ['assistant', 'beta: part one, part two.', 'completed'],
      ]),
    );
    // Each run's user message comes before its assistant message; the refused one is nowhere.
    for (const text of ['alpha', 'beta']) {
      expect(history.messages.findIndex((m) => m.text === text)).toBeLessThan(history.messages.findIndex((m) => m.text.startsWith(`${text}:`)));
    }
    await eventually('health ok again', async () => ((await api.get<{ status: string }>('/health/websocket')).body.status === 'ok' ? true : undefined), 20_000);
    await ws.close();
  }, 120_000);
});
