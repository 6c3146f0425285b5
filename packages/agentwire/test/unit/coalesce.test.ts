import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/bus/memory/memory-bus.js';
import type { EventLog } from '../../src/bus/types.js';
import { DeltaCoalescer, MAX_COALESCED_CHARS, type Scheduler } from '../../src/notifier/coalesce.js';
import { Notifier } from '../../src/notifier/notifier.js';
import type { StreamEvent } from '../../src/protocol/types.js';

/**
 * docs/protocol.md, "Coalesced deltas": consecutive deltas of a run within the window go
 * out as one event; any other event of the run (the terminal one too) sends what is
 * gathered first; the joined text and its order never change. Time is a manual clock.
 */

const USER = 'cora';
const TARGET = { userId: USER, threadId: 'thr_1', runId: 'run_1' };

/** A clock the test moves: callbacks run when `advance` passes their time. */
class ManualClock {
  private now = 0;
  private readonly due: Array<{ at: number; run: () => void; cancelled: boolean }> = [];

  readonly schedule: Scheduler = (run, ms) => {
    const entry = { at: this.now + ms, run, cancelled: false };
    this.due.push(entry);
    return () => (entry.cancelled = true);
  };

  advance(ms: number): void {
    this.now += ms;
    for (;;) {
      const next = this.due.filter((d) => !d.cancelled && d.at <= this.now).sort((a, b) => a.at - b.at)[0];
      if (!next) return;
      next.cancelled = true;
      next.run();
    }
  }
}

function setup(windowMs: number, log?: EventLog) {
  const bus = new MemoryBus();
  const clock = new ManualClock();
  // guard-ignore-next-line factory-bypass: a unit test of the notifier builds one directly, outside any gateway scope
  const notifier = new Notifier(log ?? bus.log, TARGET, undefined, { coalesceMs: windowMs, schedule: clock.schedule });
  const stored = async (): Promise<StreamEvent[]> => (await bus.log.readAfter(USER, 0)).events.map((e) => e.event);
  return { notifier, clock, stored };
}

type Op = { kind: 'delta'; text: string; waitMs: number } | { kind: 'thinking' } | { kind: 'tool' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('delta' as const), text: fc.string({ maxLength: 12 }), waitMs: fc.integer({ min: 0, max: 80 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'thinking' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'tool' as const }) },
);

/** The run as a list of segments: the text between two non-delta events, and those events' types. */
function shape(types: ReadonlyArray<{ type: string; text?: string }>): Array<string> {
  const out: string[] = [];
  let text: string | undefined;
  for (const item of types) {
    if (item.type === 'agent_message_delta') text = (text ?? '') + item.text!;
    else {
      if (text !== undefined) out.push(`text:${text}`);
      text = undefined;
      out.push(item.type);
    }
  }
  if (text !== undefined) out.push(`text:${text}`);
  return out;
}

