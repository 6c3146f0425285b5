import { expect } from 'vitest';
import type { Reply, ServerFrame, StreamEvent, StreamEventType } from '../../../src/protocol/types.js';

/** ISO 8601, UTC, milliseconds: what docs/protocol.md says `ts` is. */
export const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** The exact `data` keys of each event type (docs/protocol.md, "Server → client frames"). */
const DATA_KEYS: Record<StreamEventType, { required: string[]; oneOf?: string[]; optional?: string[] }> = {
  user_message: { required: ['client_msg_id', 'text'], optional: ['queued'] },
  agent_started: { required: ['agent_name'] },
  agent_thinking: { required: ['text'] },
  agent_message_delta: { required: ['delta', 'message_id'] },
  tool_executing: { required: ['args', 'tool_call_id', 'tool_name'], optional: ['executor'] },
  tool_completed: { required: ['duration_ms', 'tool_call_id', 'tool_name'], oneOf: ['error', 'result'] },
  agent_data: { required: ['data', 'name'] },
  tool_approval_requested: { required: ['args', 'expires_at', 'tool_call_id', 'tool_name'], optional: ['reason'] },
  tool_approval_resolved: { required: ['approved', 'resolution', 'tool_call_id'], optional: ['reason'] },
  agent_completed: { required: ['duration_ms', 'result'], optional: ['usage'] },
  agent_error: { required: ['code', 'duration_ms', 'message'], optional: ['usage'] },
  thread_updated: { required: ['title'] },
  thread_deleted: { required: [] },
};

const TERMINAL = new Set<StreamEventType>(['agent_completed', 'agent_error']);

export const isStreamEvent = (frame: ServerFrame): frame is StreamEvent => 'seq' in frame;

export const isTerminal = (event: StreamEvent): boolean => TERMINAL.has(event.type);

/** Checks one event's envelope and `data` to the letter: exact keys and their types. */
export function expectEventShape(event: StreamEvent): void {
  const envelope = event.run_id === undefined ? ['data', 'seq', 'thread_id', 'ts', 'type'] : ['data', 'run_id', 'seq', 'thread_id', 'ts', 'type'];
  expect(Object.keys(event).sort(), `keys of ${event.type}`).toEqual(envelope);
  expect(Number.isInteger(event.seq) && event.seq >= 1, `seq ${event.seq}`).toBe(true);
  expect(event.ts).toMatch(ISO_UTC_MS);
  expect(new Date(event.ts).toISOString()).toBe(event.ts);
  expect(typeof event.thread_id === 'string' && event.thread_id.length > 0, 'thread_id').toBe(true);
  expect(typeof event.run_id === 'string' && event.run_id.length > 0, 'run_id').toBe(true);
  const spec = DATA_KEYS[event.type];
  expect(spec, `known type ${event.type}`).toBeDefined();
  const keys = Object.keys(event.data).sort();
  const present = (spec.oneOf ?? []).filter((k) => keys.includes(k));
  expect(present.length, `${event.type} carries exactly one of ${spec.oneOf?.join('/')}`).toBe(spec.oneOf ? 1 : 0);
  const optional = (spec.optional ?? []).filter((k) => keys.includes(k));
  expect(keys, `data keys of ${event.type}`).toEqual([...spec.required, ...present, ...optional].sort());
  if ('queued' in event.data) expect(event.data.queued, 'user_message.queued is only ever true').toBe(true);
  if ('usage' in event.data) expect(Object.keys(event.data.usage as object).sort()).toEqual(['input_tokens', 'output_tokens', 'total_tokens']);
  const data = event.data as Record<string, unknown>;
  for (const key of ['text', 'client_msg_id', 'agent_name', 'delta', 'message_id', 'tool_call_id', 'tool_name', 'message', 'error', 'reason', 'expires_at']) {
    if (key in data) expect(typeof data[key], `${event.type}.data.${key}`).toBe('string');
  }
  if ('duration_ms' in data) {
    expect(Number.isInteger(data['duration_ms']) && (data['duration_ms'] as number) >= 0, `${event.type}.duration_ms`).toBe(true);
  }
  if (event.type === 'agent_completed') {
    expect(Object.keys(event.data.result)).toEqual(['text']);
    expect(typeof event.data.result.text).toBe('string');
  }
  if (event.type === 'tool_executing' && 'executor' in data) expect(data['executor']).toBe('client');
  if (event.type === 'tool_approval_resolved') {
    expect(typeof event.data.approved).toBe('boolean');
    expect(['user', 'expired', 'cancelled']).toContain(event.data.resolution);
  }
  if (event.type === 'agent_error') expect(['failed', 'cancelled', 'timeout', 'shutdown']).toContain(event.data.code);
}

/** `seq` rises by exactly one from `first`. */
export function expectGapFree(events: readonly StreamEvent[], first: number): void {
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => first + i));
}

/**
 * The golden path of one run (docs/guarantees.md): `agent_started` first, every `tool_executing`
 * paired with exactly one later `tool_completed` of the same id and name, exactly one
 * terminal event, last; the answer is all deltas joined. Returns the run's events.
 */
export function expectGoldenPath(stream: readonly StreamEvent[], runId: string, threadId: string): StreamEvent[] {
  const run = stream.filter((e) => e.run_id === runId && e.type !== 'user_message');
  expect(run.length, `events of ${runId}`).toBeGreaterThanOrEqual(2);
  for (const event of run) {
    expectEventShape(event);
    expect(event.thread_id).toBe(threadId);
  }
  expect(run[0]!.type).toBe('agent_started');
  expect(run.filter((e) => e.type === 'agent_started')).toHaveLength(1);
  const terminals = run.filter(isTerminal);
  expect(terminals, 'exactly one terminal event').toHaveLength(1);
  expect(run.at(-1), 'terminal event is last').toBe(terminals[0]);

  const open = new Map<string, string>();
  for (const event of run) {
    if (event.type === 'tool_executing') {
      expect(open.has(event.data.tool_call_id), `tool_call_id ${event.data.tool_call_id} reused`).toBe(false);
      open.set(event.data.tool_call_id, event.data.tool_name);
    }
    if (event.type === 'tool_completed') {
      expect(open.get(event.data.tool_call_id), `tool_completed ${event.data.tool_call_id} pairs a tool_executing`).toBe(event.data.tool_name);
      open.delete(event.data.tool_call_id);
    }
  }
  expect([...open.keys()], 'tool calls left open').toEqual([]);

  const deltas = run.filter((e): e is StreamEvent<'agent_message_delta'> => e.type === 'agent_message_delta');
  const messageIds = new Set(deltas.map((d) => d.data.message_id));
  expect(messageIds.size, 'one message_id per answer').toBeLessThanOrEqual(1);
  const terminal = terminals[0]!;
  if (terminal.type === 'agent_completed') expect(terminal.data.result.text).toBe(deltas.map((d) => d.data.delta).join(''));
  return run;
}

export function ofType<T extends StreamEventType>(events: readonly StreamEvent[], type: T): Array<StreamEvent<T>> {
  return events.filter((e) => e.type === type) as Array<StreamEvent<T>>;
}

export function accepted(frame: ServerFrame): Reply<'message_accepted'>['data'] {
  if (frame.type !== 'message_accepted') throw new Error(`expected message_accepted, got ${JSON.stringify(frame)}`);
  return frame.data;
}

