import { randomUUID } from 'node:crypto';
import type { AssistantMessage, StoredMessage, UserMessage } from '../../../src/store/types.js';

/** Ids unique per call, so tests sharing one database never see each other's rows. */
export const uid = (prefix: string): string => `${prefix}_${randomUUID().replaceAll('-', '').slice(0, 16)}`;

/** A clock that only moves forward, one millisecond per reading, from a fixed instant. */
export function testClock(start = Date.parse('2026-01-01T00:00:00.000Z')): () => string {
  let ms = start;
  return () => new Date(ms++).toISOString();
}

export function userMessage(threadId: string, userId: string, runId: string, text: string, at: string): StoredMessage & { message: UserMessage } {
  return {
    threadId,
    userId,
    message: { message_id: uid('msg'), role: 'user', run_id: runId, client_msg_id: uid('c'), text, created_at: at },
    mark: { epoch: 'ep1', seq: null, terminalSeq: null },
  };
}

/** An assistant message with every kind of part, so a round trip checks the whole body. */
export function assistantMessage(
  threadId: string,
  userId: string,
  runId: string,
  at: string,
  overrides: Partial<AssistantMessage> = {},
): StoredMessage & { message: AssistantMessage } {
  return {
    threadId,
    userId,
    message: {
      message_id: `msg_a_${runId}`,
      role: 'assistant',
      run_id: runId,
      agent_name: 'demo',
      status: 'running',
      parts: [
        { type: 'thinking', text: 'looking\nstill looking' },
        { type: 'tool_call', tool_call_id: 'call_1', tool_name: 'notes', args: { action: 'add', text: 'é ✓ "quoted"' }, result: { ok: true, n: [1, 2] }, duration_ms: 12 },
        { type: 'tool_call', tool_call_id: 'call_2', tool_name: 'clock', args: {}, error: 'boom' },
        { type: 'text', text: 'partial answer' },
      ],
      text: 'partial answer',
      created_at: at,
      ...overrides,
    },
    mark: { epoch: 'ep1', seq: 10, terminalSeq: null },
  };
}
