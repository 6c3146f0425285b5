import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/bus/memory/memory-bus.js';
import type { AppendedEvent } from '../../src/bus/types.js';
import { isAgentwireError, type ErrorCode } from '../../src/errors.js';
import { Notifier } from '../../src/notifier/notifier.js';

const USER = 'nora';
const TARGET = { userId: USER, threadId: 'thr_1', runId: 'run_1' };

function setup() {
  const bus = new MemoryBus();
  // guard-ignore-next-line factory-bypass: a unit test of the notifier builds one directly, outside any gateway scope
  const notifier = new Notifier(bus.log, TARGET);
  const stored = async () => (await bus.log.readAfter(USER, 0)).events.map((e) => e.event);
  return { bus, notifier, stored };
}

/** The code of the AgentwireError that `misuse` throws or rejects with. */
async function codeOf(misuse: () => Promise<unknown>): Promise<ErrorCode> {
  try {
    await misuse();
  } catch (error) {
    if (isAgentwireError(error)) return error.code;
    throw error;
  }
  throw new Error('expected a coded error, nothing was thrown');
}

describe('Notifier', () => {
  it('protocol 1.2: failed() resolves open approval requests cancelled and closes open client calls before agent_error', async () => {
    const { notifier, stored } = setup();
    await notifier.started('demo');
    const asked = await notifier.approvalRequested({ toolCallId: 'call_ask', toolName: 'notes_forget', args: { notes: [] }, reason: 'why', expiresAt: new Date(0) });
    expect(asked.data).toEqual({ tool_call_id: 'call_ask', tool_name: 'notes_forget', args: { notes: [] }, reason: 'why', expires_at: '1970-01-01T00:00:00.000Z' });
    const client = await notifier.toolExecuting('local_time', {}, 'call_page', 'client');
    expect(client.data).toEqual({ tool_call_id: 'call_page', tool_name: 'local_time', args: {}, executor: 'client' });
    expect(notifier.isApprovalOpen('call_ask')).toBe(true);
    await notifier.failed('cancelled', 'stopped');
    const events = await stored();
    expect(events.slice(-3).map((e) => [e.type, e.data])).toEqual([
      ['tool_approval_resolved', { tool_call_id: 'call_ask', approved: false, resolution: 'cancelled' }],
      ['tool_completed', expect.objectContaining({ tool_call_id: 'call_page', error: 'cancelled: stopped' })],
      ['agent_error', expect.objectContaining({ code: 'cancelled' })],
    ]);
    expect(notifier.goldenPath()).toMatchObject({ openApprovals: [], complete: true });
  });

  it('emits each event with the next seq of the user stream, for its thread and run', async () => {
    const { notifier, stored } = setup();
    await notifier.started('demo');
    await notifier.thinking('planning');
    const exec = await notifier.toolExecuting('calculator', { expression: '1+1' }, 'call_a');
    await notifier.toolCompleted('call_a', { result: { value: 2 } });
    await notifier.delta('1 + 1 ');
    await notifier.delta('= 2');
    const done = await notifier.completed();
    const events = await stored();
    expect(events.map((e) => [e.seq, e.type])).toEqual([
      [1, 'agent_started'],
      [2, 'agent_thinking'],
      [3, 'tool_executing'],
      [4, 'tool_completed'],
      [5, 'agent_message_delta'],
      [6, 'agent_message_delta'],
      [7, 'agent_completed'],
    ]);
    for (const event of events) expect(event).toMatchObject({ thread_id: 'thr_1', run_id: 'run_1' });
    expect(exec.data).toEqual({ tool_call_id: 'call_a', tool_name: 'calculator', args: { expression: '1+1' } });
    expect(events[3]!.data).toEqual({ tool_call_id: 'call_a', tool_name: 'calculator', result: { value: 2 }, duration_ms: expect.any(Number) });
    expect(done.data).toEqual({ result: { text: '1 + 1 = 2' }, duration_ms: expect.any(Number) });
    expect(Number.isInteger(done.data.duration_ms)).toBe(true);
    expect(notifier.goldenPath()).toEqual({ started: true, openToolCalls: [], openApprovals: [], terminal: 'agent_completed', complete: true });
  });

  it('every delta of one run carries the same message_id', async () => {
    const { notifier } = setup();
    await notifier.started('demo');
    const a = await notifier.delta('a');
    const b = await notifier.delta('b');
    expect(a.data.message_id).toBe(b.data.message_id);
    expect(a.data.message_id.length).toBeGreaterThan(0);
  });

  it('generates distinct tool_call_ids when none is given', async () => {
    const { notifier } = setup();
    await notifier.started('demo');
    const one = await notifier.toolExecuting('clock', {});
    const two = await notifier.toolExecuting('clock', {});
    expect(one.data.tool_call_id).not.toBe(two.data.tool_call_id);
  });

  it('an event is retained before listeners see it', async () => {
    const { bus, notifier } = setup();
    const seenInLog: number[] = [];
    bus.log.subscribe(USER, (appended: AppendedEvent) => {
      void bus.log.readAfter(USER, appended.event.seq - 1).then((r) => seenInLog.push(r.events[0]?.event.seq ?? -1));
    });
    await notifier.started('demo');
    await notifier.thinking('x');
    await new Promise((resolve) => setImmediate(resolve));
    expect(seenInLog).toEqual([1, 2]);
  });

  it('calls are appended in call order even when not awaited', async () => {
    const { notifier, stored } = setup();
    await notifier.started('demo');
    const pending = [notifier.thinking('1'), notifier.delta('2'), notifier.thinking('3')];
    await Promise.all(pending);
    expect((await stored()).map((e) => e.data)).toMatchObject([{}, { text: '1' }, { delta: '2' }, { text: '3' }]);
  });

  describe('misuse: a typed error, and nothing appended', () => {
    const cases: Array<[string, ErrorCode, (n: Notifier) => Promise<unknown>, (n: Notifier) => Promise<unknown>]> = [
      ['thinking before started', 'AW_ERR_NOTIFIER_NOT_STARTED', async () => {}, (n) => n.thinking('x')],
      ['delta before started', 'AW_ERR_NOTIFIER_NOT_STARTED', async () => {}, (n) => n.delta('x')],
      ['tool_executing before started', 'AW_ERR_NOTIFIER_NOT_STARTED', async () => {}, (n) => n.toolExecuting('clock', {})],
      ['completed before started', 'AW_ERR_NOTIFIER_NOT_STARTED', async () => {}, (n) => n.completed()],
      ['started twice', 'AW_ERR_NOTIFIER_ALREADY_STARTED', (n) => n.started('a'), (n) => n.started('a')],
      ['a second completed', 'AW_ERR_NOTIFIER_ENDED', async (n) => (await n.started('a'), n.completed()), (n) => n.completed()],
      ['failed after completed', 'AW_ERR_NOTIFIER_ENDED', async (n) => (await n.started('a'), n.completed()), (n) => n.failed('failed', 'x')],
      ['completed after failed', 'AW_ERR_NOTIFIER_ENDED', async (n) => (await n.started('a'), n.failed('failed', 'x')), (n) => n.completed()],
      ['a delta after the end', 'AW_ERR_NOTIFIER_ENDED', async (n) => (await n.started('a'), n.completed()), (n) => n.delta('late')],
      [
        'tool_completed for an unknown id',
        'AW_ERR_NOTIFIER_UNKNOWN_TOOL_CALL',
        (n) => n.started('a'),
        (n) => n.toolCompleted('call_unknown', { result: 1 }),
      ],
      [
        'tool_completed twice',
        'AW_ERR_NOTIFIER_UNKNOWN_TOOL_CALL',
        async (n) => (await n.started('a'), await n.toolExecuting('clock', {}, 'c'), n.toolCompleted('c', { result: 1 })),
        (n) => n.toolCompleted('c', { result: 1 }),
      ],
      [
        'tool_executing with a used id',
        'AW_ERR_NOTIFIER_DUPLICATE_TOOL_CALL',
        async (n) => (await n.started('a'), n.toolExecuting('clock', {}, 'c')),
        (n) => n.toolExecuting('clock', {}, 'c'),
      ],
      [
        'completed with a tool call open',
        'AW_ERR_NOTIFIER_TOOL_CALLS_OPEN',
        async (n) => (await n.started('a'), n.toolExecuting('clock', {}, 'c')),
        (n) => n.completed(),
      ],
    ];

    it.each(cases)('%s → %s', async (_name, code, before, misuse) => {
      const { notifier, stored } = setup();
      await before(notifier);
      const count = (await stored()).length;
      expect(await codeOf(() => misuse(notifier))).toBe(code);
      expect(await stored()).toHaveLength(count);
    });

    it('the catalogue has a test for every notifier error code', () => {
      const tested = new Set(cases.map((c) => c[1]));
      const all = ['NOT_STARTED', 'ALREADY_STARTED', 'ENDED', 'UNKNOWN_TOOL_CALL', 'DUPLICATE_TOOL_CALL', 'TOOL_CALLS_OPEN'].map((s) => `AW_ERR_NOTIFIER_${s}`);
      expect([...tested].sort()).toEqual(all.sort());
    });
  });

  it('failed() completes open tool calls with the error first, then ends the run', async () => {
    const { notifier, stored } = setup();
    await notifier.started('demo');
    await notifier.toolExecuting('clock', {}, 'c1');
    await notifier.toolExecuting('calculator', {}, 'c2');
    const terminal = await notifier.failed('timeout', 'too slow');
    const events = await stored();
    expect(events.map((e) => e.type)).toEqual(['agent_started', 'tool_executing', 'tool_executing', 'tool_completed', 'tool_completed', 'agent_error']);
    expect(events.slice(3, 5).map((e) => e.data)).toEqual([
      { tool_call_id: 'c1', tool_name: 'clock', error: 'timeout: too slow', duration_ms: expect.any(Number) },
      { tool_call_id: 'c2', tool_name: 'calculator', error: 'timeout: too slow', duration_ms: expect.any(Number) },
    ]);
    expect(terminal.data).toEqual({ code: 'timeout', message: 'too slow', duration_ms: expect.any(Number) });
    expect(notifier.goldenPath().complete).toBe(true);
  });

  it('failed() before started still gives the run its agent_started first', async () => {
    const { notifier, stored } = setup();
    await notifier.failed('shutdown', 'going away');
    expect((await stored()).map((e) => e.type)).toEqual(['agent_started', 'agent_error']);
    expect(notifier.goldenPath()).toMatchObject({ started: true, complete: true, terminal: 'agent_error' });
  });

  it('two notifiers of one user share the user stream; two users do not', async () => {
    const bus = new MemoryBus();
    // guard-ignore-next-line factory-bypass: a unit test of the notifier builds one directly, outside any gateway scope
    const a = new Notifier(bus.log, { userId: 'a', threadId: 't', runId: 'r1' });
    // guard-ignore-next-line factory-bypass: a unit test of the notifier builds one directly, outside any gateway scope
    const a2 = new Notifier(bus.log, { userId: 'a', threadId: 't', runId: 'r2' });
    // guard-ignore-next-line factory-bypass: a unit test of the notifier builds one directly, outside any gateway scope
    const b = new Notifier(bus.log, { userId: 'b', threadId: 't', runId: 'r3' });
    expect((await a.started('x')).seq).toBe(1);
    expect((await b.started('x')).seq).toBe(1);
    expect((await a2.started('x')).seq).toBe(2);
  });
});
