import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDemoAgent, type Agent, MemoryBus } from '../../src/index.js';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { accepted } from './support/stream-checks.js';
import { waitUntil } from '../helpers/wait.js';

const SCOPE_IDLE_MS = 50;

let users = 0;
const freshUser = (): string => `scope-${process.pid}-${++users}`;

describe.each(testEngines())('scope release after idle time ($name engine)', (engine) => {
  let server: TestServer;
  const gates: Array<() => void> = [];

  /** Holds its run open until the test lets it go. */
  const gated: Agent = {
    name: 'gated',
    async run(_input, { notifier, signal }) {
      await new Promise<void>((resolve) => {
        gates.push(resolve);
        signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await notifier.delta('released');
    },
  };

  beforeAll(async () => {
    server = await startTestServer({ engine, scopeIdleMs: SCOPE_IDLE_MS, agents: [createDemoAgent({ delayMs: 0 }), gated] });
  });
  afterEach(() => gates.splice(0).forEach((open) => open()));
  afterAll(async () => {
    await server.close();
  });

  const connect = async (userId: string): Promise<TestClient> => TestClient.connect(server.wsUrl, { token: await server.token(userId) });
  const scopesReleased = (count = 0) => waitUntil(() => server.gateway.scopeCount === count, `gateway.scopeCount to reach ${count}`);

  it('after the sockets close and runs end, the scope is released; the memory engine frees the stream', async () => {
    await scopesReleased();
    const userId = freshUser();
    const sockets = [await connect(userId), await connect(userId)];
    const ids = accepted(await sockets[0]!.ask('What is 17 * 23?'));
    await Promise.all(sockets.map((s) => s.waitForRunEnd(ids.run_id)));
    const before = sockets[0]!.established;
    const lastSeq = sockets[0]!.events().at(-1)!.seq;
    expect(server.gateway.scopeCount).toBe(1);

    await Promise.all(sockets.map((s) => s.close()));
    await scopesReleased();
    expect(server.gateway.health()).toMatchObject({ users: 0, connections: 0, runs_active: 0 });
    if (server.bus instanceof MemoryBus) expect(server.bus.log.userCount, 'per-user streams held in memory').toBe(0);

    const again = await connect(userId);
    if (engine.name === 'memory') {
      // The memory engine freed the user's stream: a new life of it, from nothing.
      expect(again.established.epoch).not.toBe(before.epoch);
      expect(again.established.last_seq).toBe(0);
    } else {
      // A shared engine keeps the stream for other processes: same life, same position.
      expect(again.established.epoch).toBe(before.epoch);
      expect(again.established.last_seq).toBe(lastSeq);
    }
    await again.close();
    await scopesReleased();
  });

  it('a scope with a run in flight is kept after its last socket closes, and released once the run ends', async () => {
    await scopesReleased();
    const runner = await connect(freshUser());
    accepted(await runner.ask('hold on', { agent: 'gated' }));
    await waitUntil(() => gates.length === 1, 'the run to wait at its gate');
    await runner.close();

    // A second user who leaves later is released after the idle time: by then the first would have been too, were it idle.
    const witness = await connect(freshUser());
    expect(server.gateway.scopeCount).toBe(2);
    await witness.close();
    await scopesReleased(1);
    expect(server.gateway.health().runs_active).toBe(1);

    const completedBefore = server.gateway.stats.runsEnded.completed;
    gates.splice(0).forEach((open) => open());
    await scopesReleased(0);
    expect(server.gateway.health().runs_active).toBe(0);
    // The run ended properly while nobody watched.
    expect(server.gateway.stats.runsEnded.completed).toBe(completedBefore + 1);
  });

  it('a user who comes back within the idle time keeps the same stream', async () => {
    await scopesReleased();
    const patient = await startTestServer({ engine, scopeIdleMs: 60_000 });
    try {
      const userId = freshUser();
      const first = await TestClient.connect(patient.wsUrl, { token: await patient.token(userId) });
      const ids = accepted(await first.ask('What is 2 + 2?'));
      await first.waitForRunEnd(ids.run_id);
      const seen = first.established;
      const lastSeq = first.events().at(-1)!.seq;
      await first.close();
      await waitUntil(() => patient.gateway.health().connections === 0, 'the server to see the close');
      expect(patient.gateway.scopeCount).toBe(1);
      const back = await TestClient.connect(patient.wsUrl, { token: await patient.token(userId) });
      expect(back.established.epoch).toBe(seen.epoch);
      expect(back.established.last_seq).toBe(lastSeq);
      await back.close();
    } finally {
      await patient.close();
    }
  });
});
