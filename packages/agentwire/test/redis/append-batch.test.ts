import { afterEach, describe, expect, it } from 'vitest';
import type { AppendedEvent } from '../../src/index.js';
import type { RedisBus } from '../../src/redis.js';
import { isAgentwireError } from '../../src/errors.js';
import type { StreamEventDraft } from '../../src/protocol/types.js';
import { eventText } from '../../src/protocol/event-text.js';
import { purgeAndClose, requireRedisBus, uniquePrefix } from './support/redis-env.js';
import { eventually } from '../helpers/wait.js';
import { DEFAULT_BATCH_LIMITS } from '../../src/bus/redis/append-batcher.js';

/**
 * The Redis engine sends the appends of one event-loop turn as one script call
 * (src/bus/redis/append-batcher.ts, docs/deploy.md "Appends are batched"). Batching must
 * not change what an append means: per-user order and gap-free seqs, exactly once across
 * a retry, a run's end refusing only that run's events, retained before published.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

async function pair(): Promise<[RedisBus, RedisBus]> {
  const prefix = uniquePrefix();
  const a = await requireRedisBus({ prefix });
  const b = await requireRedisBus({ prefix });
  cleanups.push(async () => {
    await b.close();
    await purgeAndClose(a);
  });
  return [a, b];
}

type BatchCall = (...args: unknown[]) => Promise<unknown>;

/** The batch script command of a bus's command connection, to count or disturb its calls. */
function batchCommand(bus: RedisBus): { get: () => BatchCall; set: (call: BatchCall) => void } {
  const commands = (bus as unknown as { commands: Record<string, BatchCall> }).commands;
  const real = commands['awAppendBatch']!;
  return { get: () => real.bind(commands), set: (call) => void (commands['awAppendBatch'] = call) };
}

const draft = (text: string, runId = 'run_1', type: 'agent_thinking' | 'agent_completed' = 'agent_thinking'): StreamEventDraft =>
  type === 'agent_thinking' ? { type, thread_id: 'thr_1', run_id: runId, data: { text } } : { type, thread_id: 'thr_1', run_id: runId, data: { result: { text: 'done' }, duration_ms: 1 } };
const textOf = (appended: AppendedEvent): string => (appended.event.data as { text: string }).text;
const users = (n: number): string[] => Array.from({ length: n }, (_, i) => `batch-user-${i}-${Math.random().toString(36).slice(2)}`);

