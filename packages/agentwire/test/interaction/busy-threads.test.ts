import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Reply, StreamEvent } from '../../src/protocol/types.js';
import { connect, ServerRejectionError } from '../../src/client.js';
import { MemoryBus } from '../../src/index.js';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { apiFor, type Api } from '../history/support/http.js';
import { accepted, expectGoldenPath } from '../integration/support/stream-checks.js';
import { GatedAgents, type Outcome } from './support/gated-agent.js';
import { askAgain, expectSequential, historyOf, runEvent, settle, waitForEvent } from './support/busy-helpers.js';

/**
 * docs/protocol.md, "Busy threads" (protocol 1.2): a message for a thread with a run in
 * flight is queued (default), refused (`reject`) or interrupts the run (`interrupt`); runs
 * of one thread never overlap; a queued message shows at once and in history as queued
 * until its run starts; stopping a queued run ends it with its terminal event.
 */

const RUN_TIMEOUT_MS = 1500;
let users = 0;
const freshUser = (): string => `busy-${process.pid}-${++users}`;

type Ending = 'complete' | 'fail' | 'stop' | 'timeout';
const ENDINGS: Ending[] = ['complete', 'fail', 'stop', 'timeout'];
const CODE_OF: Record<Ending, string | undefined> = { complete: undefined, fail: 'failed', stop: 'cancelled', timeout: 'timeout' };

