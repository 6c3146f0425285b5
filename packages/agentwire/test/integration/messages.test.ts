import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import type { Reply, ServerFrame, StreamEvent } from '../../src/protocol/types.js';
import { accepted, expectEventShape, expectGapFree, expectGoldenPath, ISO_UTC_MS, ofType } from './support/stream-checks.js';

let users = 0;
const freshUser = (): string => `msg-${process.pid}-${++users}`;

/** A round trip on the socket: every frame the server wrote before the pong has arrived. */
async function barrier(client: TestClient): Promise<void> {
  const tag = `barrier-${Math.random()}`;
  client.send({ type: 'ping', client_ts: tag });
  await client.waitFor((f) => f.type === 'pong' && (f.data as { client_ts?: unknown }).client_ts === tag);
}

const isError = (f: ServerFrame): f is Reply<'error'> => f.type === 'error';

describe.each(testEngines())('messages, stops, threads and HTTP ($name engine)', (engine) => {
  let server: TestServer;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    // Steps 50 ms apart so that a stop reliably lands while the run is going.
    server = await startTestServer({ engine, demoDelayMs: 50 });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  const connectAs = async (userId: string): Promise<TestClient> => {
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(userId) });
    clients.push(client);
    return client;
  };

  const get = async (path: string, token?: string): Promise<{ status: number; body: unknown; type: string | null }> => {
    const res = await fetch(`${server.httpUrl}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body: text.startsWith('{') ? JSON.parse(text) : text };
  };

  describe('idempotent client_msg_id', () => {
    it('the same id twice answers the same ids and starts exactly one run', async () => {
      const userId = freshUser();
      const one = await connectAs(userId);
      const two = await connectAs(userId);
      one.send({ type: 'user_message', client_msg_id: 'same', text: 'What is 4 * 4?' });
      one.send({ type: 'user_message', client_msg_id: 'same', text: 'What is 4 * 4?' });
      await one.waitFor(() => one.replies('message_accepted').length === 2);
      const [first, second] = one.replies('message_accepted');
      expect(second!.data).toEqual(first!.data);
      await one.waitForRunEnd(first!.data.run_id);

      // Again after the run ended, and from another socket of the same user: still the same ids.
      const again = accepted(await two.ask('What is 4 * 4?', {}, 'same'));
      expect(again).toEqual(first!.data);
      await barrier(one);
      await barrier(two);
      const events = one.events();
      expectGapFree(events, 1);
      expect(ofType(events, 'user_message')).toHaveLength(1);
      expect(ofType(events, 'agent_started')).toHaveLength(1);
      expect(new Set(events.map((e) => e.run_id))).toEqual(new Set([first!.data.run_id]));
      expect(two.events()).toEqual(events.filter((e) => e.seq > two.established.last_seq));
    });

    it('ids are per user: another user with the same client_msg_id gets a run of their own', async () => {
      const alice = await connectAs(freshUser());
      const bob = await connectAs(freshUser());
      const a = accepted(await alice.ask('What is 1 + 2?', {}, 'shared-id'));
      const b = accepted(await bob.ask('What is 1 + 2?', {}, 'shared-id'));
      expect(b.run_id).not.toBe(a.run_id);
      expect(b.thread_id).not.toBe(a.thread_id);
      await Promise.all([alice.waitForRunEnd(a.run_id), bob.waitForRunEnd(b.run_id)]);
    });
  });

  describe('stop_agent', () => {
    it('stopping a run ends it with agent_error cancelled; a second stop answers not_running', async () => {
      const client = await connectAs(freshUser());
      const ids = accepted(await client.ask('What is 9 * 9, and what time is it in UTC?'));
      await client.waitFor((f) => 'seq' in f && f.run_id === ids.run_id && f.type === 'agent_started');
      client.send({ type: 'stop_agent', run_id: ids.run_id });
      const terminal = (await client.waitForRunEnd(ids.run_id)) as StreamEvent;
      expect(terminal.type).toBe('agent_error');
      expect((terminal as StreamEvent<'agent_error'>).data.code).toBe('cancelled');
      expectGoldenPath(client.events(), ids.run_id, ids.thread_id);
      expect(client.replies('error')).toEqual([]);

      client.send({ type: 'stop_agent', run_id: ids.run_id });
      const notRunning = (await client.waitFor(isError)) as Reply<'error'>;
      expect(notRunning.data).toMatchObject({ code: 'not_running', run_id: ids.run_id });
      await barrier(client);
      expect(ofType(client.events(), 'agent_error')).toHaveLength(1);
    });

    it('stopping an unknown run answers forbidden', async () => {
      const client = await connectAs(freshUser());
      client.send({ type: 'stop_agent', run_id: 'run_does_not_exist' });
      const error = (await client.waitFor(isError)) as Reply<'error'>;
      expect(error.data).toEqual({ code: 'forbidden', message: expect.any(String), run_id: 'run_does_not_exist' });
    });

    it("stopping another user's run answers forbidden and does not stop it", async () => {
      const owner = await connectAs(freshUser());
      const intruder = await connectAs(freshUser());
      const ids = accepted(await owner.ask('What is 12 * 12?'));
      intruder.send({ type: 'stop_agent', run_id: ids.run_id });
      const error = (await intruder.waitFor(isError)) as Reply<'error'>;
      expect(error.data).toEqual({ code: 'forbidden', message: expect.any(String), run_id: ids.run_id });
      const terminal = await owner.waitForRunEnd(ids.run_id);
      expect(terminal.type).toBe('agent_completed');
      // An unknown run and someone else's run read the same: nothing is revealed.
      intruder.send({ type: 'stop_agent', run_id: 'run_unknown_too' });
      await intruder.waitFor(() => intruder.replies('error').length === 2);
      expect(intruder.replies('error')[1]!.data.message).toBe(error.data.message);
      expect(intruder.events()).toEqual([]);
    });
  });

  describe("another user's thread", () => {
    it('posting to it answers forbidden with the client_msg_id echoed, and starts nothing', async () => {
      const owner = await connectAs(freshUser());
      const intruder = await connectAs(freshUser());
      const ids = accepted(await owner.ask('What is 2 + 2?'));
      await owner.waitForRunEnd(ids.run_id);
      const reply = await intruder.ask('What is 3 + 3?', { thread_id: ids.thread_id }, 'intrude-1');
      expect(reply).toEqual({ type: 'error', data: { code: 'forbidden', message: expect.any(String), client_msg_id: 'intrude-1' } });
      const unknown = await intruder.ask('What is 3 + 3?', { thread_id: 'thr_unknown' }, 'intrude-2');
      expect(unknown.type).toBe('error');
      expect((unknown as Reply<'error'>).data.message).toBe((reply as Reply<'error'>).data.message);
      await barrier(owner);
      await barrier(intruder);
      expect(intruder.events()).toEqual([]);
      expect(owner.events().every((e) => e.run_id === ids.run_id)).toBe(true);
    });

    it('GET /threads/:id/events: 404 for another user or an unknown thread, 200 with the stream for the owner', async () => {
      const ownerId = freshUser();
      const owner = await connectAs(ownerId);
      const ownerToken = await server.token(ownerId);
      const otherToken = await server.token(freshUser());
      const first = accepted(await owner.ask('What is 5 * 5?'));
      await owner.waitForRunEnd(first.run_id);
      const second = accepted(await owner.ask('What is 6 * 6?', { thread_id: first.thread_id }));
      await owner.waitForRunEnd(second.run_id);
      const elsewhere = accepted(await owner.ask('What is 7 * 7?'));
      await owner.waitForRunEnd(elsewhere.run_id);

      const path = `/threads/${first.thread_id}/events`;
      for (const [token, what] of [
        [otherToken, 'another user'],
        [ownerToken, 'unknown thread'],
      ] as const) {
        const res = await get(what === 'another user' ? path : '/threads/thr_unknown/events', token);
        expect(res.status, what).toBe(404);
        expect((res.body as { error: { code: string } }).error.code).toBe('not_found');
      }

      const own = await get(path, ownerToken);
      expect(own.status).toBe(200);
      expect(own.type).toContain('application/json');
      const body = own.body as { thread_id: string; events: StreamEvent[] };
      expect(Object.keys(body).sort()).toEqual(['events', 'thread_id']);
      expect(body.thread_id).toBe(first.thread_id);
      for (const event of body.events) expectEventShape(event);
      expect(body.events.map((e) => e.seq)).toEqual([...body.events.map((e) => e.seq)].sort((a, b) => a - b));
      // Exactly the thread's events as the socket received them, in the same stream format.
      expect(body.events).toEqual(owner.events().filter((e) => e.thread_id === first.thread_id));
      expect(new Set(body.events.map((e) => e.run_id))).toEqual(new Set([first.run_id, second.run_id]));
    });

    it('GET /threads lists the caller’s own threads only, with exactly the fields of docs/protocol.md', async () => {
      const aliceId = freshUser();
      const alice = await connectAs(aliceId);
      const bob = await connectAs(freshUser());
      const a1 = accepted(await alice.ask('What is 10 / 4?'));
      const a2 = accepted(await alice.ask('What time is it in UTC?'));
      const b1 = accepted(await bob.ask('What is 10 / 5?'));
      await Promise.all([alice.waitForRunEnd(a1.run_id), alice.waitForRunEnd(a2.run_id), bob.waitForRunEnd(b1.run_id)]);

      const res = await get('/threads', await server.token(aliceId));
      expect(res.status).toBe(200);
      const { threads } = res.body as { threads: Array<Record<string, string>> };
      expect(Object.keys(res.body as object)).toEqual(['threads', 'next_cursor']);
      expect((res.body as { next_cursor: unknown }).next_cursor).toBeNull();
      expect(threads.map((t) => t['thread_id']).sort()).toEqual([a1.thread_id, a2.thread_id].sort());
      for (const thread of threads) {
        expect(Object.keys(thread).sort()).toEqual(['created_at', 'thread_id', 'title', 'updated_at']);
        expect(thread['created_at']).toMatch(ISO_UTC_MS);
        expect(thread['updated_at']).toMatch(ISO_UTC_MS);
      }
      expect(threads.find((t) => t['thread_id'] === a1.thread_id)!['title']).toBe('What is 10 / 4?');

      const empty = await get('/threads', await server.token(freshUser()));
      expect(empty).toMatchObject({ status: 200, body: { threads: [] } });
    });
  });

  describe('HTTP routes', () => {
    const forged = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl';

    it.each(['/threads', '/threads/thr_x/events'])('GET %s without or with a bad Bearer token → 401 unauthorized', async (path) => {
      for (const token of [undefined, forged, '']) {
        const res = await get(path, token);
        expect(res.status).toBe(401);
        expect(Object.keys(res.body as object)).toEqual(['error']);
        expect((res.body as { error: { code: string; message: unknown } }).error).toEqual({ code: 'unauthorized', message: expect.any(String) });
      }
    });

    it('an expired token is refused by the HTTP routes too', async () => {
      const res = await get('/threads', await server.token(freshUser(), -60));
      expect(res.status).toBe(401);
      expect((res.body as { error: { code: string } }).error.code).toBe('unauthorized');
    });

    it('GET /health answers {"status":"ok"}', async () => {
      expect(await get('/health')).toMatchObject({ status: 200, body: { status: 'ok' } });
    });

    it('GET /health/websocket has the fields of docs/protocol.md, with counts that follow the traffic', async () => {
      const client = await connectAs(freshUser());
      const ids = accepted(await client.ask('What is 8 * 8?'));
      await client.waitForRunEnd(ids.run_id);
      const res = await get('/health/websocket');
      expect(res.status).toBe(200);
      const health = res.body as Record<string, unknown>;
      for (const field of ['status', 'connections', 'users', 'runs_active', 'events_delivered', 'delivery_failures', 'isolation_violations']) {
        expect(health, field).toHaveProperty(field);
      }
      expect(health['status']).toBe('ok');
      expect(health['connections']).toBe(clients.filter((c) => c.socket.readyState === c.socket.OPEN).length);
      expect(health['users'] as number).toBeGreaterThanOrEqual(1);
      expect(health['events_delivered'] as number).toBeGreaterThanOrEqual(client.events().length);
      expect(health['isolation_violations']).toBe(0);
      expect(typeof health['runs_active']).toBe('number');
      expect(typeof health['delivery_failures']).toBe('number');
    });

    it('GET /metrics is Prometheus text whose every metric name starts with agentwire_', async () => {
      const res = await get('/metrics');
      expect(res.status).toBe(200);
      expect(res.type).toContain('text/plain');
      const text = res.body as string;
      const names = new Set(
        text
          .split('\n')
          .filter((line) => line.length > 0 && !line.startsWith('#'))
          .map((line) => /^[^\s{]+/.exec(line)![0]),
      );
      expect(names.size).toBeGreaterThan(5);
      for (const name of names) expect(name.startsWith('agentwire_'), name).toBe(true);
      for (const name of ['agentwire_connections', 'agentwire_events_delivered_total', 'agentwire_isolation_violations_total', 'agentwire_runs_started_total']) {
        expect(names.has(name), name).toBe(true);
      }
      expect(text).toMatch(/^agentwire_isolation_violations_total 0$/m);
    });
  });
});
