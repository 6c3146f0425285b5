import { setImmediate as nextTurn } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/index.js';
import type { Reply, StreamEvent } from '../../src/protocol/types.js';
import { seqProblems } from '../chaos/support/stream-checks.js';
import { waitUntil } from '../helpers/wait.js';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

const USERS = 4;
const RUNS_PER_USER = 2;
/** Upper bound of a run's events, so a broken test cannot emit forever. */
const MAX_EVENTS_PER_RUN = 20_000;
const ROUNDS = 6;
const SOCKETS_PER_ROUND = 8;

/**
 * Emits one `agent_thinking` per event-loop turn until told to stop, so connects land
 * between any two events for as long as the test opens sockets.
 */
function ticker(stopped: () => boolean): Agent {
  return {
    name: 'ticker',
    async run(input, { notifier }) {
      for (let i = 0; i < MAX_EVENTS_PER_RUN && !stopped(); i++) {
        await notifier.thinking(`${input.runId} tick ${i}`);
        await nextTurn();
      }
    },
  };
}

describe.each(testEngines())('no handshake race ($name engine)', (engine) => {
  let server: TestServer;
  let stop = false;
  const sockets: TestClient[] = [];

  beforeAll(async () => {
    server = await startTestServer({
      engine,
      agents: [ticker(() => stop)],
      limits: { maxConnectionsPerUser: ROUNDS * SOCKETS_PER_ROUND + 5, maxRunsInFlightPerUser: RUNS_PER_USER },
    });
  });
  afterAll(async () => {
    await Promise.all(sockets.map((s) => s.close()));
    await server.close();
  });

  it('sockets opened in bursts while runs emit: each gets every event after its connection_established.last_seq, once, in order', async () => {
    const users = await Promise.all(
      Array.from({ length: USERS }, async (_, u) => {
        const userId = `race-${engine.name}-${process.pid}-${u}`;
        const token = await server.token(userId);
        const driver = await TestClient.connect(server.wsUrl, { token });
        sockets.push(driver);
        return { userId, token, driver, runIds: [] as string[] };
      }),
    );
    for (const user of users) {
      for (let r = 0; r < RUNS_PER_USER; r++) {
        const accepted = (await user.driver.ask(`run ${r}`)) as Reply<'message_accepted'>;
        expect(accepted.type).toBe('message_accepted');
        user.runIds.push(accepted.data.run_id);
      }
    }

    const opened = new Map<string, TestClient[]>(users.map((u) => [u.userId, []]));
    const ended = () => users.every((u) => u.runIds.every((id) => u.driver.events().some((e) => e.run_id === id && e.type === 'agent_completed')));
    for (let round = 0; round < ROUNDS; round++) {
      const burst = await Promise.all(
        users.flatMap((user) =>
          Array.from({ length: SOCKETS_PER_ROUND }, async () => {
            const client = await TestClient.connect(server.wsUrl, { token: user.token });
            opened.get(user.userId)!.push(client);
            sockets.push(client);
            return client;
          }),
        ),
      );
      // A quarter of each burst leaves again at once, while the runs keep emitting.
      await Promise.all(burst.filter((_, i) => i % 4 === 0).map((c) => c.close()));
    }
    expect(ended()).toBe(false);
    stop = true;
    await waitUntil(ended, 'every run to complete', 30_000);

    for (const user of users) {
      const stream = (await server.bus.log.readAfter(user.userId, 0)).events.map((a) => a.event);
      const bySeq = new Map<number, StreamEvent>(stream.map((e) => [e.seq, e]));
      const head = stream.at(-1)!.seq;
      expect(stream.filter((e) => e.type === 'agent_completed')).toHaveLength(RUNS_PER_USER);
      for (const client of opened.get(user.userId)!) {
        const { last_seq: from } = client.established;
        const stillOpen = client.socket.readyState === client.socket.OPEN;
        if (stillOpen) await waitUntil(() => (client.events().at(-1)?.seq ?? from) >= head, `socket after ${from} to catch up`);
        const got = client.events();
        expect(seqProblems(got, from), `socket joined at ${from}`).toEqual([]);
        for (const event of got) expect(event).toEqual(bySeq.get(event.seq));
        if (stillOpen) expect(got.length).toBe(head - from);
      }
    }
    // The bursts really landed mid-stream: sockets joined at many different positions.
    const positions = new Set([...opened.values()].flat().map((c) => c.established.last_seq));
    expect(positions.size).toBeGreaterThan(ROUNDS);
  });
});
