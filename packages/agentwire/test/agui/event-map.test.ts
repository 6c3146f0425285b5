import { EventType } from '@ag-ui/core';
import { EventSchemas } from '@ag-ui/core/schemas';
import { describe, expect, it } from 'vitest';
import type { StreamEvent, StreamEventDataMap, StreamEventType } from '../../src/protocol/types.js';
import { AguiEventMapper } from '../../src/server.js';

let seq = 0;
function ev<T extends StreamEventType>(type: T, data: StreamEventDataMap[T]): StreamEvent {
  seq++;
  return { type, seq, ts: '2026-11-21T10:00:00.000Z', thread_id: 'thr_1', run_id: 'run_1', data } as StreamEvent;
}

describe('AguiEventMapper', () => {
  it('closes text before thoughts and tools, and continues the answer as a new message', () => {
    const mapper = new AguiEventMapper({ threadId: 'client-thread', runId: 'client-run' });
    const run = [
      ev('user_message', { text: 'hi', client_msg_id: 'c1' }),
      ev('agent_started', { agent_name: 'demo' }),
      ev('agent_message_delta', { message_id: 'msg_1', delta: 'Part one. ' }),
      ev('agent_thinking', { text: 'hmm' }),
      ev('agent_thinking', { text: 'and hmm again' }),
      ev('agent_message_delta', { message_id: 'msg_1', delta: 'Part two.' }),
      ev('tool_executing', { tool_call_id: 'call_1', tool_name: 'clock', args: { timezone: 'UTC' } }),
      ev('tool_completed', { tool_call_id: 'call_1', tool_name: 'clock', error: 'bad zone', duration_ms: 1 }),
      ev('agent_error', { code: 'cancelled', message: 'stopped by the user', duration_ms: 5 }),
    ];
    const out = run.flatMap((e) => mapper.map(e));
    for (const event of out) EventSchemas.parse(event);
    expect(out.map((e) => [e.type, 'messageId' in e ? e.messageId : undefined])).toEqual([
      [EventType.RUN_STARTED, undefined],
      [EventType.TEXT_MESSAGE_START, 'msg_1'],
      [EventType.TEXT_MESSAGE_CONTENT, 'msg_1'],
      [EventType.TEXT_MESSAGE_END, 'msg_1'],
      [EventType.REASONING_START, 'run_1-reasoning-4'],
      [EventType.REASONING_MESSAGE_START, 'run_1-thought-4'],
      [EventType.REASONING_MESSAGE_CONTENT, 'run_1-thought-4'],
      [EventType.REASONING_MESSAGE_END, 'run_1-thought-4'],
      [EventType.REASONING_MESSAGE_START, 'run_1-thought-5'],
      [EventType.REASONING_MESSAGE_CONTENT, 'run_1-thought-5'],
      [EventType.REASONING_MESSAGE_END, 'run_1-thought-5'],
      [EventType.REASONING_END, 'run_1-reasoning-4'],
      [EventType.TEXT_MESSAGE_START, 'msg_1-2'],
      [EventType.TEXT_MESSAGE_CONTENT, 'msg_1-2'],
      [EventType.TEXT_MESSAGE_END, 'msg_1-2'],
      [EventType.TOOL_CALL_START, undefined],
      [EventType.TOOL_CALL_ARGS, undefined],
      [EventType.TOOL_CALL_END, undefined],
      [EventType.TOOL_CALL_RESULT, 'call_1-result'],
      [EventType.RUN_FINISHED, undefined],
    ]);
    expect(out[0]).toMatchObject({ threadId: 'client-thread', runId: 'client-run', metadata: { agentwire: { run_id: 'run_1' } } });
    expect(out.find((e) => e.type === EventType.TOOL_CALL_RESULT)).toMatchObject({ content: '{"error":"bad zone"}' });
    // A stop is not a failure in AG-UI either.
    expect(out.at(-1)).toMatchObject({ type: EventType.RUN_FINISHED, outcome: { type: 'cancelled' } });
  });

  it('maps a failed run to RUN_ERROR with its code and message', () => {
    const mapper = new AguiEventMapper({ threadId: 't', runId: 'r' });
    mapper.map(ev('agent_started', { agent_name: 'llm' }));
    const out = mapper.map(ev('agent_error', { code: 'timeout', message: 'the run exceeded its 10 ms timeout', duration_ms: 10 }));
    expect(out).toEqual([{ type: EventType.RUN_ERROR, timestamp: Date.parse('2026-11-21T10:00:00.000Z'), code: 'timeout', message: 'the run exceeded its 10 ms timeout' }]);
  });
});
