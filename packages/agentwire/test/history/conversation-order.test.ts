import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Agent, ThreadMessage, ThreadSnapshot, ThreadTurn } from '../../src/index.js';
import { ThreadFold } from '../../src/react.js';
import type { Store } from '../../src/store/types.js';
import { Gates } from '../helpers/gates.js';
import { holdableStore } from '../helpers/held-store.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { memoryHarness, postgresHarness, sqliteHarness } from '../store/support/harnesses.js';
import { apiFor } from './support/http.js';
import { applyEvents, shown } from './support/replay.js';

// Conversation order (docs/protocol.md, "agentwire's choices where the contract is silent";
// docs/guarantees.md, "Durable history"): a run's assistant message comes right after its
// user message, even when queued runs' user messages (protocol 1.2, "Busy threads") were
// stored before the run's first checkpoint. The late checkpoint is made certain here by
// holding the store's assistant writes; the agent moves only when the test opens its gate.

/** Answers `<text> answer` once the test opens the gate named after the message; records the memory it was given. */
function gatedAgent(gates: Gates, memory: Map<string, ThreadTurn[]>): Agent {
  return {
    name: 'gated',
    async run(input, { notifier, history }) {
      memory.set(input.text, await history());
      await notifier.delta(`${input.text} answer`);
      await gates.wait(input.text);
    },
  };
}

const runOrder = (messages: readonly ThreadMessage[]) => messages.map((m) => `${m.role} ${m.run_id}`);

let server: TestServer | undefined;
const stores: Store[] = [];
afterEach(async () => {
  await server?.close();
  server = undefined;
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

describe.each([memoryHarness, sqliteHarness(), postgresHarness()])('conversation order ($name store)', (harness) => {
  beforeAll(() => harness.setup(), 30_000);
  afterAll(() => harness.teardown(), 30_000);

  it('queued messages stored before a run\'s first checkpoint: history, a follower, ThreadFold and the next run\'s memory all put the answer right after its question', async () => {
    const { store: inner } = await harness.open();
    stores.push(inner);
    const held = holdableStore(inner);
    const gates = new Gates();
    const memory = new Map<string, ThreadTurn[]>();
    server = await startTestServer({ agents: [gatedAgent(gates, memory)], store: held.store, coalesceDeltasMs: 0 });
    const token = await server.token('olga');
    const api = apiFor(server.httpUrl, token);
    const main = await TestClient.connect(server.wsUrl, { token });

    // r1 runs; its checkpoints cannot reach the store yet.
    held.hold();
    const first = await main.ask('r1');
    if (first.type !== 'message_accepted') throw new Error(`refused: ${JSON.stringify(first)}`);
    const threadId = first.data.thread_id;
    const r1 = first.data.run_id;
    await main.waitFor((f) => f.type === 'agent_message_delta' && f.run_id === r1);
    // r2 and r3 are queued behind it: their user messages are stored now, before r1's assistant message.
    const runIds = [r1];
    for (const text of ['r2', 'r3']) {
      const accepted = await main.ask(text, { thread_id: threadId });
      if (accepted.type !== 'message_accepted' || accepted.data.queued !== true) throw new Error(`not queued: ${JSON.stringify(accepted)}`);
      runIds.push(accepted.data.run_id);
    }
    await main.waitFor((f) => f.type === 'user_message' && f.run_id === runIds[2]);
    const mid = await api.get<ThreadSnapshot>(`/threads/${threadId}/messages`);
    expect(mid.status).toBe(200);
    expect(runOrder(mid.body.messages)).toEqual([`user ${r1}`, `assistant ${r1}`, `user ${runIds[1]}`, `user ${runIds[2]}`]);
    const follower = await TestClient.connect(server.wsUrl, { token, query: { last_seq: mid.body.stream.last_seq, epoch: mid.body.stream.epoch } });
    expect(follower.established.resumed).toBe(true);

    // Now r1's first checkpoint is written, after r2's and r3's user messages.
    held.release();
    for (const [i, runId] of runIds.entries()) {
      gates.open(`r${i + 1}`);
      await main.waitForRunEnd(runId);
    }
    await follower.waitForRunEnd(runIds[2]!);

    const truth = await api.get<ThreadSnapshot>(`/threads/${threadId}/messages`);
    expect(runOrder(truth.body.messages)).toEqual(runIds.flatMap((id) => [`user ${id}`, `assistant ${id}`]));
    expect(truth.body.messages.filter((m) => m.role === 'assistant').map((m) => m.text)).toEqual(['r1 answer', 'r2 answer', 'r3 answer']);
    // A follower of the mid-run snapshot rebuilds exactly the final history (docs/protocol.md, "Snapshot, then follow").
    expect(applyEvents(shown(mid.body.messages), threadId, follower.events())).toEqual(shown(truth.body.messages));
    // The browser-side fold (agentwire/react) lands on the store's order too.
    const fold = new ThreadFold(threadId);
    fold.seed(mid.body.messages, mid.body.stream.last_seq);
    for (const event of follower.events()) fold.apply(event);
    expect(runOrder(fold.view())).toEqual(runOrder(truth.body.messages));
    // r2's conversation memory holds r1's question and its answer (docs/agents.md, "Conversation memory").
    expect(memory.get('r2')).toEqual([
      { role: 'user', text: 'r1' },
      { role: 'assistant', text: 'r1 answer', toolCalls: [] },
    ]);
    await follower.close();
    await main.close();
  }, 30_000);
});
