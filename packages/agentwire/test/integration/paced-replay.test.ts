import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userContext } from '../../src/index.js';
import { seqProblems } from '../chaos/support/stream-checks.js';
import { waitUntil } from '../helpers/wait.js';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

const MAX_BUFFERED = 64 * 1024;
const EVENT_BYTES = 8 * 1024;
/** Missed while away: ~12 MB, more than loopback socket buffers hold for a reader that stops. */
const MISSED = 1500;
/** Emitted to the resuming user while its replay waits on it. */
const LIVE_DURING_REPLAY = 20;
/** Emitted to another user meanwhile. */
const OTHER_USER_EVENTS = 50;

/** The TCP socket under a ws client: pausing it stops reading at the TCP level. */
const tcpOf = (client: TestClient) => (client.socket as unknown as { _socket: Socket })._socket;

/**
 * A resume replay is written at the pace the client reads (issue 19, "Reconnect storms"):
 * never more than the outbound budget is buffered for it, the slow reader is not closed as a
 * slow consumer (its backlog is retained anyway), it gets every missed event and every event
 * emitted meanwhile exactly once and in order, and other users' sockets are served while it waits.
 */
describe.each(testEngines())('a resume replay written at the reader’s pace ($name engine)', (engine) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ engine, limits: { maxBufferedBytes: MAX_BUFFERED }, retention: { maxEvents: MISSED + 200, maxBytes: 32 * 2 ** 20 } });
  });
  afterAll(() => server.close());

  /** A started run of `userId`'s, whose events the test emits itself (`agent_started` is the first). */
  async function runOf(userId: string) {
    const notifier = server.gateway.scopeFor(userContext(userId)).notifierFor(`thr_${userId}`, `run_${userId}`);
    await notifier.started('paced-replay');
    return notifier;
  }

  it('bounds what it buffers, keeps the slow reader, delivers everything once and in order, and others flow meanwhile', async () => {
    const slowUser = `paced-${engine.name}-${process.pid}`;
    const otherUser = `other-${engine.name}-${process.pid}`;
    const token = await server.token(slowUser);
    const slowNotifier = await runOf(slowUser);
    const first = await TestClient.connect(server.wsUrl, { token });
    const { epoch, last_seq: lastSeq } = first.established;
    await first.close();

    const chunk = 'x'.repeat(EVENT_BYTES);
    for (let i = 0; i < MISSED; i++) await slowNotifier.thinking(chunk);
    const missedHead = (await server.bus.log.head(slowUser)).lastSeq;

    const slow = await TestClient.connect(server.wsUrl, { token, query: { last_seq: lastSeq, epoch } });
    tcpOf(slow).pause();
    expect(slow.established.resumed).toBe(true);

    // While the slow reader holds its replay back: live events for it, and another user served in full.
    for (let i = 0; i < LIVE_DURING_REPLAY; i++) await slowNotifier.thinking(`live ${i}`);
    const other = await TestClient.connect(server.wsUrl, { token: await server.token(otherUser) });
    const otherNotifier = await runOf(otherUser);
    for (let i = 0; i < OTHER_USER_EVENTS; i++) await otherNotifier.thinking(`other ${i}`);
    await waitUntil(() => other.events().length >= OTHER_USER_EVENTS + 1, 'the other user to receive its events');
    expect(seqProblems(other.events(), other.established.last_seq)).toEqual([]);

    // The replay is still waiting on the paused reader, with at most the budget (plus the
    // frame that crossed it and the one sent while over it) buffered for it.
    expect(slow.events().length).toBeLessThan(MISSED);
    const [connection] = server.gateway.scopeFor(userContext(slowUser)).connections;
    expect(connection!.socket.bufferedAmount).toBeLessThanOrEqual(MAX_BUFFERED + 2 * (EVENT_BYTES + 256));
    expect(server.gateway.stats.slowConsumersClosed).toBe(0);

    tcpOf(slow).resume();
    const head = (await server.bus.log.head(slowUser)).lastSeq;
    expect(head).toBe(missedHead + LIVE_DURING_REPLAY);
    await waitUntil(() => slow.events().at(-1)?.seq === head, 'the slow reader to catch up', 60_000);
    const got = slow.events();
    expect(seqProblems(got, lastSeq)).toEqual([]);
    expect(got.map((e) => e.seq)).toEqual((await server.bus.log.readAfter(slowUser, lastSeq)).events.map((a) => a.event.seq));
    expect(slow.socket.readyState).toBe(slow.socket.OPEN);
    expect(server.gateway.stats.slowConsumersClosed).toBe(0);
    await Promise.all([slow.close(), other.close()]);
  }, 120_000);
});