describe.each(testEngines())('busy threads ($name engine)', (engine) => {
  let server: TestServer;
  const gated = new GatedAgents();
  let client: TestClient;
  let api: Api;

  beforeAll(async () => {
    server = await startTestServer({
      engine,
      agents: [gated.agent, gated.quick],
      runTimeoutMs: RUN_TIMEOUT_MS,
      // 10 messages to one thread at once, plus the run ahead of them: queued runs count (docs/protocol.md).
      limits: { maxRunsInFlightPerUser: 12 },
    });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    const token = await server.token(freshUser());
    client = await TestClient.connect(server.wsUrl, { token });
    api = apiFor(server.httpUrl, token);
  });
  afterEach(async () => {
    await client.close();
    expect(gated.maxOverlap, 'runs of one thread never executed at once').toBe(1);
  });

  /** A run of the gated agent, waiting at its gate. */
  async function runningRun(threadId?: string): Promise<Reply<'message_accepted'>['data']> {
    const ids = accepted(await client.ask('A', { agent: 'gated', ...(threadId && { thread_id: threadId }) }));
    await gated.reached(ids.run_id);
    // Its first (coalesced) delta is on this socket: nothing more of it comes until its gate opens.
    await waitForEvent(client, ids.run_id, 'agent_message_delta');
    return ids;
  }

  /** Ends a run at its gate the way asked; resolves with its terminal event. */
  async function end(runId: string, ending: Ending): Promise<StreamEvent> {
    if (ending === 'stop') client.send({ type: 'stop_agent', run_id: runId });
    else gated.open(runId, (ending === 'timeout' ? 'hang' : ending) as Outcome);
    const terminal = (await client.waitForRunEnd(runId)) as StreamEvent;
    if (ending === 'complete') expect(terminal.type).toBe('agent_completed');
    else expect(terminal).toMatchObject({ type: 'agent_error', data: { code: CODE_OF[ending] } });
    return terminal;
  }

  it.each(ENDINGS)('queue (the default): queued at once, shown as queued everywhere, runs after the earlier run ends (%s)', async (ending) => {
    const a = await runningRun();
    const answer = await client.ask('B', { agent: 'gated', thread_id: a.thread_id });
    expect(answer.data).toMatchObject({ thread_id: a.thread_id, queued: true });
    const b = accepted(answer);
    const userB = await waitForEvent(client, b.run_id, 'user_message');
    expect(userB.data).toEqual({ text: 'B', client_msg_id: expect.any(String), queued: true });
    // History: the user message marked queued, no assistant message yet.
    expect(await historyOf(api, a.thread_id, b.run_id)).toEqual([expect.objectContaining({ role: 'user', text: 'B', queued: true })]);
    await settle(client);
    expect(runEvent(client, b.run_id, 'agent_started'), 'a queued run has not started').toBeUndefined();

    const endA = await end(a.run_id, ending);
    await gated.reached(b.run_id);
    const startB = await waitForEvent(client, b.run_id, 'agent_started');
    expect(startB.seq).toBeGreaterThan(endA.seq);
    gated.open(b.run_id, 'complete');
    await client.waitForRunEnd(b.run_id);
    expectSequential(client.events(), [a.run_id, b.run_id]);
    expectGoldenPath(client.events(), b.run_id, a.thread_id);
    const history = await historyOf(api, a.thread_id, b.run_id);
    expect(history.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(history[0]).not.toHaveProperty('queued');
    expect(history[1]).toMatchObject({ status: 'completed', text: 'start B; end B' });
  });

  it.each(ENDINGS)('reject: thread_busy and nothing appended while a run is in flight; accepted once it ended (%s)', async (ending) => {
    const a = await runningRun();
    const before = client.events().length;
    const refused = await client.ask('B', { agent: 'gated', thread_id: a.thread_id, if_busy: 'reject' }, 'c-reject');
    expect(refused).toMatchObject({ type: 'error', data: { code: 'thread_busy', client_msg_id: 'c-reject' } });
    await settle(client);
    expect(client.events().slice(before), 'nothing appended').toEqual([]);
    expect((await historyOf(api, a.thread_id, a.run_id)).map((m) => m.role)).toEqual(['user', 'assistant']);
    const answer = await api.get<{ messages: Array<{ client_msg_id?: string }> }>(`/threads/${a.thread_id}/messages`);
    expect(answer.body.messages.some((m) => m.client_msg_id === 'c-reject'), 'not in history').toBe(false);

    await end(a.run_id, ending);
    // The refusal kept nothing of the message: the same client_msg_id is accepted now, not queued.
    const later = await askAgain(client, 'B', { agent: 'gated', thread_id: a.thread_id, if_busy: 'reject' }, 'c-reject');
    expect(later.type).toBe('message_accepted');
    expect(later.data).not.toHaveProperty('queued');
    const b = accepted(later);
    await gated.reached(b.run_id);
    gated.open(b.run_id, 'complete');
    await client.waitForRunEnd(b.run_id);
    expectSequential(client.events(), [a.run_id, b.run_id]);
  });

  it.each(['complete', 'fail', 'timeout'] as const)(
    'interrupt: the running run ends cancelled ("interrupted"), then the new run starts and ends (%s)',
    async (ending) => {
      const a = await runningRun();
      const answer = await client.ask('B', { agent: 'gated', thread_id: a.thread_id, if_busy: 'interrupt' });
      expect(answer.data).not.toHaveProperty('queued');
      const b = accepted(answer);
      const endA = (await client.waitForRunEnd(a.run_id)) as StreamEvent<'agent_error'>;
      expect(endA).toMatchObject({ type: 'agent_error', data: { code: 'cancelled' } });
      expect(endA.data.message).toMatch(/interrupted/);
      await gated.reached(b.run_id);
      expect((await waitForEvent(client, b.run_id, 'agent_started')).seq).toBeGreaterThan(endA.seq);
      await end(b.run_id, ending);
      expectSequential(client.events(), [a.run_id, b.run_id]);
      expect((await historyOf(api, a.thread_id, a.run_id))[1]).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
    },
  );

  it('interrupt with runs queued: every earlier run of the thread ends cancelled, then the new one runs', async () => {
    const a = await runningRun();
    const b = accepted(await client.ask('B', { agent: 'gated', thread_id: a.thread_id }));
    const c = accepted(await client.ask('C', { agent: 'quick', thread_id: a.thread_id, if_busy: 'interrupt' }));
    for (const runId of [a.run_id, b.run_id]) {
      const terminal = (await client.waitForRunEnd(runId)) as StreamEvent<'agent_error'>;
      expect(terminal.data).toMatchObject({ code: 'cancelled', message: expect.stringMatching(/interrupted/) });
    }
    const endC = await client.waitForRunEnd(c.run_id);
    expect(endC.type).toBe('agent_completed');
    // B never executed (stopped while queued); C started only after both had ended.
    expectSequential(client.events(), [a.run_id, c.run_id]);
    expectSequential(client.events(), [b.run_id, c.run_id]);
    expect(gated.startedRuns, 'the queued run B never executed').not.toContain(b.run_id);
  });

  it('10 messages sent at once to one thread end as 10 sequential runs, in accepted order', async () => {
    const seed = accepted(await client.ask('seed', { agent: 'quick' }));
    await client.waitForRunEnd(seed.run_id);
    const ids = Array.from({ length: 10 }, (_, i) => `burst-${i}`);
    for (const id of ids) client.send({ type: 'user_message', client_msg_id: id, text: id, thread_id: seed.thread_id, agent: 'quick' });
    const accepts = await Promise.all(ids.map((id) => client.waitFor((f) => f.type === 'message_accepted' && f.data.client_msg_id === id)));
    // Accepted order: the order of the message_accepted replies on this socket.
    const acceptedOrder = client.replies('message_accepted').map((r) => r.data).filter((d) => ids.includes(d.client_msg_id));
    expect(acceptedOrder.map((d) => d.client_msg_id)).toEqual(ids);
    const runIds = acceptedOrder.map((d) => d.run_id);
    expect(accepts).toHaveLength(10);
    for (const runId of runIds) await client.waitForRunEnd(runId);
    const events = client.events();
    expectSequential(events, runIds);
    const userOrder = events.filter((e) => e.type === 'user_message' && runIds.includes(e.run_id)).map((e) => e.run_id);
    expect(userOrder).toEqual(runIds);
    for (const [i, runId] of runIds.entries()) {
      const done = events.find((e) => e.run_id === runId && e.type === 'agent_completed') as StreamEvent<'agent_completed'>;
      expect(done.data.result.text).toBe(ids[i]);
    }
  });

  it('stopping a queued run ends it at once (agent_started, agent_error cancelled) and takes it out of the queue', async () => {
    const a = await runningRun();
    const b = accepted(await client.ask('B', { agent: 'gated', thread_id: a.thread_id }));
    const c = accepted(await client.ask('C', { agent: 'gated', thread_id: a.thread_id }));
    client.send({ type: 'stop_agent', run_id: b.run_id });
    const endB = (await client.waitForRunEnd(b.run_id)) as StreamEvent<'agent_error'>;
    expect(endB.data.code).toBe('cancelled');
    const runB = client.events().filter((e) => e.run_id === b.run_id && e.type !== 'user_message');
    expect(runB.map((e) => e.type)).toEqual(['agent_started', 'agent_error']);
    expect(runB[0]).toMatchObject({ data: { agent_name: 'gated' } });
    expect(runEvent(client, a.run_id, 'agent_completed'), 'A still runs').toBeUndefined();
    expect(await historyOf(api, a.thread_id, b.run_id)).toEqual([
      expect.not.objectContaining({ queued: true }),
      expect.objectContaining({ role: 'assistant', status: 'cancelled' }),
    ]);
    // Stopping it again: it has ended.
    client.send({ type: 'stop_agent', run_id: b.run_id });
    expect(await client.waitFor((f) => f.type === 'error' && f.data.run_id === b.run_id)).toMatchObject({ data: { code: 'not_running' } });

    gated.open(a.run_id, 'complete');
    await gated.reached(c.run_id);
    gated.open(c.run_id, 'complete');
    await client.waitForRunEnd(c.run_id);
    expectSequential(client.events(), [a.run_id, c.run_id]);
    expect(gated.startedRuns).not.toContain(b.run_id);
  });

  it('a message to another thread is not held up by a busy one', async () => {
    const a = await runningRun();
    const other = accepted(await client.ask('elsewhere', { agent: 'quick' }));
    expect(other.thread_id).not.toBe(a.thread_id);
    expect((await client.waitForRunEnd(other.run_id)).type).toBe('agent_completed');
    gated.open(a.run_id, 'complete');
    await client.waitForRunEnd(a.run_id);
  });

  it.each([
    ['an unknown policy', 'sometimes'],
    ['a number', 3],
    ['null', null],
    ['an object', { policy: 'queue' }],
  ])('bad if_busy (%s): invalid_message naming if_busy, nothing appended, the connection stays', async (_label, value) => {
    const before = client.events().length;
    const answer = await client.ask('hello', { agent: 'quick', if_busy: value }, 'c-bad');
    expect(answer).toMatchObject({ type: 'error', data: { code: 'invalid_message', client_msg_id: 'c-bad' } });
    expect((answer as Reply<'error'>).data.message).toContain('if_busy');
    await settle(client);
    expect(client.events().slice(before)).toEqual([]);
    // Nothing was claimed: the same id with a good policy is accepted.
    expect(await askAgain(client, 'hello', { agent: 'quick', if_busy: 'reject' }, 'c-bad')).toMatchObject({ type: 'message_accepted' });
  });
});

describe('busy threads and the in-flight limit', () => {
  let server: TestServer;
  const gated = new GatedAgents();
  beforeAll(async () => {
    server = await startTestServer({ agents: [gated.agent], limits: { maxRunsInFlightPerUser: 2 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('queued runs count against the runs in flight per user: past the limit, too_many_runs and nothing queued', async () => {
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(freshUser()) });
    const a = accepted(await client.ask('A', { agent: 'gated' }));
    await gated.reached(a.run_id);
    expect((await client.ask('B', { agent: 'gated', thread_id: a.thread_id })).data).toMatchObject({ queued: true });
    const refused = await client.ask('C', { agent: 'gated', thread_id: a.thread_id });
    expect(refused).toMatchObject({ type: 'error', data: { code: 'too_many_runs' } });
    client.send({ type: 'stop_agent', run_id: a.run_id });
    await client.waitForRunEnd(a.run_id);
    await client.close();
  });
});

describe('busy threads from the client SDK', () => {
  let server: TestServer;
  const gated = new GatedAgents();
  beforeAll(async () => {
    server = await startTestServer({ agents: [gated.agent] });
  });
  afterAll(async () => {
    await server.close();
  });

  it('send() passes ifBusy: queued answers carry queued, reject rejects with thread_busy', async () => {
    const client = connect({ url: server.wsUrl, token: await server.token(freshUser()) });
    try {
      await client.ready();
      const a = await client.send('A');
      await gated.reached(a.run_id);
      expect(await client.send('B', { threadId: a.thread_id })).toMatchObject({ queued: true });
      const refused = await client.send('C', { threadId: a.thread_id, ifBusy: 'reject' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(refused).toBeInstanceOf(ServerRejectionError);
      expect((refused as ServerRejectionError).wireCode).toBe('thread_busy');
      await client.stop(a.run_id);
    } finally {
      client.close();
    }
  });
});

describe('a thread is free once its run’s terminal event is on the stream', () => {
  let server: TestServer;
  const gated = new GatedAgents();
  let releaseFinish!: () => void;

  beforeAll(async () => {
    // The run directory hears of the end only when the test allows it: the moment between
    // the terminal event and `runs.finish` is held open.
    const finishing = new Promise<void>((resolve) => (releaseFinish = resolve));
    const engine = {
      name: 'memory' as const,
      create: async () => {
        const bus = new MemoryBus();
        const finish = bus.runs.finish.bind(bus.runs);
        bus.runs.finish = async (runId: string) => {
          await finishing;
          return finish(runId);
        };
        return bus;
      },
    };
    server = await startTestServer({ engine, agents: [gated.agent] });
  });
  afterAll(async () => {
    releaseFinish();
    await server.close();
  });

  it('reject right after the terminal event, before the run directory has it finished: accepted, not thread_busy', async () => {
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(freshUser()) });
    const a = accepted(await client.ask('A', { agent: 'gated' }));
    await gated.reached(a.run_id);
    gated.open(a.run_id, 'complete');
    await client.waitForRunEnd(a.run_id);
    const answer = await client.ask('B', { agent: 'gated', thread_id: a.thread_id, if_busy: 'reject' });
    expect(answer.type).toBe('message_accepted');
    expect(answer.data).not.toHaveProperty('queued');
    await client.close();
  });
});
