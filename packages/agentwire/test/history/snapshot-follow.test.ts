import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/index.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { testEngines } from '../helpers/engines.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { createMemoryStore } from '../../src/store/memory-store.js';
import { Gates } from '../helpers/gates.js';
import { holdableStore } from '../helpers/held-store.js';
import { eventually } from '../helpers/wait.js';
import { apiFor } from './support/http.js';
import { applyEvents, shown } from './support/replay.js';

interface Snapshot {
  thread_id: string;
  messages: Array<Parameters<typeof shown>[0][number]>;
  stream: { epoch: string; last_seq: number };
}

/**
 * Thinks, calls a tool, and streams `deltas` words with small random pauses (a hammer: where
 * snapshots land is left to chance on purpose). A run whose message has a gate in `gates`
 * ends only once the test opens it.
 */
function chattyAgent(deltas: number, seed: number, maxPauseMs: number, gates?: Gates): Agent {
  const random = seededRandom(seed);
  return {
    name: 'chatty',
    async run(input, { notifier, signal }) {
      const pause = () => new Promise((r) => setTimeout(r, Math.floor(random() * maxPauseMs)));
      await notifier.thinking(`reading "${input.text}"`);
      const call = await notifier.toolExecuting('echo', { text: input.text });
      await pause();
      await notifier.toolCompleted(call.data.tool_call_id, { result: { echoed: input.text } });
      for (let i = 0; i < deltas; i++) {
        signal.throwIfAborted();
        void notifier.delta(`${input.text}-${i} `);
        if (random() < 0.3) await pause();
      }
      await gates?.wait(`end of ${input.text}`);
    },
  };
}

/** Thinks, calls a tool, then streams `d0 d1 ...` in the given steps, each once the test opens it. */
function steppedAgent(steps: readonly number[], gates: Gates): Agent {
  return {
    name: 'stepped',
    async run(input, { notifier }) {
      await notifier.thinking(`reading "${input.text}"`);
      const call = await notifier.toolExecuting('echo', { text: input.text });
      await notifier.toolCompleted(call.data.tool_call_id, { result: { echoed: input.text } });
      let sent = 0;
      for (const [step, count] of steps.entries()) {
        await gates.wait(`step ${step}`);
        for (let i = 0; i < count; i++) await notifier.delta(`d${sent++} `);
      }
    },
  };
}

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Starts `count` runs in one new thread; resolves the thread id and run ids. */
async function startRuns(client: TestClient, count: number): Promise<{ threadId: string; runIds: string[] }> {
  const first = await client.ask('r0');
  if (first.type !== 'message_accepted') throw new Error(`refused: ${JSON.stringify(first)}`);
  const threadId = first.data.thread_id;
  const runIds = [first.data.run_id];
  for (let i = 1; i < count; i++) {
    const accepted = await client.ask(`r${i}`, { thread_id: threadId });
    if (accepted.type !== 'message_accepted') throw new Error(`refused: ${JSON.stringify(accepted)}`);
    runIds.push(accepted.data.run_id);
  }
  return { threadId, runIds };
}

/** The follower has every event up to `lastSeq` (none at all when its snapshot was already there). */
const caughtUp = (client: TestClient, snap: Snapshot, lastSeq: number) => (client.events().at(-1)?.seq ?? snap.stream.last_seq) >= lastSeq;

const ended = (events: readonly StreamEvent[], runIds: readonly string[]) =>
  runIds.every((id) => events.some((e) => e.run_id === id && (e.type === 'agent_completed' || e.type === 'agent_error')));

