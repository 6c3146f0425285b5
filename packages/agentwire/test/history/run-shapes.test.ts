import { afterEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/index.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { apiFor } from './support/http.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Assistant {
  role: 'assistant';
  run_id: string;
  status: string;
  text: string;
  parts: Array<Record<string, unknown>>;
  error?: { code: string; message: string };
  completed_at?: string;
  duration_ms?: number;
}

const never = (signal: AbortSignal) => new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason), { once: true }));

/** One agent per run shape, picked by the message text. */
const shapes: Agent = {
  name: 'shapes',
  async run(input, { notifier, signal }) {
    switch (input.text) {
      case 'two tools': {
        await notifier.thinking('first');
        await notifier.thinking('second');
        const a = await notifier.toolExecuting('calculator', { expression: '1+1' }, 'call_a');
        await notifier.toolCompleted(a.data.tool_call_id, { result: { value: 2 } });
        await notifier.thinking('between tools');
        const b = await notifier.toolExecuting('clock', { zone: 'UTC' }, 'call_b');
        await notifier.toolCompleted(b.data.tool_call_id, { error: 'clock broke' });
        await notifier.delta('Two ');
        await notifier.delta('tools.');
        return;
      }
      case 'fail with partial': {
        await notifier.delta('I was say');
        throw new Error('model went away');
      }
      case 'hang in a tool': {
        await notifier.delta('Looking');
        await notifier.toolExecuting('slow', {}, 'call_slow');
        return never(signal);
      }
      default:
        return never(signal);
    }
  },
};

async function runOnce(s: TestServer, text: string, afterStart?: (ws: TestClient, runId: string) => Promise<void>) {
  const token = await s.token('dora');
  const ws = await TestClient.connect(s.wsUrl, { token });
  const accepted = await ws.ask(text);
  if (accepted.type !== 'message_accepted') throw new Error(JSON.stringify(accepted));
  const { run_id: runId, thread_id: threadId } = accepted.data;
  await afterStart?.(ws, runId);
  const terminal = (await ws.waitForRunEnd(runId)) as StreamEvent;
  const { body } = await apiFor(s.httpUrl, token).get<{ messages: Array<Assistant | { role: 'user' }> }>(`/threads/${threadId}/messages`);
  const assistant = body.messages.find((m): m is Assistant => m.role === 'assistant')!;
  const deltas = ws.events().filter((e): e is StreamEvent<'agent_message_delta'> => e.type === 'agent_message_delta' && e.run_id === runId);
  // What the stream showed, history shows (docs/protocol.md, History rules).
  expect(assistant.text).toBe(deltas.map((d) => d.data.delta).join(''));
  if (terminal.type === 'agent_completed') expect(assistant.text).toBe(terminal.data.result.text);
  for (const part of assistant.parts) if (part['type'] === 'tool_call') expect('result' in part || 'error' in part).toBe(true);
  await ws.close();
  return { assistant, terminal, ws };
}

describe('compaction of every run shape, through the gateway into the store', () => {
  it('two tools, a tool error, thinking between tools', async () => {
    server = await startTestServer({ agents: [shapes] });
    const { assistant } = await runOnce(server, 'two tools');
    expect(assistant.status).toBe('completed');
    expect(assistant.parts.map((p) => p['type'])).toEqual(['thinking', 'tool_call', 'thinking', 'tool_call', 'text']);
    expect(assistant.parts[0]).toEqual({ type: 'thinking', text: 'first\nsecond' });
    expect(assistant.parts[1]).toMatchObject({ tool_call_id: 'call_a', tool_name: 'calculator', args: { expression: '1+1' }, result: { value: 2 } });
    expect(assistant.parts[3]).toMatchObject({ tool_call_id: 'call_b', error: 'clock broke' });
    expect(typeof assistant.parts[3]!['duration_ms']).toBe('number');
    expect(assistant.text).toBe('Two tools.');
    expect(assistant.completed_at).toBeDefined();
  });

  it('a failed run keeps its partial answer and its error', async () => {
    server = await startTestServer({ agents: [shapes] });
    const { assistant } = await runOnce(server, 'fail with partial');
    expect(assistant).toMatchObject({ status: 'failed', text: 'I was say', error: { code: 'failed' } });
    expect(assistant.error!.message).toContain('model went away');
  });

  it('cancelled mid-tool: the open call gets its error, status cancelled', async () => {
    server = await startTestServer({ agents: [shapes] });
    const { assistant } = await runOnce(server, 'hang in a tool', async (ws, runId) => {
      await ws.waitFor((f) => f.type === 'tool_executing');
      ws.send({ type: 'stop_agent', run_id: runId });
    });
    expect(assistant.status).toBe('cancelled');
    expect(assistant.text).toBe('Looking');
    expect(assistant.parts[1]).toMatchObject({ type: 'tool_call', tool_call_id: 'call_slow', error: expect.stringContaining('cancelled') });
  });

  it('timeout', async () => {
    server = await startTestServer({ agents: [shapes], runTimeoutMs: 150 });
    const { assistant } = await runOnce(server, 'hang in a tool');
    expect(assistant).toMatchObject({ status: 'timeout', error: { code: 'timeout' } });
  });

  it('shutdown: the final message is stored before the terminal event goes out', async () => {
    const s = (server = await startTestServer({ agents: [shapes] }));
    const token = await s.token('dora');
    const ws = await TestClient.connect(s.wsUrl, { token });
    const accepted = await ws.ask('hang in a tool');
    if (accepted.type !== 'message_accepted') throw new Error('refused');
    await ws.waitFor((f) => f.type === 'tool_executing');
    const store = s.gateway.store;
    await s.gateway.close();
    const terminal = ws.events().find((e) => e.type === 'agent_error');
    expect(terminal).toMatchObject({ data: { code: 'shutdown' } });
    const page = await store.messages.page(accepted.data.thread_id, { limit: 10 });
    const assistant = page.messages.find((m) => m.message.role === 'assistant')!.message as unknown as Assistant;
    expect(assistant).toMatchObject({ status: 'shutdown', text: 'Looking', error: { code: 'shutdown' } });
  });
});
