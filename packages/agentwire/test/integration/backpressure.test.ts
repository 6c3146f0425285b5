import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/index.js';
import type { Reply } from '../../src/protocol/types.js';
import { seqProblems } from '../chaos/support/stream-checks.js';
import { waitUntil } from '../helpers/wait.js';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

const MAX_BUFFERED = 64 * 1024;
const EVENT_BYTES = 8 * 1024;
/** Far more than loopback socket buffers hold, so a reader that stops must fall behind. */
const MAX_EVENTS = 5000;
/** Emitted after the slow socket was closed: what its resume must recover. */
const AFTER_CLOSE = 25;

/** The TCP socket under a ws client: pausing it stops reading at the TCP level. */
const tcpOf = (client: TestClient) => (client.socket as unknown as { _socket: Socket })._socket;

/**
 * Streams large `agent_thinking` events until the gateway has closed a slow consumer (then
 * a few more), or `MAX_EVENTS` if it never does. Before each event it waits for `paced`:
 * the test's reading client keeps up by construction, only the paused one falls behind.
 */
function floodAgent(slowConsumersClosed: () => number, paced: (emitted: number) => Promise<void>): Agent {
  return {
    name: 'flood',
    async run(input, { notifier, signal }) {
      const chunk = `${input.runId}:`.padEnd(EVENT_BYTES, 'x');
      let afterClose = 0;
      for (let i = 0; i < MAX_EVENTS && afterClose < AFTER_CLOSE; i++) {
        await paced(i);
        signal.throwIfAborted();
        await notifier.thinking(chunk);
        if (slowConsumersClosed() > 0) afterClose++;
      }
    },
  };
}

describe.each(testEngines())('a consumer that stops reading ($name engine)', (engine) => {
  let server: TestServer;
  let pace: (emitted: number) => Promise<void> = () => Promise.resolve();

  beforeAll(async () => {
    let closed = () => 0;
    server = await startTestServer({
      engine,
      agents: [floodAgent(() => closed(), (emitted) => pace(emitted))],
      limits: { maxBufferedBytes: MAX_BUFFERED },
      retention: { maxEvents: MAX_EVENTS + 100 },
    });
    closed = () => server.gateway.stats.slowConsumersClosed;
  });
  afterAll(() => server.close());

  it('is closed with 1013 once its buffer passes the limit, leaves its scope, readers are unaffected, and its resume recovers everything', async () => {
    const userId = `slow-${engine.name}-${process.pid}`;
    const token = await server.token(userId);
    const reader = await TestClient.connect(server.wsUrl, { token });
    const slow = await TestClient.connect(server.wsUrl, { token });
    const { epoch } = slow.established;
    tcpOf(slow).pause();
    // The reader has every event before the next is emitted, whatever the machine's load.
    const readerStart = reader.frames.length + 2; // message_accepted and user_message
    pace = (emitted) => waitUntil(() => reader.frames.length - readerStart >= emitted, 'the reader to keep up', 30_000);

    const accepted = (await reader.ask('flood')) as Reply<'message_accepted'>;
    expect(accepted.type).toBe('message_accepted');
    await waitUntil(() => server.gateway.stats.slowConsumersClosed > 0, 'the gateway to close the slow consumer', 30_000);
    // Read what reached the client's kernel before the close: the close frame comes last.
    tcpOf(slow).resume();
    expect((await slow.closed).code).toBe(1013);

    // Bounded bookkeeping: the slow socket is gone from its scope; the reader stays.
    await waitUntil(() => server.gateway.health().connections === 1, 'the slow socket to leave its scope');
    expect(server.gateway.stats.slowConsumersClosed).toBe(1);
    const end = await reader.waitForRunEnd(accepted.data.run_id, 60_000);
    expect(end.type).toBe('agent_completed');
    expect(reader.socket.readyState).toBe(reader.socket.OPEN);
    expect(seqProblems(reader.events(), reader.established.last_seq)).toEqual([]);

    // The slow client resumes where it really got to and receives the rest exactly once.
    const got = slow.events();
    expect(seqProblems(got, slow.established.last_seq)).toEqual([]);
    const lastSeq = got.at(-1)?.seq ?? slow.established.last_seq;
    const resumed = await TestClient.connect(server.wsUrl, { token, query: { last_seq: lastSeq, epoch } });
    expect(resumed.established.resumed).toBe(true);
    const full = (await server.bus.log.readAfter(userId, 0)).events.map((a) => a.event);
    await waitUntil(() => resumed.events().at(-1)?.seq === full.at(-1)!.seq, 'the resumed socket to catch up', 30_000);
    const union = [...got, ...resumed.events()];
    expect(union.length).toBe(full.length);
    expect(union.map((e) => e.seq)).toEqual(full.map((e) => e.seq));
    expect(union).toEqual(full);
    // Events kept flowing after the close, and the resume carried them.
    expect(full.length - (got.at(-1)?.seq ?? 0)).toBeGreaterThanOrEqual(AFTER_CLOSE);
    await Promise.all([reader.close(), resumed.close()]);
  }, 120_000);
});
