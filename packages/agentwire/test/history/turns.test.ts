import { describe, expect, it } from 'vitest';
import { conversation } from '../../src/agents/llm/messages.js';
import { turnsWithinBudget } from '../../src/history/turns.js';
import type { AssistantMessage, ThreadMessage, UserMessage } from '../../src/store/types.js';

const T = '2026-11-29T10:00:00.000Z';
const user = (run: string, text: string): UserMessage => ({ message_id: `u_${run}`, role: 'user', run_id: run, client_msg_id: run, text, created_at: T });
const assistant = (run: string, text: string, extra: Partial<AssistantMessage> = {}): AssistantMessage => ({
  message_id: `a_${run}`,
  role: 'assistant',
  run_id: run,
  agent_name: 'llm',
  status: 'completed',
  parts: [{ type: 'text', text }],
  text,
  created_at: T,
  ...extra,
});

describe('conversation memory from the store (issue 11 point 5)', () => {
  const thread: ThreadMessage[] = [
    user('r1', 'My name is Ada.'),
    assistant('r1', 'Nice to meet you, Ada.'),
    user('r2', 'What is 17 * 23?'),
    assistant('r2', '17 * 23 = 391.', {
      parts: [
        { type: 'tool_call', tool_call_id: 'c1', tool_name: 'calculator', args: { expression: '17 * 23' }, result: { value: 391 }, duration_ms: 1 },
        { type: 'tool_call', tool_call_id: 'c2', tool_name: 'clock', args: {}, error: 'bad zone', duration_ms: 1 },
        { type: 'tool_call', tool_call_id: 'c3', tool_name: 'clock', args: {} },
        { type: 'text', text: '17 * 23 = 391.' },
      ],
    }),
    user('r3', 'And now?'),
  ];

  it('keeps the whole thread, tool calls with their results or errors, without the current run', () => {
    const turns = turnsWithinBudget(thread, 'r3', 100_000);
    expect(turns.map((t) => t.role)).toEqual(['user', 'assistant', 'user', 'assistant']);
    const tools = turns[3]!.role === 'assistant' ? turns[3]!.toolCalls : [];
    expect(tools).toEqual([
      { id: 'c1', name: 'calculator', args: { expression: '17 * 23' }, result: { value: 391 } },
      { id: 'c2', name: 'clock', args: {}, error: 'bad zone' },
    ]);
  });

  it('trims from the oldest end to the budget, always keeping the newest turn', () => {
    const all = turnsWithinBudget(thread, 'r3', 100_000);
    const trimmed = turnsWithinBudget(thread, 'r3', 120);
    expect(trimmed.length).toBeLessThan(all.length);
    expect(trimmed.at(-1)).toEqual(all.at(-1));
    expect(all.slice(-trimmed.length)).toEqual(trimmed);
    expect(turnsWithinBudget(thread, 'r3', 1)).toEqual([all.at(-1)]);
  });

  it('replays tool calls in the form the model API expects: the call, its tool results, then the answer', () => {
    const messages = conversation('sys', turnsWithinBudget(thread, 'r3', 100_000), 'And now?');
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user', 'assistant', 'tool', 'tool', 'assistant', 'user']);
    const call = messages[4] as { tool_calls: Array<{ id: string; function: { name: string; arguments: string } }> };
    expect(call.tool_calls.map((c) => [c.id, c.function.name, JSON.parse(c.function.arguments)])).toEqual([
      ['c1', 'calculator', { expression: '17 * 23' }],
      ['c2', 'clock', {}],
    ]);
    expect(messages[5]).toEqual({ role: 'tool', tool_call_id: 'c1', content: '{"value":391}' });
    expect(messages[6]).toEqual({ role: 'tool', tool_call_id: 'c2', content: '{"error":"bad zone"}' });
  });

  it('drops an assistant turn with neither text nor completed tool calls (a run failed at once)', () => {
    const turns = turnsWithinBudget([user('r1', 'hi'), assistant('r1', '', { status: 'failed', parts: [] })], 'x', 1000);
    expect(turns).toEqual([{ role: 'user', text: 'hi' }]);
  });
});
