import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { accepted, expectGapFree, expectGoldenPath, isStreamEvent } from './support/stream-checks.js';

const SOCKETS_PER_USER = 3;

interface UserRun {
  userId: string;
  sockets: TestClient[];
  runIds: Set<string>;
  threadIds: Set<string>;
}

/** A round trip on the socket: every frame the server wrote before the pong has arrived. */
async function barrier(client: TestClient, tag: string): Promise<void> {
  client.send({ type: 'ping', client_ts: tag });
  await client.waitFor((f) => f.type === 'pong' && (f.data as { client_ts?: unknown }).client_ts === tag);
}

describe.each(testEngines())('isolation between users ($name engine)', (engine) => {
  let server: TestServer;
  const all: TestClient[] = [];

  beforeAll(async () => {
    // A small delay between steps makes the two users' runs interleave on the server.
    server = await startTestServer({ engine, demoDelayMs: 3, limits: { maxRunsInFlightPerUser: 10 } });
  });
  afterAll(async () => {
    await Promise.all(all.map((c) => c.close()));
    await server.close();
  });

  async function connectUser(userId: string): Promise<UserRun> {
    const token = await server.token(userId);
    const sockets = await Promise.all(Array.from({ length: SOCKETS_PER_USER }, () => TestClient.connect(server.wsUrl, { token })));
    all.push(...sockets);
    return { userId, sockets, runIds: new Set(), threadIds: new Set() };
  }

  it('two users, three sockets each, concurrent runs: every frame reaches only its own user', async () => {
    const suffix = `${process.pid}-${Date.now()}`;
    const alice = await connectUser(`alice-${suffix}`);
    const bob = await connectUser(`bob-${suffix}`);
    const users = [alice, bob];

    // Every socket of both users starts a run at once: six runs in flight together.
    const asked = users.flatMap((user) =>
      user.sockets.map(async (socket, i) => {
        const ids = accepted(await socket.ask(`${user.userId} asks: what is ${i + 2} * 11, and the time in UTC?`));
        user.runIds.add(ids.run_id);
        user.threadIds.add(ids.thread_id);
        return ids;
      }),
    );
    await Promise.all(asked);
    // Settled, not awaited: when routing is broken the foreign frames are the finding, not a timeout.
    const ended = await Promise.allSettled(
      users.flatMap((user) => user.sockets.flatMap((s) => [...user.runIds].map((runId) => s.waitForRunEnd(runId, 5000)))),
    );
    await Promise.allSettled(all.map((s, i) => barrier(s, `after-${i}`)));

    for (const user of users) {
      const other = user === alice ? bob : alice;
      const foreign = [other.userId, ...other.runIds, ...other.threadIds];
      for (const socket of user.sockets) {
        for (const frame of socket.frames) {
          const text = JSON.stringify(frame);
          for (const mark of foreign) expect(text.includes(mark), `${user.userId} received ${text}`).toBe(false);
        }
      }
    }
    expect(ended.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);

    for (const user of users) {
      const reference = user.sockets[0]!.events();
      for (const socket of user.sockets) {
        expect(socket.established.user_id).toBe(user.userId);
        for (const frame of socket.frames) {
          if (isStreamEvent(frame)) {
            if (frame.run_id !== undefined) expect(user.runIds.has(frame.run_id), `run ${frame.run_id} belongs to ${user.userId}`).toBe(true);
            expect(user.threadIds.has(frame.thread_id), `thread ${frame.thread_id} belongs to ${user.userId}`).toBe(true);
          }
          if (frame.type === 'message_accepted') expect(user.runIds.has(frame.data.run_id)).toBe(true);
        }
        // Each user's stream is its own: seq from 1, gap-free, the same on all three sockets.
        const events = socket.events();
        expectGapFree(events, 1);
        expect(events.map((e) => e.seq)).toEqual(reference.map((e) => e.seq));
        expect(events).toEqual(reference);
        for (const runId of user.runIds) {
          const run = expectGoldenPath(events, runId, events.find((e) => e.run_id === runId)!.thread_id);
          expect(run.at(-1)!.type).toBe('agent_completed');
        }
      }
      // Three user_message events and three runs: nothing missing, nothing extra.
      expect(reference.filter((e) => e.type === 'user_message')).toHaveLength(SOCKETS_PER_USER);
      expect(new Set(reference.map((e) => e.run_id))).toEqual(user.runIds);
    }

    const health = (await (await fetch(`${server.httpUrl}/health/websocket`)).json()) as { isolation_violations: number };
    expect(health.isolation_violations).toBe(0);
  });

  it('a user who connects after another user ran sees a stream of their own from seq 1', async () => {
    const suffix = `${process.pid}-${Date.now()}-late`;
    const early = await connectUser(`early-${suffix}`);
    const ids = accepted(await early.sockets[0]!.ask('What is 5 * 5?'));
    await early.sockets[0]!.waitForRunEnd(ids.run_id);
    const late = await connectUser(`late-${suffix}`);
    expect(late.sockets[0]!.established.last_seq).toBe(0);
    const own = accepted(await late.sockets[0]!.ask('What is 6 * 6?'));
    await Promise.all(late.sockets.map((s) => s.waitForRunEnd(own.run_id)));
    await Promise.all([...early.sockets, ...late.sockets].map((s, i) => barrier(s, `late-${i}`)));
    for (const socket of late.sockets) {
      expectGapFree(socket.events(), 1);
      expect(socket.events().every((e) => e.run_id === own.run_id)).toBe(true);
    }
    for (const socket of early.sockets) expect(socket.events().some((e) => e.run_id === own.run_id)).toBe(false);
  });
});
