import { describe, expect, it } from 'vitest';
import { asRunning, MessageCompactor } from '../../src/history/compaction.js';
import type { StreamEvent, StreamEventDraft } from '../../src/protocol/types.js';

const RUN = 'run_1';
let seq = 0;
const at = (ms: number) => new Date(Date.UTC(2026, 10, 29, 10, 0, 0, ms)).toISOString();
function ev(draft: Omit<StreamEventDraft, 'thread_id' | 'run_id'> & { run_id?: string }): StreamEvent {
  seq++;
  return { thread_id: 'thr_1', run_id: RUN, seq, ts: at(seq), ...draft } as StreamEvent;
}

function compact(events: StreamEvent[]) {
  const c = MessageCompactor.start(RUN, 'demo', at(0));
  for (const e of events) c.fold(e);
  return c.message();
}

describe('MessageCompactor (docs/protocol.md, History: compaction of every run shape)', () => {
  it('two tools, thinking between them, streamed text: parts in append order, answer joined', () => {
    const m = compact([
      ev({ type: 'agent_started', data: { agent_name: 'demo' } }),
      ev({ type: 'agent_thinking', data: { text: 'plan' } }),
      ev({ type: 'agent_thinking', data: { text: 'more' } }),
      ev({ type: 'tool_executing', data: { tool_call_id: 'c1', tool_name: 'calculator', args: { expression: '17*23' } } }),
      ev({ type: 'tool_completed', data: { tool_call_id: 'c1', tool_name: 'calculator', result: { value: 391 }, duration_ms: 3 } }),
      ev({ type: 'agent_thinking', data: { text: 'next' } }),
      ev({ type: 'tool_executing', data: { tool_call_id: 'c2', tool_name: 'clock', args: { zone: 'UTC' } } }),
      ev({ type: 'tool_completed', data: { tool_call_id: 'c2', tool_name: 'clock', result: { time: '10:00' }, duration_ms: 1 } }),
      ev({ type: 'agent_message_delta', data: { message_id: 'm', delta: '17 * 23 ' } }),
      ev({ type: 'agent_message_delta', data: { message_id: 'm', delta: '= 391.' } }),
      ev({ type: 'agent_completed', data: { result: { text: '17 * 23 = 391.' }, duration_ms: 42 } }),
    ]);
    expect(m.status).toBe('completed');
    expect(m.text).toBe('17 * 23 = 391.');
    expect(m.duration_ms).toBe(42);
    expect(m.completed_at).toBeDefined();
    expect(m.error).toBeUndefined();
    expect(m.parts).toEqual([
      { type: 'thinking', text: 'plan\nmore' },
      { type: 'tool_call', tool_call_id: 'c1', tool_name: 'calculator', args: { expression: '17*23' }, result: { value: 391 }, duration_ms: 3 },
      { type: 'thinking', text: 'next' },
      { type: 'tool_call', tool_call_id: 'c2', tool_name: 'clock', args: { zone: 'UTC' }, result: { time: '10:00' }, duration_ms: 1 },
      { type: 'text', text: '17 * 23 = 391.' },
    ]);
  });

  it('a tool error and a failed run keep the partial answer and the error', () => {
    const m = compact([
      ev({ type: 'agent_started', data: { agent_name: 'llm' } }),
      ev({ type: 'agent_message_delta', data: { message_id: 'm', delta: 'Part' } }),
      ev({ type: 'tool_executing', data: { tool_call_id: 'c1', tool_name: 'calculator', args: {} } }),
      ev({ type: 'tool_completed', data: { tool_call_id: 'c1', tool_name: 'calculator', error: 'bad input', duration_ms: 2 } }),
      ev({ type: 'agent_message_delta', data: { message_id: 'm', delta: 'ial' } }),
      ev({ type: 'agent_error', data: { code: 'failed', message: 'model down', duration_ms: 9 } }),
    ]);
    expect(m.agent_name).toBe('llm');
    expect(m.status).toBe('failed');
    expect(m.text).toBe('Partial');
    expect(m.error).toEqual({ code: 'failed', message: 'model down' });
    expect(m.parts[1]).toMatchObject({ type: 'tool_call', error: 'bad input', duration_ms: 2 });
    expect(m.parts.filter((p) => p.type === 'text').map((p) => (p as { text: string }).text)).toEqual(['Part', 'ial']);
  });

  it.each(['cancelled', 'timeout', 'shutdown'] as const)('a run ended %s mid-tool: the open call is closed with its error', (code) => {
    const m = compact([
      ev({ type: 'agent_started', data: { agent_name: 'demo' } }),
      ev({ type: 'tool_executing', data: { tool_call_id: 'c1', tool_name: 'clock', args: {} } }),
      ev({ type: 'tool_completed', data: { tool_call_id: 'c1', tool_name: 'clock', error: `${code}: stopped`, duration_ms: 5 } }),
      ev({ type: 'agent_error', data: { code, message: 'stopped', duration_ms: 6 } }),
    ]);
    expect(m.status).toBe(code);
    expect(m.parts).toEqual([{ type: 'tool_call', tool_call_id: 'c1', tool_name: 'clock', args: {}, error: `${code}: stopped`, duration_ms: 5 }]);
  });

  it('continues from a checkpoint exactly as from the start, and ignores other runs and events after the end', () => {
    const events = [
      ev({ type: 'agent_started', data: { agent_name: 'demo' } }),
      ev({ type: 'tool_executing', data: { tool_call_id: 'c1', tool_name: 'clock', args: {} } }),
      ev({ type: 'agent_message_delta', data: { message_id: 'm', delta: 'a', }, run_id: 'run_other' }),
      ev({ type: 'tool_completed', data: { tool_call_id: 'c1', tool_name: 'clock', result: 1, duration_ms: 5 } }),
      ev({ type: 'agent_message_delta', data: { message_id: 'm', delta: 'b' } }),
      ev({ type: 'agent_completed', data: { result: { text: 'b' }, duration_ms: 6 } }),
      ev({ type: 'agent_message_delta', data: { message_id: 'm', delta: 'late' } }),
    ];
    const whole = compact(events);
    for (let cut = 0; cut <= events.length; cut++) {
      const head = compact(events.slice(0, cut));
      const resumed = MessageCompactor.from(head);
      for (const e of events.slice(cut)) resumed.fold(e);
      expect(resumed.message()).toEqual(whole);
    }
    expect(whole.text).toBe('b');
  });

  it('asRunning shows a final message as the stream had it before its terminal event', () => {
    const m = compact([
      ev({ type: 'agent_started', data: { agent_name: 'demo' } }),
      ev({ type: 'agent_error', data: { code: 'failed', message: 'x', duration_ms: 1 } }),
    ]);
    const r = asRunning(m);
    expect(r.status).toBe('running');
    expect(r).not.toHaveProperty('error');
    expect(r).not.toHaveProperty('completed_at');
    expect(r).not.toHaveProperty('duration_ms');
  });
});