describe.each(testEngines())('snapshot, then follow ($name engine): nothing missing, nothing twice', (engine) => {
  it('snapshots taken while four runs emit, each followed by a resume from its stream position, rebuild exactly the final history', async () => {
    // Every delta its own event (no coalescing): many events, so snapshots land at many stream positions.
    // The last run ends only once enough snapshots were taken: however fast the runs go, some land mid-run.
    const minFollowers = 3;
    const gates = new Gates();
    gates.open('end of r0');
    gates.open('end of r1');
    gates.open('end of r2');
    server = await startTestServer({ engine, agents: [chattyAgent(200, 7, 6, gates)], history: { checkpointMs: 20 }, limits: { maxConnectionsPerUser: 100 }, coalesceDeltasMs: 0 });
    const token = await server.token('hana');
    const api = apiFor(server.httpUrl, token);
    const main = await TestClient.connect(server.wsUrl, { token });
    const { threadId, runIds } = await startRuns(main, 4);
    const followers: Array<{ snap: Snapshot; client: TestClient }> = [];
    while (!ended(main.events(), runIds) && followers.length < 40) {
      const { status, body } = await api.get<Snapshot>(`/threads/${threadId}/messages`);
      expect(status).toBe(200);
      const client = await TestClient.connect(server.wsUrl, { token, query: { last_seq: body.stream.last_seq, epoch: body.stream.epoch } });
      followers.push({ snap: body, client });
      if (followers.length === minFollowers) gates.open('end of r3');
    }
    for (const runId of runIds) await main.waitForRunEnd(runId, 30_000);
    const truth = await api.get<Snapshot>(`/threads/${threadId}/messages`);
    const expected = shown(truth.body.messages);
    expect(expected.filter((m) => m.role === 'assistant').map((m) => m.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(followers.length).toBeGreaterThanOrEqual(minFollowers);
    for (const { snap, client } of followers) {
      expect(client.established.resumed).toBe(true);
      await eventually('the follower reached the final stream position', () => caughtUp(client, snap, truth.body.stream.last_seq), 10_000);
      expect(applyEvents(shown(snap.messages), threadId, client.events())).toEqual(expected);
      await client.close();
    }
    await main.close();
  }, 60_000);

  it('a run longer than the retention window: mid-run snapshots still rebuild it exactly', async () => {
    // Deterministic (no race between snapshots and the run): the agent streams 300 deltas in
    // steps the test releases, so the run outgrows the 40 retained events by construction,
    // and each snapshot lands at a known place, with the run's checkpoint either current or
    // held back (then the snapshot must fold the retained events on top of a stale one).
    const retainedEvents = 40;
    const steps = [50, 10, 50, 10, 50, 10, 50, 10, 50, 10];
    const gates = new Gates();
    const held = holdableStore(createMemoryStore());
    server = await startTestServer({
      engine,
      agents: [steppedAgent(steps, gates)],
      store: held.store,
      retention: { maxEvents: retainedEvents, maxAgeMs: 60_000 },
      history: { checkpointMs: 20 },
      // Every delta its own event: the run must outgrow the retention window.
      coalesceDeltasMs: 0,
    });
    const token = await server.token('ines');
    const api = apiFor(server.httpUrl, token);
    const main = await TestClient.connect(server.wsUrl, { token });
    const { threadId, runIds } = await startRuns(main, 1);
    const runId = runIds[0]!;
    const followers: Array<{ snap: Snapshot; client: TestClient; checkpoint: 'current' | 'held' }> = [];
    let sent = 0;
    for (const [step, count] of steps.entries()) {
      // Odd steps: the run's checkpoints are held back while it emits fewer events than are retained.
      const checkpoint = step % 2 === 1 ? 'held' : 'current';
      if (checkpoint === 'held') held.hold();
      gates.open(`step ${step}`);
      sent += count;
      const last = await main.waitFor((f) => f.type === 'agent_message_delta' && f.run_id === runId && f.data.delta === `d${sent - 1} `, 15_000);
      const lastSeq = 'seq' in last ? last.seq : -1;
      if (checkpoint === 'current') {
        await eventually('the checkpoint reached the last event', async () => {
          const { messages } = await held.store.messages.page(threadId, { limit: 10 });
          return messages.some((m) => m.message.role === 'assistant' && m.mark.seq === lastSeq);
        });
      }
      const { status, body } = await api.get<Snapshot>(`/threads/${threadId}/messages`);
      expect(status).toBe(200);
      expect(body.stream.last_seq).toBe(lastSeq);
      const client = await TestClient.connect(server.wsUrl, { token, query: { last_seq: body.stream.last_seq, epoch: body.stream.epoch } });
      // Nothing was appended since the snapshot: its position is the head, always retained.
      expect(client.established.resumed).toBe(true);
      followers.push({ snap: body, client, checkpoint });
      held.release();
    }
    await main.waitForRunEnd(runId);
    const truth = await api.get<Snapshot>(`/threads/${threadId}/messages`);
    const expected = shown(truth.body.messages);
    expect(expected.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(expected[1]).toMatchObject({ status: 'completed', text: Array.from({ length: sent }, (_, i) => `d${i} `).join('') });
    // The run's beginning fell out of the stream long before it ended: it came from the store.
    expect(truth.body.stream.last_seq).toBeGreaterThan(sent);
    expect(followers[0]!.snap.stream.last_seq).toBeGreaterThan(retainedEvents);
    for (const { snap, client } of followers) {
      await client.waitForRunEnd(runId, 15_000);
      expect(applyEvents(shown(snap.messages), threadId, client.events())).toEqual(expected);
      await client.close();
    }
    await main.close();
  }, 60_000);
});