describe('Redis engine: appends batched per event-loop turn', () => {
  it('appends of many users made in one turn share script calls, and each user gets seqs 1..n in call order, exactly once', async () => {
    const [a, b] = await pair();
    const ids = users(50);
    // Just over one call's worth: the rest must form a second call, not a call per event.
    const perUser = Math.floor(DEFAULT_BATCH_LIMITS.maxItems / ids.length) + 2;
    const received = new Map<string, AppendedEvent[]>(ids.map((id) => [id, []]));
    const subscriptions = ids.map((id) => b.log.subscribe(id, (appended) => received.get(id)!.push(appended)));
    await Promise.all(subscriptions.map((s) => s.ready));
    const command = batchCommand(a);
    const real = command.get();
    let calls = 0;
    command.set((...args) => {
      calls++;
      return real(...args);
    });

    // One synchronous turn, users interleaved.
    const appends: Array<Promise<AppendedEvent>> = [];
    for (let i = 0; i < perUser; i++) for (const id of ids) appends.push(a.log.append(id, draft(`${id}#${i + 1}`)));
    const results = await Promise.all(appends);

    // More than DEFAULT_BATCH_LIMITS.maxItems appends in one turn: exactly two calls.
    expect(appends.length).toBeGreaterThan(DEFAULT_BATCH_LIMITS.maxItems);
    expect(calls).toBe(2);
    for (const id of ids) {
      const mine = results.filter((r) => r.userId === id);
      expect(mine.map((r) => r.event.seq)).toEqual(Array.from({ length: perUser }, (_, i) => i + 1));
      expect(mine.map(textOf)).toEqual(mine.map((r) => `${id}#${r.event.seq}`));
      const log = await b.log.readAfter(id, 0);
      expect(log.events.map((e) => e.frame)).toEqual(mine.map((r) => r.frame));
    }
    await eventually('every event delivered to the other handle', () => [...received.values()].every((list) => list.length >= perUser));
    for (const id of ids) expect(received.get(id)!.map(textOf)).toEqual(Array.from({ length: perUser }, (_, i) => `${id}#${i + 1}`));
    for (const s of subscriptions) s.close();
  });

  it('an append issued while a batch is in flight never overtakes it', async () => {
    const [a] = await pair();
    const [id] = users(1);
    const command = batchCommand(a);
    const real = command.get();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    command.set(async (...args) => {
      // The first batch waits before it is sent: what is appended meanwhile must wait behind it.
      if (first) {
        first = false;
        await held;
      }
      return real(...args);
    });
    const early = a.log.append(id!, draft('early'));
    await new Promise((resolve) => setImmediate(resolve));
    const late = a.log.append(id!, draft('late'));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    expect([(await early).event.seq, (await late).event.seq]).toEqual([1, 2]);
  });

  it('batches of other users go while one is in flight; a user whose batch is retried waits for it, and keeps call order', async () => {
    const [a] = await pair();
    const [x, y] = users(2);
    const command = batchCommand(a);
    const real = command.get();
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const started: string[] = [];
    let calls = 0;
    command.set(async (...args) => {
      const call = ++calls;
      started.push(args.some((arg) => typeof arg === 'string' && arg.endsWith(`live:${x!}`)) ? 'x' : 'y');
      // x's first batch runs, but its reply is held and then "lost": it must be retried.
      if (call === 1) {
        await real(...args);
        await held;
        throw new Error('Connection is closed.');
      }
      return real(...args);
    });
    const x1 = a.log.append(x!, draft('x1'));
    await new Promise((resolve) => setImmediate(resolve));
    // While x's batch is in flight: y's append goes at once, x's next one waits.
    const y1 = a.log.append(y!, draft('y1'));
    const x2 = a.log.append(x!, draft('x2'));
    expect((await y1).event.seq).toBe(1);
    expect(started).toEqual(['x', 'y']);
    release();
    expect([(await x1).event.seq, (await x2).event.seq]).toEqual([1, 2]);
    // The retry of x's batch (found its entries), then x2 in a batch of its own.
    expect(started).toEqual(['x', 'y', 'x', 'x']);
    expect((await a.log.readAfter(x!, 0)).events.map((e) => (e.event.data as { text: string }).text)).toEqual(['x1', 'x2']);
  });

  it('a batch where one run has ended fails only that run’s appends; the others get gap-free seqs', async () => {
    const [a] = await pair();
    const [u, v] = users(2);
    await a.log.append(u!, draft('', 'run_done', 'agent_completed'));
    // One turn: an event of the ended run, one of a live run, a run that ends inside the batch and then gets one more, another user.
    const outcomes = await Promise.allSettled([
      a.log.append(u!, draft('too late', 'run_done')),
      a.log.append(u!, draft('live', 'run_live')),
      a.log.append(u!, draft('', 'run_ending', 'agent_completed')),
      a.log.append(u!, draft('after its end', 'run_ending')),
      a.log.append(v!, draft('other user', 'run_done')),
    ]);
    const codes = outcomes.map((o) => (o.status === 'rejected' && isAgentwireError(o.reason) ? o.reason.code : 'ok'));
    expect(codes).toEqual(['AW_ERR_RUN_ENDED', 'ok', 'ok', 'AW_ERR_RUN_ENDED', 'ok']);
    const seqsOf = (i: number): number => (outcomes[i] as PromiseFulfilledResult<AppendedEvent>).value.event.seq;
    expect([seqsOf(1), seqsOf(2), seqsOf(4)]).toEqual([2, 3, 1]);
    expect((await a.log.readAfter(u!, 0)).events.map((e) => e.event.seq)).toEqual([1, 2, 3]);
  });

  it('the seq is written into the seq key, also when the data holds a "seq" key or the text "seq":', async () => {
    const [a] = await pair();
    const [u] = users(1);
    const tricky: StreamEventDraft = { type: 'agent_data', thread_id: 'thr_"seq":1', run_id: 'run_1', data: { name: 'n', data: { seq: 99, note: '"seq":7' } } };
    await a.log.append(u!, draft('first'));
    const appended = await a.log.append(u!, tricky);
    expect(appended.event.seq).toBe(2);
    expect(appended.frame).toBe(eventText(appended.event));
    const [read] = (await a.log.readAfter(u!, 1)).events;
    expect(read?.frame).toBe(appended.frame);
    expect(read?.event).toEqual({ ...tricky, seq: 2, ts: appended.event.ts });
  });

  it('a batch whose reply was lost is retried without appending any of its events twice', async () => {
    const [a] = await pair();
    const ids = users(3);
    const command = batchCommand(a);
    const real = command.get();
    let lost = 0;
    command.set(async (...args) => {
      const reply = await real(...args);
      // The script ran; the connection "drops" before its reply is read (a transient error).
      if (lost++ === 0) throw new Error('Connection is closed.');
      return reply;
    });
    const appends = ids.flatMap((id) => [1, 2, 3].map((i) => a.log.append(id, draft(`${id}#${i}`))));
    const results = await Promise.all(appends);
    expect(lost).toBe(2);
    for (const id of ids) {
      const mine = results.filter((r) => r.userId === id);
      expect(mine.map((r) => r.event.seq)).toEqual([1, 2, 3]);
      expect(mine.map(textOf)).toEqual([`${id}#1`, `${id}#2`, `${id}#3`]);
      const log = await a.log.readAfter(id, 0);
      expect(log.events.map((e) => e.frame)).toEqual(mine.map((r) => r.frame));
    }
  });

  it('retains before it publishes: a follower that receives an event can read it from the log at once', async () => {
    const [a, b] = await pair();
    const ids = users(20);
    const checks: Array<Promise<boolean>> = [];
    const subscriptions = ids.map((id) =>
      b.log.subscribe(id, (appended) => {
        checks.push(b.log.readAfter(id, appended.event.seq - 1).then((read) => read.events[0]?.frame === appended.frame));
      }),
    );
    await Promise.all(subscriptions.map((s) => s.ready));
    await Promise.all(ids.flatMap((id) => [1, 2, 3].map((i) => a.log.append(id, draft(`${id}#${i}`)))));
    await eventually('every event delivered', () => checks.length === ids.length * 3);
    expect(await Promise.all(checks)).toEqual(checks.map(() => true));
    for (const s of subscriptions) s.close();
  });
});
