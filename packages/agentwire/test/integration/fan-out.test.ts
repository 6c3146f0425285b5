import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { accepted, expectGapFree, expectGoldenPath } from './support/stream-checks.js';

const SOCKETS = 10;

describe.each(testEngines())('fan-out to every socket of a user ($name engine)', (engine) => {
  let server: TestServer;
  let sockets: TestClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({ engine, demoDelayMs: 1 });
  });
  afterAll(async () => {
    await Promise.all(sockets.map((c) => c.close()));
    await server.close();
  });

  it('ten connections of one user all receive the identical stream', async () => {
    const userId = `fan-${process.pid}-${Date.now()}`;
    const token = await server.token(userId);
    sockets = await Promise.all(Array.from({ length: SOCKETS }, () => TestClient.connect(server.wsUrl, { token })));
    expect(new Set(sockets.map((s) => s.established.connection_id)).size).toBe(SOCKETS);

    const first = accepted(await sockets[3]!.ask('What is 2 ^ 10, and what time is it in America/New_York?'));
    const second = accepted(await sockets[7]!.ask('What is 100 / 8?'));
    await Promise.all(sockets.flatMap((s) => [s.waitForRunEnd(first.run_id), s.waitForRunEnd(second.run_id)]));

    const reference = sockets[0]!.events();
    expectGapFree(reference, 1);
    expectGoldenPath(reference, first.run_id, first.thread_id);
    expectGoldenPath(reference, second.run_id, second.thread_id);
    expect(reference.filter((e) => e.type === 'user_message')).toHaveLength(2);
    for (const socket of sockets) expect(socket.events()).toEqual(reference);

    // message_accepted is a reply to one connection, not a stream event: only the sender gets it.
    expect(sockets.map((s) => s.replies('message_accepted').map((r) => r.data.run_id))).toEqual(
      sockets.map((_, i) => (i === 3 ? [first.run_id] : i === 7 ? [second.run_id] : [])),
    );
  });
});
