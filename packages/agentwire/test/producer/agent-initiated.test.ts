import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/index.js';
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