describe('coalesced deltas', () => {
  it('property: under random delta timings and other events, the joined text and the order of everything are unchanged, ending completed or stopped', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 40 }), fc.constantFrom(0, 1, 30, 100), fc.boolean(), async (ops, windowMs, stop) => {
        const { notifier, clock, stored } = setup(windowMs);
        await notifier.started('demo');
        const expected: Array<{ type: string; text?: string }> = [{ type: 'agent_started' }];
        const deltaPromises: Array<Promise<StreamEvent<'agent_message_delta'>>> = [];
        let calls = 0;
        for (const op of ops) {
          if (op.kind === 'delta') {
            deltaPromises.push(notifier.delta(op.text));
            expected.push({ type: 'agent_message_delta', text: op.text });
            calls++;
            clock.advance(op.waitMs);
          } else if (op.kind === 'thinking') {
            void notifier.thinking('hmm');
            expected.push({ type: 'agent_thinking' });
          } else {
            const id = `call_${expected.length}`;
            void notifier.toolExecuting('clock', {}, id);
            void notifier.toolCompleted(id, { result: 1 });
            expected.push({ type: 'tool_executing' }, { type: 'tool_completed' });
          }
        }
        // The end comes without the clock moving: what is gathered must go out first.
        const terminal = stop ? await notifier.failed('cancelled', 'stopped by the user') : await notifier.completed();
        expected.push({ type: stop ? 'agent_error' : 'agent_completed' });
        const events = await stored();
        const got = events.map((e) => (e.type === 'agent_message_delta' ? { type: e.type, text: e.data.delta } : { type: e.type }));
        expect(shape(got)).toEqual(shape(expected));
        const joined = ops.flatMap((op) => (op.kind === 'delta' ? [op.text] : [])).join('');
        const deltaEvents = events.filter((e): e is StreamEvent<'agent_message_delta'> => e.type === 'agent_message_delta');
        expect(deltaEvents.map((e) => e.data.delta).join('')).toBe(joined);
        expect(deltaEvents.length).toBeLessThanOrEqual(calls);
        if (windowMs === 0) expect(deltaEvents.length).toBe(calls);
        if (terminal.type === 'agent_completed') expect(terminal.data.result.text).toBe(joined);
        expect(events.at(-1)!.seq).toBe(terminal.seq);
        // Every delta's promise resolves with the event that carried it.
        const carriers = await Promise.all(deltaPromises);
        for (const carrier of carriers) expect(deltaEvents.map((e) => e.seq)).toContain(carrier.seq);
      }),
      { numRuns: 150 },
    );
  });

  it('deltas within the window become one event; the window is counted from the first of them', async () => {
    const { notifier, clock, stored } = setup(30);
    await notifier.started('demo');
    const first = notifier.delta('Hel');
    clock.advance(10);
    const second = notifier.delta('lo');
    clock.advance(19);
    expect((await stored()).map((e) => e.type)).toEqual(['agent_started']);
    clock.advance(1);
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(a.data.delta).toBe('Hello');
    void notifier.delta(' world');
    clock.advance(30);
    const deltas = (await stored()).filter((e): e is StreamEvent<'agent_message_delta'> => e.type === 'agent_message_delta');
    expect(deltas.map((e) => e.data.delta)).toEqual(['Hello', ' world']);
  });

  it('an error between deltas sends what was gathered before the tool call it closes and before agent_error', async () => {
    const { notifier, stored } = setup(30);
    await notifier.started('demo');
    await notifier.toolExecuting('clock', {}, 'call_open');
    void notifier.delta('partial ');
    void notifier.delta('answer');
    await notifier.failed('failed', 'the agent failed');
    const types = (await stored()).map((e) => (e.type === 'agent_message_delta' ? `delta:${e.data.delta}` : e.type));
    expect(types).toEqual(['agent_started', 'tool_executing', 'delta:partial answer', 'tool_completed', 'agent_error']);
  });

  it(`gathered text past ${MAX_COALESCED_CHARS} characters goes out without waiting for the window`, async () => {
    const { notifier, stored } = setup(1000);
    await notifier.started('demo');
    const big = 'x'.repeat(MAX_COALESCED_CHARS);
    const carried = await notifier.delta(big);
    expect(carried.data.delta).toBe(big);
    expect((await stored()).map((e) => e.type)).toEqual(['agent_started', 'agent_message_delta']);
  });

  it("a delta's promise rejects when the append that carried it fails; the coalescer goes on with the next", async () => {
    let fail = true;
    const sent: string[] = [];
    const clock = new ManualClock();
    const coalescer = new DeltaCoalescer<string>(
      30,
      (text) => {
        if (fail) return Promise.reject(new Error('bus down'));
        sent.push(text);
        return Promise.resolve(text);
      },
      clock.schedule,
    );
    const lost = [coalescer.add('a'), coalescer.add('b')];
    clock.advance(30);
    for (const promise of lost) await expect(promise).rejects.toThrow('bus down');
    fail = false;
    const next = coalescer.add('c');
    coalescer.flush();
    expect(await next).toBe('c');
    expect(sent).toEqual(['c']);
    expect(coalescer.pending).toBe(false);
  });
});
