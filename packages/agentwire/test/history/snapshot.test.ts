import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/index.js';
import { MessageCompactor, userMessageId } from '../../src/history/compaction.js';
import { threadSnapshot } from '../../src/history/snapshot.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { createMemoryStore } from '../../src/store/memory-store.js';

const U = 'uma';
const T = 'thr_1';
const R = 'run_1';
const at = () => new Date().toISOString();

async function setup() {
  const bus = new MemoryBus();
  const store = createMemoryStore();
  await store.threads.create({ threadId: T, userId: U, title: 't', at: at() });
  const thread = (await store.threads.get(T))!;
  const snap = () => threadSnapshot({ messages: store.messages, log: bus.log, checkpointMs: 5, nowMs: Date.now }, thread, { limit: 100 });
  return { bus, store, snap };
}

describe('threadSnapshot: what the store holds ahead of the stream is held back to the stream position', () => {
  it('a user message stored before its event is appended is not in the snapshot; once appended, it is', async () => {
    const { bus, store, snap } = await setup();
    const message = { message_id: userMessageId(R), role: 'user' as const, run_id: R, client_msg_id: 'c1', text: 'hi', created_at: at() };
    await store.messages.addUser({ threadId: T, userId: U, message, mark: { epoch: '', seq: null, terminalSeq: null } });
    const before = await snap();
    expect(before.messages).toEqual([]);
    expect(before.stream.last_seq).toBe(0);
    await bus.log.append(U, { type: 'user_message', thread_id: T, run_id: R, data: { text: 'hi', client_msg_id: 'c1' } });
    const after = await snap();
    expect(after.messages).toEqual([message]);
    expect(after.stream.last_seq).toBe(1);
  });

  it('a final message stored before its terminal event shows as running until the terminal event is on the stream', async () => {
    const { bus, store, snap } = await setup();
    const started = await bus.log.append(U, { type: 'agent_started', thread_id: T, run_id: R, data: { agent_name: 'demo' } });
    const delta = await bus.log.append(U, { type: 'agent_message_delta', thread_id: T, run_id: R, data: { message_id: 'm', delta: 'Hello' } });
    const compactor = MessageCompactor.start(R, 'demo', at());
    compactor.fold(started.event);
    compactor.fold(delta.event);
    const terminal = { type: 'agent_completed', seq: 0, ts: at(), thread_id: T, run_id: R, data: { result: { text: 'Hello' }, duration_ms: 3 } } as StreamEvent;
    compactor.fold(terminal);
    await store.messages.putAssistant({ threadId: T, userId: U, message: compactor.message(), mark: { epoch: started.epoch, seq: delta.event.seq, terminalSeq: null } });
    const early = await snap();
    expect(early.messages).toHaveLength(1);
    expect(early.messages[0]).toMatchObject({ status: 'running', text: 'Hello' });
    expect(early.messages[0]).not.toHaveProperty('completed_at');
    expect(early.stream.last_seq).toBe(2);
    await bus.log.append(U, { type: 'agent_completed', thread_id: T, run_id: R, data: { result: { text: 'Hello' }, duration_ms: 3 } });
    const late = await snap();
    expect(late.messages[0]).toMatchObject({ status: 'completed', text: 'Hello' });
    expect(late.stream.last_seq).toBe(3);
  });

  it('a run with events on the stream but no checkpoint in the store yet is rebuilt from its events', async () => {
    const { bus, store, snap } = await setup();
    const message = { message_id: userMessageId(R), role: 'user' as const, run_id: R, client_msg_id: 'c1', text: 'hi', created_at: at() };
    await store.messages.addUser({ threadId: T, userId: U, message, mark: { epoch: '', seq: null, terminalSeq: null } });
    await bus.log.append(U, { type: 'user_message', thread_id: T, run_id: R, data: { text: 'hi', client_msg_id: 'c1' } });
    await bus.log.append(U, { type: 'agent_started', thread_id: T, run_id: R, data: { agent_name: 'demo' } });
    await bus.log.append(U, { type: 'agent_thinking', thread_id: T, run_id: R, data: { text: 'hm' } });
    const { messages } = await snap();
    expect(messages.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(messages[1]).toMatchObject({ status: 'running', agent_name: 'demo', parts: [{ type: 'thinking', text: 'hm' }] });
  });
});
