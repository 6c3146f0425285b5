import { describe, expect, it } from 'vitest';
import type { StreamEvent, StreamEventDataMap, StreamEventType } from '../../src/protocol/types.js';
import { AguiEventMapper, UiChunkMapper } from '../../src/server.js';

let seq = 0;
function ev<T extends StreamEventType>(type: T, data: StreamEventDataMap[T]): StreamEvent {
  seq++;
  return { type, seq, ts: '2026-11-29T10:00:00.000Z', thread_id: 'thr_1', run_id: 'run_1', data } as StreamEvent;
}

/** An event of a type a later protocol version adds (protocol 1.2 adds some): unknown to both mappers. */
function unknownEvent(): StreamEvent {
  seq++;
  return { type: 'usage', seq, ts: '2026-11-29T10:00:00.000Z', thread_id: 'thr_1', run_id: 'run_1', data: { tokens: 12 } } as unknown as StreamEvent;
}

describe('UiChunkMapper', () => {
  it('maps a run to the chunks of docs/ai-sdk.md and ignores event types it has no row for', () => {
    const mapper = new UiChunkMapper('thr_1');
    const run = [
      ev('user_message', { text: 'hi', client_msg_id: 'c1' }),
      ev('agent_started', { agent_name: 'demo' }),
      ev('agent_message_delta', { message_id: 'msg_1', delta: 'Part one. ' }),
      unknownEvent(),
      ev('agent_message_delta', { message_id: 'msg_1', delta: 'still one. ' }),
      ev('agent_thinking', { text: 'hmm' }),
      ev('agent_thinking', { text: 'again' }),
      ev('tool_executing', { tool_call_id: 'call_1', tool_name: 'clock', args: { timezone: 'UTC' } }),
      ev('tool_completed', { tool_call_id: 'call_1', tool_name: 'clock', result: { time: 'noon' }, duration_ms: 1 }),
      ev('agent_message_delta', { message_id: 'msg_1', delta: 'Part two.' }),
      ev('agent_error', { code: 'timeout', message: 'too slow', duration_ms: 5 }),
      ev('agent_message_delta', { message_id: 'msg_1', delta: 'after the end' }),
    ];
    expect(run.flatMap((e) => mapper.map(e))).toEqual([
      { type: 'start', messageId: 'msg_1', messageMetadata: { agentwire: { thread_id: 'thr_1', run_id: 'run_1', agent_name: 'demo' } } },
      { type: 'text-start', id: 'msg_1' },
      { type: 'text-delta', id: 'msg_1', delta: 'Part one. ' },
      { type: 'text-delta', id: 'msg_1', delta: 'still one. ' },
      { type: 'text-end', id: 'msg_1' },
      { type: 'reasoning-start', id: 'run_1-reasoning-6' },
      { type: 'reasoning-delta', id: 'run_1-reasoning-6', delta: 'hmm' },
      { type: 'reasoning-delta', id: 'run_1-reasoning-6', delta: '\nagain' },
      { type: 'reasoning-end', id: 'run_1-reasoning-6' },
      { type: 'tool-input-available', toolCallId: 'call_1', toolName: 'clock', input: { timezone: 'UTC' } },
      { type: 'tool-output-available', toolCallId: 'call_1', output: { time: 'noon' } },
      { type: 'text-start', id: 'msg_1-2' },
      { type: 'text-delta', id: 'msg_1-2', delta: 'Part two.' },
      { type: 'text-end', id: 'msg_1-2' },
      { type: 'error', errorText: 'timeout: too slow' },
      { type: 'finish', finishReason: 'error' },
    ]);
    expect(mapper.finished).toBe(true);
  });

  it('agent_data (protocol 1.2) becomes a data-<name> part, live and when replayed from the stored message; approvals map to nothing', () => {
    const live = new UiChunkMapper('thr_1');
    const events = [
      ev('agent_started', { agent_name: 'demo' }),
      ev('agent_message_delta', { message_id: 'msg_1', delta: 'Looking. ' }),
      ev('agent_data', { name: 'progress', data: { value: 0.5 } }),
      ev('tool_approval_requested', { tool_call_id: 'call_9', tool_name: 'notes_forget', args: { ids: [1] }, expires_at: '2026-11-29T10:05:00.000Z' }),
      ev('tool_approval_resolved', { tool_call_id: 'call_9', approved: false, resolution: 'user' }),
      ev('agent_completed', { result: { text: 'Looking. ' }, duration_ms: 3 }),
    ];
    const chunks = events.flatMap((e) => live.map(e));
    expect(chunks.slice(1)).toEqual([
      { type: 'text-start', id: 'msg_1' },
      { type: 'text-delta', id: 'msg_1', delta: 'Looking. ' },
      { type: 'text-end', id: 'msg_1' },
      { type: 'data-progress', data: { value: 0.5 } },
      { type: 'finish', finishReason: 'stop' },
    ]);
    const replayed = new UiChunkMapper('thr_1').replayMessage({
      message_id: 'msg_1',
      role: 'assistant',
      run_id: 'run_1',
      agent_name: 'demo',
      status: 'completed',
      parts: [
        { type: 'text', text: 'Looking. ' },
        { type: 'data', name: 'progress', data: { value: 0.5 } },
        { type: 'approval', tool_call_id: 'call_9', tool_name: 'notes_forget', args: { ids: [1] }, status: 'denied' },
      ],
      text: 'Looking. ',
      created_at: '2026-11-29T10:00:00.000Z',
    });
    expect(replayed.slice(1)).toEqual(chunks.slice(1));
  });

  it('the AG-UI mapper ignores them too, leaving an open message open', () => {
    const mapper = new AguiEventMapper({ threadId: 't', runId: 'r' });
    mapper.map(ev('agent_started', { agent_name: 'demo' }));
    mapper.map(ev('agent_message_delta', { message_id: 'msg_1', delta: 'open' }));
    expect(mapper.map(unknownEvent())).toEqual([]);
    expect(mapper.map(ev('agent_message_delta', { message_id: 'msg_1', delta: ' still' })).map((e) => e.type)).toEqual(['TEXT_MESSAGE_CONTENT']);
  });
});
