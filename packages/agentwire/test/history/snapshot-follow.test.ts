import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/index.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { testEngines } from '../helpers/engines.js';
import { seededRandom } from '../helpers/seeded-random.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { eventually } from '../helpers/wait.js';
import { apiFor } from './support/http.js';
import { applyEvents, shown } from './support/replay.js';

interface Snapshot {
  thread_id: string;
  messages: Array<Parameters<typeof shown>[0][number]>;
  stream: { epoch: string; last_seq: number };
}

/** Thinks, calls a tool, and streams `deltas` words with small random pauses. */
function chattyAgent(deltas: number, seed: number, maxPauseMs: number): Agent {
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
    server = await startTestServer({ engine, agents: [chattyAgent(200, 7, 6)], history: { checkpointMs: 20 }, limits: { maxConnectionsPerUser: 100 }, coalesceDeltasMs: 0 });
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
    }
    await eventually('every run ended', () => ended(main.events(), runIds), 15_000);
    const truth = await api.get<Snapshot>(`/threads/${threadId}/messages`);
    const expected = shown(truth.body.messages);
    expect(expected.filter((m) => m.role === 'assistant').map((m) => m.status)).toEqual(['completed', 'completed', 'completed', 'completed']);
    expect(followers.length).toBeGreaterThan(2);
    for (const { snap, client } of followers) {
      expect(client.established.resumed).toBe(true);
      await eventually('the follower reached the final stream position', () => caughtUp(client, snap, truth.body.stream.last_seq), 10_000);
      expect(applyEvents(shown(snap.messages), threadId, client.events())).toEqual(expected);
      await client.close();
    }
    await main.close();
  }, 60_000);

  it('a run longer than the retention window: mid-run snapshots still rebuild it exactly', async () => {
    server = await startTestServer({
      engine,
      agents: [chattyAgent(300, 11, 12)],
      retention: { maxEvents: 40, maxAgeMs: 60_000 },
      history: { checkpointMs: 20 },
      limits: { maxConnectionsPerUser: 100 },
      // Every delta its own event: the run must outgrow the retention window.
      coalesceDeltasMs: 0,
    });
    const token = await server.token('ines');
    const api = apiFor(server.httpUrl, token);
    const main = await TestClient.connect(server.wsUrl, { token });
    const { threadId, runIds } = await startRuns(main, 1);
    const followers: Array<{ snap: Snapshot; client: TestClient }> = [];
    while (!ended(main.events(), runIds) && followers.length < 60) {
      const { body } = await api.get<Snapshot>(`/threads/${threadId}/messages`);
      const client = await TestClient.connect(server.wsUrl, { token, query: { last_seq: body.stream.last_seq, epoch: body.stream.epoch } });
      if (client.established.resumed) followers.push({ snap: body, client });
      else await client.close();
    }
    // The truth is the run's final history: taken once it ended, however fast the snapshots above came.
    await eventually('the run ended', () => ended(main.events(), runIds), 15_000);
    const truth = await api.get<Snapshot>(`/threads/${threadId}/messages`);
    // The run emitted far more events than are retained, so its beginning came from the store.
    expect(truth.body.stream.last_seq).toBeGreaterThan(300);
    const late = followers.filter((f) => f.snap.stream.last_seq > 100);
    expect(late.length).toBeGreaterThan(0);
    for (const { snap, client } of followers) {
      await eventually('the follower reached the final stream position', () => caughtUp(client, snap, truth.body.stream.last_seq), 10_000);
      expect(applyEvents(shown(snap.messages), threadId, client.events())).toEqual(shown(truth.body.messages));
      await client.close();
    }
    await main.close();
  }, 60_000);
});
