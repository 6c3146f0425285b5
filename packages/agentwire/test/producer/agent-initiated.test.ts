import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryStore, MemoryBus, type Agent } from '../../src/index.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

// A run may start without a user message (a scheduled job, a webhook): host code calls
// gateway.startRun without `text` (docs/producers.md, "Agent-initiated runs from host code").

const inputs: string[] = [];
const digest: Agent = {
  name: 'digest',
  async run(input, { notifier }) {
    inputs.push(input.text);
    await notifier.delta('Good morning: 3 tickets are open.');
  },
};

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ agents: [digest] });
});
afterAll(() => server.close());

describe('agent-initiated runs', () => {
  it('appear in the user tabs and history with no user message, in a thread titled as asked', async () => {
    const userId = `initiated-${Date.now()}`;
    const token = await server.token(userId);
    const socket = await TestClient.connect(server.wsUrl, { token });
    const outcome = await server.gateway.startRun(userId, { agent: 'digest', title: 'Morning digest' });
    if (!outcome.ok) throw new Error(outcome.message);
    const terminal = await socket.waitForRunEnd(outcome.runId);
    expect(terminal).toMatchObject({ type: 'agent_completed', data: { result: { text: 'Good morning: 3 tickets are open.' } } });
    expect(socket.events().map((e) => e.type)).toEqual(['agent_started', 'agent_message_delta', 'agent_completed']);
    expect(inputs.at(-1)).toBe('');
    const auth = { headers: { authorization: `Bearer ${token}` } };
    const threads = (await (await fetch(`${server.httpUrl}/threads`, auth)).json()) as { threads: Array<{ thread_id: string; title: string }> };
    expect(threads.threads.find((t) => t.thread_id === outcome.threadId)?.title).toBe('Morning digest');
    const history = (await (await fetch(`${server.httpUrl}/threads/${outcome.threadId}/messages`, auth)).json()) as { messages: Array<{ role: string; text: string }> };
    expect(history.messages.map((m) => [m.role, m.text])).toEqual([['assistant', 'Good morning: 3 tickets are open.']]);
    await socket.close();
  });

  it('an empty text is still refused: only an absent one means no user message', async () => {
    const outcome = await server.gateway.startRun(`initiated-empty-${Date.now()}`, { agent: 'digest', text: '' });
    expect(outcome).toMatchObject({ ok: false, code: 'invalid_message' });
  });
});

describe('agent-initiated runs in a snapshot', () => {
  it('show the run in flight before its first checkpoint is stored: the assistant message is stored at the start', async () => {
    // Checkpoints (writes that name the stream seq they reflect) are held back, as by a slow
    // store: only what the start stored can anchor the run.
    const store = createMemoryStore();
    const held: Array<() => void> = [];
    let holding = true;
    const putAssistant = store.messages.putAssistant.bind(store.messages);
    store.messages.putAssistant = (stored) => {
      if (!holding || stored.mark.seq === null) return putAssistant(stored);
      return new Promise((resolve) => held.push(() => resolve(putAssistant(stored))));
    };
    let finish!: () => void;
    const gate = new Promise<void>((resolve) => (finish = resolve));
    const slow: Agent = {
      name: 'slow',
      async run(_input, { notifier }) {
        await notifier.delta('Partial');
        await gate;
      },
    };
    const own = await startTestServer({ agents: [slow], store });
    try {
      const userId = `initiated-snapshot-${Date.now()}`;
      const token = await own.token(userId);
      const socket = await TestClient.connect(own.wsUrl, { token });
      const outcome = await own.gateway.startRun(userId, { agent: 'slow' });
      if (!outcome.ok) throw new Error(outcome.message);
      await socket.waitFor((f) => f.type === 'agent_message_delta');
      const auth = { headers: { authorization: `Bearer ${token}` } };
      const snapshot = (await (await fetch(`${own.httpUrl}/threads/${outcome.threadId}/messages`, auth)).json()) as {
        messages: Array<{ role: string; status: string; text: string; agent_name: string }>;
      };
      expect(snapshot.messages).toHaveLength(1);
      expect(snapshot.messages[0]).toMatchObject({ role: 'assistant', status: 'running', text: 'Partial', agent_name: 'slow' });
      holding = false;
      for (const go of held.splice(0)) go();
      finish();
      expect(await socket.waitForRunEnd(outcome.runId)).toMatchObject({ type: 'agent_completed' });
      await socket.close();
    } finally {
      holding = false;
      for (const go of held.splice(0)) go();
      finish();
      await own.close();
    }
  });
});

describe('an agent-initiated run that cannot start', () => {
  // The run is registered with the bus (its thread's queue, the run directory) before anything
  // is stored: when that fails, the run is refused and leaves nothing that could show it
  // running forever.
  it('is refused and leaves no thread and no message behind', async () => {
    const bus = new MemoryBus();
    const register = bus.runs.register.bind(bus.runs);
    let failNext = true;
    bus.runs.register = (run) => {
      if (!failNext) return register(run);
      failNext = false;
      return Promise.reject(new Error('event bus unreachable'));
    };
    const own = await startTestServer({ agents: [digest], engine: { name: 'memory', create: async () => bus } });
    try {
      const userId = `initiated-fails-${Date.now()}`;
      await expect(own.gateway.startRun(userId, { agent: 'digest', title: 'Never ran' })).rejects.toThrow('event bus unreachable');
      const token = await own.token(userId);
      const auth = { headers: { authorization: `Bearer ${token}` } };
      const { threads } = (await (await fetch(`${own.httpUrl}/threads`, auth)).json()) as { threads: Array<{ thread_id: string }> };
      expect(threads).toEqual([]);
      // The bus is back: the same request now runs.
      const again = await own.gateway.startRun(userId, { agent: 'digest', title: 'Ran' });
      expect(again.ok).toBe(true);
    } finally {
      await own.close();
    }
  });
});
