import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { accepted, expectGapFree, expectGoldenPath, isTerminal } from './support/stream-checks.js';

let users = 0;

describe.each(testEngines())('connecting while a run is in flight ($name engine)', (engine) => {
  let server: TestServer;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    // Steps 100 ms apart: the run is certainly still going when the second socket joins.
    server = await startTestServer({ engine, demoDelayMs: 100 });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await server.close();
  });

  const connect = async (token: string): Promise<TestClient> => {
    const client = await TestClient.connect(server.wsUrl, { token });
    clients.push(client);
    return client;
  };

  it('a socket opened mid-run receives the rest of that run, in order, from last_seq + 1', async () => {
    const token = await server.token(`join-${process.pid}-${++users}`);
    const one = await connect(token);
    const ids = accepted(await one.ask('What is 17 * 23?'));
    await one.waitFor((f) => 'seq' in f && f.run_id === ids.run_id && f.type === 'agent_started');

    const two = await connect(token);
    const joinedAt = two.established.last_seq;
    expect(joinedAt).toBeGreaterThanOrEqual(2);
    await two.waitForRunEnd(ids.run_id);
    await one.waitForRunEnd(ids.run_id);

    const rest = two.events();
    expect(rest.length).toBeGreaterThan(0);
    expect(rest[0]!.seq).toBe(joinedAt + 1);
    expectGapFree(rest, joinedAt + 1);
    expect(isTerminal(rest.at(-1)!)).toBe(true);
    expect(rest.at(-1)!.type).toBe('agent_completed');
    // Exactly the suffix of what the first socket saw: nothing lost, duplicated or reordered.
    expect(rest).toEqual(one.events().filter((e) => e.seq > joinedAt));
    expectGoldenPath(one.events(), ids.run_id, ids.thread_id);
  });

  it('sockets joining at every step of a run each see a gap-free tail ending in the terminal event', async () => {
    const token = await server.token(`join-${process.pid}-${++users}`);
    const one = await connect(token);
    const ids = accepted(await one.ask('What is 3 * 3, and what time is it in UTC?'));
    const joined: TestClient[] = [];
    // Join once per event the first socket sees, until the run ends.
    for (let seen = 0; ; ) {
      const frame = await one.waitFor((f) => 'seq' in f && f.run_id === ids.run_id && f.seq > seen);
      if (!('seq' in frame) || isTerminal(frame)) break;
      seen = frame.seq;
      joined.push(await connect(token));
    }
    expect(joined.length).toBeGreaterThanOrEqual(3);
    const full = one.events();
    for (const [i, socket] of joined.entries()) {
      const after = socket.established.last_seq;
      const tail = full.filter((e) => e.seq > after);
      // A socket that joined as the run ended has nothing to receive; a ping round trip proves it got nothing.
      if (tail.length > 0) await socket.waitForRunEnd(ids.run_id);
      socket.send({ type: 'ping', client_ts: i });
      await socket.waitFor((f) => f.type === 'pong');
      expectGapFree(socket.events(), after + 1);
      expect(socket.events()).toEqual(tail);
    }
    expect(joined.filter((s) => s.events().length > 0).length).toBeGreaterThanOrEqual(3);
  });
});
