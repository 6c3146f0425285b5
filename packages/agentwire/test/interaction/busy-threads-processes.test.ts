import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ORPHAN_MESSAGE } from '../../src/bus/orphan-closing.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import type { RedisBus, RedisBusOptions } from '../../src/redis.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import type { Store } from '../../src/store/types.js';
import type { EngineFactory } from '../helpers/engines.js';
import { startTestServer, testToken, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { accepted } from '../integration/support/stream-checks.js';
import { purgeAndClose, requireRedisBus, uniquePrefix } from '../redis/support/redis-env.js';
import { expectSequential, waitForEvent } from './support/busy-helpers.js';
import { GatedAgents } from './support/gated-agent.js';

/**
 * docs/protocol.md, "Busy threads", on several processes: two gateways with their own
 * Redis connections (their own process ids, liveness and reapers) sharing one deployment's
 * keys and one store, as processes behind a load balancer do. A user's tabs on both post
 * to one thread: its runs still never overlap, run in accepted order, can be stopped and
 * interrupted from the other process, and a process that dies does not block the thread.
 */

let users = 0;
const freshUser = (): string => `busy-proc-${process.pid}-${++users}`;

/** One deployment: every bus made by it shares `prefix`; the first one made purges the keys at the end. */
function deployment(options: Partial<RedisBusOptions> = {}): { prefix: string; engine: (extra?: Partial<RedisBusOptions>) => EngineFactory } {
  const prefix = uniquePrefix();
  let first = true;
  return {
    prefix,
    engine: (extra = {}) => ({
      name: 'redis',
      create: async () => {
        const bus = await requireRedisBus({ prefix, ...options, ...extra });
        if (!first) return bus;
        first = false;
        const close = bus.close.bind(bus);
        return Object.assign(bus, { close: () => purgeAndClose({ purge: () => bus.purge(), close }) });
      },
    }),
  };
}

describe('busy threads across two processes (Redis engine)', () => {
  const gated = new GatedAgents();
  let store: Store;
  let one: TestServer;
  let two: TestServer;

  beforeAll(async () => {
    store = createMemoryStore();
    const { engine } = deployment();
    const options = { store, agents: [gated.agent, gated.quick], limits: { maxRunsInFlightPerUser: 12 } };
    one = await startTestServer({ ...options, engine: engine() });
    two = await startTestServer({ ...options, engine: engine() });
  });
  afterAll(async () => {
    await two.close();
    await one.close();
    await store.close();
    expect(gated.maxOverlap, 'runs of one thread never executed at once').toBe(1);
  });

  async function tabs(): Promise<[TestClient, TestClient]> {
    const token = await testToken(freshUser());
    return [await TestClient.connect(one.wsUrl, { token }), await TestClient.connect(two.wsUrl, { token })];
  }

  it('a message accepted on the other process is queued and runs there once the run on the first has ended', async () => {
    const [tab1, tab2] = await tabs();
    const a = accepted(await tab1.ask('A', { agent: 'gated' }));
    await gated.reached(a.run_id);
    const answer = await tab2.ask('B', { agent: 'gated', thread_id: a.thread_id });
    expect(answer.data).toMatchObject({ queued: true });
    const b = accepted(answer);
    // Both tabs show the queued message at once.
    for (const tab of [tab1, tab2]) expect((await waitForEvent(tab, b.run_id, 'user_message')).data).toMatchObject({ queued: true });
    gated.open(a.run_id, 'complete');
    await gated.reached(b.run_id);
    gated.open(b.run_id, 'complete');
    await tab1.waitForRunEnd(b.run_id);
    expectSequential(tab1.events(), [a.run_id, b.run_id]);
    await Promise.all([tab1.close(), tab2.close()]);
  });

  it('10 messages sent alternately through both processes run one at a time, in accepted order', async () => {
    const [tab1, tab2] = await tabs();
    const a = accepted(await tab1.ask('A', { agent: 'gated' }));
    await gated.reached(a.run_id);
    const runIds: string[] = [];
    for (let i = 0; i < 10; i++) {
      const tab = i % 2 === 0 ? tab2 : tab1;
      runIds.push(accepted(await tab.ask(`m${i}`, { agent: 'quick', thread_id: a.thread_id })).run_id);
    }
    gated.open(a.run_id, 'complete');
    for (const runId of runIds) await tab1.waitForRunEnd(runId);
    expectSequential(tab1.events(), [a.run_id, ...runIds]);
    const answers = runIds.map((runId) => (tab1.events().find((e) => e.run_id === runId && e.type === 'agent_completed') as StreamEvent<'agent_completed'>).data.result.text);
    expect(answers).toEqual(runIds.map((_, i) => `m${i}`));
    await Promise.all([tab1.close(), tab2.close()]);
  });

  it('interrupt from the other process: the run on the first ends cancelled ("interrupted"), then the new one runs', async () => {
    const [tab1, tab2] = await tabs();
    const a = accepted(await tab1.ask('A', { agent: 'gated' }));
    await gated.reached(a.run_id);
    const b = accepted(await tab2.ask('B', { agent: 'quick', thread_id: a.thread_id, if_busy: 'interrupt' }));
    const endA = (await tab2.waitForRunEnd(a.run_id)) as StreamEvent<'agent_error'>;
    expect(endA.data).toMatchObject({ code: 'cancelled', message: expect.stringMatching(/interrupted/) });
    expect((await tab2.waitForRunEnd(b.run_id)).type).toBe('agent_completed');
    expectSequential(tab2.events(), [a.run_id, b.run_id]);
    await Promise.all([tab1.close(), tab2.close()]);
  });

  it('reject from the other process while a run is in flight: thread_busy', async () => {
    const [tab1, tab2] = await tabs();
    const a = accepted(await tab1.ask('A', { agent: 'gated' }));
    await gated.reached(a.run_id);
    expect(await tab2.ask('B', { agent: 'quick', thread_id: a.thread_id, if_busy: 'reject' })).toMatchObject({ type: 'error', data: { code: 'thread_busy' } });
    gated.open(a.run_id, 'complete');
    await tab2.waitForRunEnd(a.run_id);
    await Promise.all([tab1.close(), tab2.close()]);
  });

  it('stopping, from one process, a run queued on the other ends it there and takes it out of the queue', async () => {
    const [tab1, tab2] = await tabs();
    const a = accepted(await tab1.ask('A', { agent: 'gated' }));
    await gated.reached(a.run_id);
    const b = accepted(await tab2.ask('B', { agent: 'gated', thread_id: a.thread_id }));
    const c = accepted(await tab2.ask('C', { agent: 'quick', thread_id: a.thread_id }));
    tab1.send({ type: 'stop_agent', run_id: b.run_id });
    expect((await tab1.waitForRunEnd(b.run_id)).data).toMatchObject({ code: 'cancelled' });
    gated.open(a.run_id, 'complete');
    expect((await tab1.waitForRunEnd(c.run_id)).type).toBe('agent_completed');
    expectSequential(tab1.events(), [a.run_id, c.run_id]);
    expect(gated.startedRuns).not.toContain(b.run_id);
    await Promise.all([tab1.close(), tab2.close()]);
  });
});

describe('a process that dies with a thread queue (Redis engine)', () => {
  // The dying process's agent is left at its gate (as in a killed process): overlap is not counted here.
  const gated = new GatedAgents();
  let store: Store;
  let dying: TestServer;
  let survivor: TestServer;

  beforeAll(async () => {
    store = createMemoryStore();
    const { engine } = deployment();
    const options = { store, agents: [gated.agent], limits: { maxRunsInFlightPerUser: 12 } };
    dying = await startTestServer({ ...options, engine: engine({ livenessTtlMs: 300 }) });
    survivor = await startTestServer({ ...options, engine: engine({ reapIntervalMs: 100 }) });
  });
  afterAll(async () => {
    await survivor.close();
    await dying.close();
    await store.close();
  });

  /** Stands for a process killed mid-run: its liveness lapses, its runs stay `running` (test/redis/orphan-reaper.test.ts). */
  function die(server: TestServer): void {
    const bus = server.bus as RedisBus;
    bus.reaper.stop();
    bus.liveness.stop();
  }

  it('the running run of the dead process is ended by the reaper and the run queued behind it on a live process starts', async () => {
    const token = await testToken(freshUser());
    const tab1 = await TestClient.connect(dying.wsUrl, { token });
    const tab2 = await TestClient.connect(survivor.wsUrl, { token });
    const a = accepted(await tab1.ask('A', { agent: 'gated' }));
    await gated.reached(a.run_id);
    const b = accepted(await tab2.ask('B', { agent: 'gated', thread_id: a.thread_id }));
    die(dying);
    const endA = (await tab2.waitForRunEnd(a.run_id, 15_000)) as StreamEvent<'agent_error'>;
    expect(endA.data).toMatchObject({ code: 'failed', message: ORPHAN_MESSAGE });
    await gated.reached(b.run_id);
    expect((await waitForEvent(tab2, b.run_id, 'agent_started')).seq).toBeGreaterThan(endA.seq);
    gated.open(b.run_id, 'complete');
    expect((await tab2.waitForRunEnd(b.run_id)).type).toBe('agent_completed');
    await Promise.all([tab1.close(), tab2.close()]);
  });
});
