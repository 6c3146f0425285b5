import { describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/protocol/types.js';
import type { HistoryMessage } from '../../web/src/history-types.js';
import { ThreadModel } from '../../web/src/thread-model.js';

// The chat page's "snapshot, then follow" (docs/protocol.md, History): events with
// seq <= stream.last_seq are already in the snapshot and must not be applied again.

const T = 'thr_1';
const ts = '2026-11-29T10:00:00.000Z';
let seq = 0;
const ev = (type: string, runId: string, data: Record<string, unknown>, at = ++seq): StreamEvent =>
  ({ type, seq: at, ts, thread_id: T, run_id: runId, data }) as unknown as StreamEvent;

const snapshot: HistoryMessage[] = [
  { message_id: 'm1', role: 'user', run_id: 'run_a', client_msg_id: 'c1', text: 'What is 17 * 23?', created_at: ts },
  {
    message_id: 'm2',
    role: 'assistant',
    run_id: 'run_a',
    agent_name: 'demo',
    status: 'running',
    parts: [
      { type: 'thinking', text: 'I will use the calculator.' },
      { type: 'tool_call', tool_call_id: 'call_1', tool_name: 'calculator', args: { expression: '17 * 23' }, result: { value: 391 }, duration_ms: 3 },
      { type: 'text', text: '17 * 23' },
    ],
    text: '17 * 23',
    created_at: ts,
  },
];

describe('ThreadModel: snapshot, then follow', () => {
  it('skips live events the snapshot already reflects and continues the answer after it', () => {
    seq = 0;
    const model = new ThreadModel(T);
    // Live events arrive before the snapshot's answer does: 1-5 are in it, 6-7 are not.
    const live = [
      ev('user_message', 'run_a', { text: 'What is 17 * 23?', client_msg_id: 'c1' }),
      ev('agent_started', 'run_a', { agent_name: 'demo' }),
      ev('agent_thinking', 'run_a', { text: 'I will use the calculator.' }),
      ev('tool_executing', 'run_a', { tool_call_id: 'call_1', tool_name: 'calculator', args: { expression: '17 * 23' } }),
      ev('agent_message_delta', 'run_a', { message_id: 'x', delta: '17 * 23' }),
      ev('agent_message_delta', 'run_a', { message_id: 'x', delta: ' = 391.' }),
      ev('agent_completed', 'run_a', { result: { text: '17 * 23 = 391.' }, duration_ms: 40 }),
    ];
    for (const event of live.slice(0, 6)) model.apply(event);
    model.seed(snapshot, 5);
    const run = model.ordered()[0]!;
    expect(run.steps).toHaveLength(2); // not doubled by the replayed live events
    expect(run.answer).toBe('17 * 23 = 391.');
    expect(run.status).toBe('running');
    expect(model.apply(live[6]!)?.status).toBe('completed');
    expect(model.apply(live[6]!)).toBeUndefined(); // at most once
    expect(model.ordered()).toHaveLength(1);
  });

  it('maps every terminal status of history and of agent_error codes', () => {
    seq = 0;
    const model = new ThreadModel(T);
    model.apply(ev('user_message', 'run_t', { text: 'slow', client_msg_id: 'c' }));
    model.apply(ev('agent_error', 'run_t', { code: 'timeout', message: 'The model did not answer in time.', duration_ms: 5 }));
    model.apply(ev('user_message', 'run_c', { text: 'stop', client_msg_id: 'd' }));
    model.apply(ev('agent_error', 'run_c', { code: 'cancelled', message: 'stopped', duration_ms: 5 }));
    model.apply(ev('user_message', 'run_f', { text: 'fail', client_msg_id: 'e' }));
    model.apply(ev('agent_error', 'run_f', { code: 'internal', message: 'x', duration_ms: 5 }));
    expect(model.ordered().map((r) => r.status)).toEqual(['timeout', 'cancelled', 'failed']);
  });

  it('prepends an older page without replaying anything', () => {
    const model = new ThreadModel(T);
    model.seed(snapshot, 5);
    model.prepend([{ message_id: 'm0', role: 'user', run_id: 'run_0', client_msg_id: 'c0', text: 'Hello', created_at: '2026-11-29T09:00:00.000Z' }]);
    expect(model.ordered().map((r) => r.userText)).toEqual(['Hello', 'What is 17 * 23?']);
  });

  it('after a fresh connection, forgets live events of the old stream life', () => {
    seq = 100;
    const model = new ThreadModel(T);
    model.apply(ev('user_message', 'run_old', { text: 'old life', client_msg_id: 'c' }));
    model.resetLive();
    model.seed(snapshot, 3); // the new stream's seqs start low again
    expect(model.ordered().map((r) => r.runId)).toEqual(['run_a']);
  });

  it('completes a run split across two pages (assistant on the newer, user on the older)', () => {
    const model = new ThreadModel(T);
    model.seed([snapshot[1]!], 5);
    expect(model.ordered()[0]!.userText).toBe('');
    model.prepend([snapshot[0]!]);
    expect(model.ordered().map((r) => [r.userText, r.answer])).toEqual([['What is 17 * 23?', '17 * 23']]);
  });
});
