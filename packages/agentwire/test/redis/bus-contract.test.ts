import { afterEach, describe, expect, it } from 'vitest';
import { MemoryBus, type AppendedEvent, type Bus, type RetentionOptions } from '../../src/index.js';
import type { RedisBus } from '../../src/redis.js';
import { isAgentwireError } from '../../src/errors.js';
import type { StreamEventDraft } from '../../src/protocol/types.js';
import { purgeAndClose, requireRedisBus, uniquePrefix } from './support/redis-env.js';
import { eventually } from '../helpers/wait.js';

/**
 * The Bus contract, run against both engines: whatever the gateway relies on behaves the
 * same in one process (memory) and across processes (redis, two bus instances on one
 * key prefix, as two gateway processes would have).
 */
interface ContractEngine {
  readonly name: 'memory' | 'redis';
  /** Two handles on one shared state (memory: the same bus twice; redis: two connections, one prefix). */
  pair(options?: { retention?: Partial<RetentionOptions>; nowMs?: () => number }): Promise<[Bus, Bus]>;
  /** Loses the user's whole history, as a restart of the memory engine or a flushed Redis does. */
  loseHistory(bus: Bus, userId: string): Promise<void>;
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanups.splice(0).map((c) => c()));
});

const memory: ContractEngine = {
  name: 'memory',
  async pair(options = {}) {
    const bus = new MemoryBus({ retention: options.retention ?? {}, ...(options.nowMs && { nowMs: options.nowMs }) });
    return [bus, bus];
  },
  async loseHistory(bus, userId) {
    bus.releaseUser(userId);
  },
};

const redis: ContractEngine = {
  name: 'redis',
  async pair(options = {}) {
    const prefix = uniquePrefix();
    const shared = { prefix, retention: options.retention ?? {}, ...(options.nowMs && { nowMs: options.nowMs }) };
    const a = await requireRedisBus(shared);
    const b = await requireRedisBus(shared);
    cleanups.push(async () => {
      await b.close();
      await purgeAndClose(a);
    });
    return [a, b];
  },
  async loseHistory(bus) {
    await (bus as RedisBus).purge();
  },
};

const draft = (text: string, runId = 'run_1'): StreamEventDraft => ({ type: 'agent_thinking', thread_id: 'thr_1', run_id: runId, data: { text } });
const seqs = (events: readonly AppendedEvent[]): number[] => events.map((e) => e.event.seq);
/** Ids with the separators of Redis key names, so every contract holds for encoded keys and channels too. */
const user = (): string => `user-${Math.random().toString(36).slice(2)}@x}:y`;

describe.each([memory, redis])('bus contract ($name engine)', (engine) => {
  it('appends with seq 1, 2, 3 and a frame that is exactly the JSON of the event', async () => {
    let now = Date.parse('2026-11-21T10:00:00.000Z');
    const [bus] = await engine.pair({ nowMs: () => now });
    const u = user();
    const first = await bus.log.append(u, { type: 'user_message', thread_id: 'thr_1', run_id: 'run_1', data: { text: 'say "hi"\n', client_msg_id: 'c1' } });
    now += 5;
    const second = await bus.log.append(u, draft('ünïcode ✓'));
    expect(seqs([first, second])).toEqual([1, 2]);
    for (const appended of [first, second]) {
      expect(appended.userId).toBe(u);
      expect(appended.frame).toBe(JSON.stringify(appended.event));
      expect(JSON.parse(appended.frame)).toEqual(appended.event);
    }
    expect(first.event).toEqual({
      type: 'user_message',
      seq: 1,
      ts: '2026-11-21T10:00:00.000Z',
      thread_id: 'thr_1',
      run_id: 'run_1',
      data: { text: 'say "hi"\n', client_msg_id: 'c1' },
    });
    expect(second.event.ts).toBe('2026-11-21T10:00:00.005Z');
  });

  it('gives concurrent appends from two handles distinct gap-free seqs, and replays them in seq order', async () => {
    const [a, b] = await engine.pair();
    const u = user();
    const appended = await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).log.append(u, draft(`n${i}`))));
    expect(seqs(appended).sort((x, y) => x - y)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const read = await b.log.readAfter(u, 0);
    expect(seqs(read.events)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const bySeq = new Map(appended.map((e) => [e.event.seq, e.frame]));
    for (const e of read.events) expect(e.frame).toBe(bySeq.get(e.event.seq));
  });

  it('resolves an append only once the same handle\'s subscribers of the user have it (a caller may close sockets right after)', async () => {
    const [a] = await engine.pair();
    const users = Array.from({ length: 40 }, user);
    const got = new Map<string, number[]>(users.map((u) => [u, []]));
    const subscriptions = users.map((u) => a.log.subscribe(u, (e) => got.get(u)!.push(e.seq)));
    await Promise.all(subscriptions.map((s) => s.ready));
    // Many users and several events each in one turn: one batch, several events per user.
    const seen: boolean[] = [];
    await Promise.all(
      users.flatMap((u) => [1, 2, 3].map((i) => a.log.append(u, draft(`${i}`)).then((e) => seen.push(got.get(u)!.includes(e.seq))))),
    );
    expect(seen).toHaveLength(users.length * 3);
    expect(seen.every(Boolean)).toBe(true);
    for (const s of subscriptions) s.close();
  });

  it('refuses any event of a run after its terminal event, from any handle (AW_ERR_RUN_ENDED); other runs go on', async () => {
    const [a, b] = await engine.pair();
    const u = user();
    await a.log.append(u, draft('working', 'run_done'));
    const terminal: StreamEventDraft = { type: 'agent_error', thread_id: 'thr_1', run_id: 'run_done', data: { code: 'failed', message: 'x', duration_ms: 1 } };
    await a.log.append(u, terminal);
    const refusals = await Promise.allSettled([
      b.log.append(u, draft('late', 'run_done')),
      a.log.append(u, { type: 'agent_completed', thread_id: 'thr_1', run_id: 'run_done', data: { result: { text: '' }, duration_ms: 1 } }),
      b.log.append(u, terminal),
    ]);
    for (const refusal of refusals) {
      expect(refusal.status).toBe('rejected');
      expect(isAgentwireError((refusal as PromiseRejectedResult).reason, 'AW_ERR_RUN_ENDED')).toBe(true);
    }
    const other = await b.log.append(u, draft('still going', 'run_other'));
    expect(other.event.seq).toBe(3);
    const read = await a.log.readAfter(u, 0);
    expect(read.events.map((e) => `${e.event.run_id}:${e.event.type}`)).toEqual([
      'run_done:agent_thinking',
      'run_done:agent_error',
      'run_other:agent_thinking',
    ]);
  });

  it('reports an empty stream as lastSeq 0, oldestSeq 1, with one stable epoch', async () => {
    const [a, b] = await engine.pair();
    const u = user();
    const head = await a.log.head(u);
    expect(head).toMatchObject({ lastSeq: 0, oldestSeq: 1 });
    expect(head.epoch).toMatch(/^\S+$/);
    await a.log.append(u, draft('x'));
    expect(await b.log.head(u)).toEqual({ epoch: head.epoch, lastSeq: 1, oldestSeq: 1 });
  });

  it('readAfter returns exactly the events after the position, with the head', async () => {
    const [a, b] = await engine.pair();
    const u = user();
    for (let i = 0; i < 5; i++) await a.log.append(u, draft(`e${i}`));
    const read = await b.log.readAfter(u, 2);
    expect(seqs(read.events)).toEqual([3, 4, 5]);
    expect(read).toMatchObject({ lastSeq: 5, oldestSeq: 1 });
    expect(seqs((await b.log.readAfter(u, 5)).events)).toEqual([]);
    expect(seqs((await b.log.readAfter(u, 0)).events)).toEqual([1, 2, 3, 4, 5]);
  });

  it('retains only the newest maxEvents events', async () => {
    const [a, b] = await engine.pair({ retention: { maxEvents: 3 } });
    const u = user();
    for (let i = 0; i < 5; i++) await a.log.append(u, draft(`e${i}`));
    expect(await b.log.head(u)).toMatchObject({ lastSeq: 5, oldestSeq: 3 });
    expect(seqs((await b.log.readAfter(u, 0)).events)).toEqual([3, 4, 5]);
    expect(seqs((await b.log.readAfter(u, 3)).events)).toEqual([4, 5]);
  });

  it('drops events older than maxAgeMs, on append and on read', async () => {
    let now = 1_000_000;
    const [a, b] = await engine.pair({ retention: { maxAgeMs: 1000 }, nowMs: () => now });
    const u = user();
    await a.log.append(u, draft('t0'));
    now += 400;
    await a.log.append(u, draft('t400'));
    now += 400;
    await a.log.append(u, draft('t800'));
    now += 300; // t1100: the first is past its age
    expect(await b.log.head(u)).toMatchObject({ lastSeq: 3, oldestSeq: 2 });
    expect(seqs((await b.log.readAfter(u, 0)).events)).toEqual([2, 3]);
    now += 900; // t2000: all are
    expect(await b.log.head(u)).toMatchObject({ lastSeq: 3, oldestSeq: 4 });
    expect(seqs((await b.log.readAfter(u, 0)).events)).toEqual([]);
    expect(seqs([await a.log.append(u, draft('t2000'))])).toEqual([4]);
  });

  it('starts a new epoch, with seqs from 1, when the history is lost', async () => {
    const [a, b] = await engine.pair();
    const u = user();
    await a.log.append(u, draft('before'));
    const before = await a.log.head(u);
    await engine.loseHistory(a, u);
    const after = await b.log.head(u);
    expect(after.epoch).not.toBe(before.epoch);
    expect(after).toMatchObject({ lastSeq: 0, oldestSeq: 1 });
    expect(seqs([await b.log.append(u, draft('after'))])).toEqual([1]);
  });

  it('delivers appends from either handle to a ready subscriber, in order, with the stored frame', async () => {
    const [a, b] = await engine.pair();
    const u = user();
    const other = user();
    const got: AppendedEvent[] = [];
    const subscription = b.log.subscribe(u, (e) => got.push(e));
    await subscription.ready;
    const sent = [await a.log.append(u, draft('1')), await b.log.append(u, draft('2')), await a.log.append(other, draft('foreign'))];
    await a.log.append(u, draft('3'));
    await eventually('three events at the subscriber', () => got.length >= 3);
    expect(seqs(got)).toEqual([1, 2, 3]);
    expect(got.every((e) => e.userId === u)).toBe(true);
    expect(got[0]!.frame).toBe(sent[0]!.frame);
    expect(got[1]!.frame).toBe(sent[1]!.frame);

    // After close, nothing more; a second subscriber proves the event was delivered meanwhile.
    subscription.close();
    const later: AppendedEvent[] = [];
    const witness = a.log.subscribe(u, (e) => later.push(e));
    await witness.ready;
    await b.log.append(u, draft('4'));
    await eventually('the witness to see seq 4', () => later.some((e) => e.event.seq === 4));
    expect(seqs(got)).toEqual([1, 2, 3]);
    witness.close();
  });

  it('remembers a client_msg_id: a second claim from any handle gets the original ids; release forgets it', async () => {
    const [a, b] = await engine.pair();
    const u = user();
    expect(await a.messages.claim(u, 'c-1', { threadId: 'thr_a', runId: 'run_a' })).toEqual({ fresh: true, threadId: 'thr_a', runId: 'run_a' });
    expect(await b.messages.claim(u, 'c-1', { threadId: 'thr_b', runId: 'run_b' })).toEqual({ fresh: false, threadId: 'thr_a', runId: 'run_a' });
    expect((await b.messages.claim(user(), 'c-1', { threadId: 'thr_c', runId: 'run_c' })).fresh).toBe(true);
    await b.messages.release(u, 'c-1');
    expect(await a.messages.claim(u, 'c-1', { threadId: 'thr_d', runId: 'run_d' })).toEqual({ fresh: true, threadId: 'thr_d', runId: 'run_d' });
    const racing = await Promise.all(Array.from({ length: 8 }, (_, i) => (i % 2 ? a : b).messages.claim(u, 'c-2', { threadId: `t${i}`, runId: `r${i}` })));
    expect(racing.filter((c) => c.fresh)).toHaveLength(1);
    expect(new Set(racing.map((c) => c.runId)).size).toBe(1);
  });

  it('redeems a ticket exactly once, even when two handles race for it', async () => {
    const [a, b] = await engine.pair();
    const u = user();
    const { ticket, expiresAt } = await a.tickets.issue(u, 60_000);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now());
    const results = await Promise.all([a.tickets.redeem(ticket), b.tickets.redeem(ticket), b.tickets.redeem(ticket)]);
    expect(results.filter((r) => r?.userId === u)).toHaveLength(1);
    expect(results.filter((r) => r === undefined)).toHaveLength(2);
    expect(await a.tickets.redeem('no-such-ticket')).toBeUndefined();
  });

  it('records runs and carries a stop request from one handle to the listeners of the other', async () => {
    const [a, b] = await engine.pair();
    const u = user();
    await a.runs.register({ runId: 'run_x', userId: u, threadId: 'thr_x' });
    expect(await b.runs.get('run_x')).toEqual({ runId: 'run_x', userId: u, threadId: 'thr_x', status: 'running' });
    expect(await b.runs.get('run_unknown')).toBeUndefined();
    const stopped: string[] = [];
    const off = b.runs.onStopRequested((runId) => stopped.push(runId));
    await a.runs.requestStop('run_x');
    await eventually('the stop request at the other handle', () => stopped.includes('run_x'));
    off();
    await b.runs.finish('run_x');
    expect((await a.runs.get('run_x'))?.status).toBe('finished');
    await a.runs.finish('run_never_registered');
    expect(await a.runs.get('run_never_registered')).toBeUndefined();
  });

  it('carries a stop request with its reason (protocol 1.2 interrupt) to the other handle', async () => {
    const [a, b] = await engine.pair();
    const stopped: string[] = [];
    const off = b.runs.onStopRequested((runId, reason) => stopped.push(`${runId}:${reason}`));
    await a.runs.requestStop('run_i', 'interrupted');
    await a.runs.requestStop('run_u');
    await eventually('both stop requests at the other handle', () => stopped.length === 2);
    expect(stopped).toEqual(['run_i:interrupted', 'run_u:user']);
    off();
  });

  it('thread queues: runs enter in order, onlyIfIdle refuses a busy thread, leaving wakes the other handle (protocol 1.2)', async () => {
    const [a, b] = await engine.pair();
    const u = user();
    expect(await a.queues.enter(u, 'thr_q', 'run_1')).toEqual([]);
    expect(await b.queues.enter(u, 'thr_q', 'run_2')).toEqual(['run_1']);
    expect(await b.queues.enter(u, 'thr_q', 'run_3', { onlyIfIdle: true })).toBeUndefined();
    expect(await a.queues.enter(u, 'thr_other', 'run_4', { onlyIfIdle: true })).toEqual([]);
    expect(await a.queues.list(u, 'thr_q')).toEqual(['run_1', 'run_2']);
    // Another user's thread of the same id is another queue.
    expect(await a.queues.list(user(), 'thr_q')).toEqual([]);
    const advanced: string[] = [];
    const off = b.queues.onAdvanced((threadId) => advanced.push(threadId));
    await a.queues.leave(u, 'thr_q', 'run_1');
    await eventually('the advance at the other handle', () => advanced.includes('thr_q'));
    expect(await b.queues.list(u, 'thr_q')).toEqual(['run_2']);
    await b.queues.leave(u, 'thr_q', 'run_2');
    expect(await a.queues.list(u, 'thr_q')).toEqual([]);
    expect(await a.queues.enter(u, 'thr_q', 'run_5', { onlyIfIdle: true })).toEqual([]);
    off();
  });

  it('knows which runs have their terminal event (hasEnded)', async () => {
    const [a, b] = await engine.pair();
    const u = user();
    const run = (type: 'agent_started' | 'agent_completed', data: object) =>
      ({ type, thread_id: 'thr_e', run_id: 'run_e', data }) as StreamEventDraft;
    await a.log.append(u, run('agent_started', { agent_name: 'x' }));
    expect(await b.log.hasEnded(u, 'run_e')).toBe(false);
    await a.log.append(u, run('agent_completed', { result: { text: '' }, duration_ms: 0 }));
    expect(await b.log.hasEnded(u, 'run_e')).toBe(true);
    expect(await b.log.hasEnded(u, 'run_other')).toBe(false);
  });
  it('settles a pending request once across handles, tells the other handle, and keeps kinds apart (protocol 1.2)', async () => {
    const [a, b] = await engine.pair();
    const ref = { runId: `run_${user()}`, toolCallId: 'call_1', kind: 'approval' as const };
    expect(await b.pending.settle(ref, { by: 'user', value: { approved: true } })).toEqual({ outcome: 'unknown' });
    await a.pending.open(ref, 60_000);
    const heard: unknown[] = [];
    const off = a.pending.onSettled((settled, answer) => {
      if (settled.runId === ref.runId) heard.push({ settled, answer });
    });
    // A client tool answer under the same id is not an answer to the approval.
    expect(await b.pending.settle({ ...ref, kind: 'client_tool' }, { by: 'user', value: { result: 1 } })).toEqual({ outcome: 'unknown' });
    const outcomes = await Promise.all([
      b.pending.settle(ref, { by: 'user', value: { approved: true } }),
      a.pending.settle(ref, { by: 'expired', value: null }),
      b.pending.settle(ref, { by: 'user', value: { approved: false } }),
    ]);
    const won = outcomes.filter((o) => o.outcome === 'won');
    expect(won).toHaveLength(1);
    const winner = [{ by: 'user', value: { approved: true } }, { by: 'expired', value: null }, { by: 'user', value: { approved: false } }][
      outcomes.findIndex((o) => o.outcome === 'won')
    ];
    for (const lost of outcomes.filter((o) => o.outcome !== 'won')) expect(lost).toEqual({ outcome: 'already_resolved', answer: winner });
    await eventually('the settled request heard at the other handle', () => heard.length === 1);
    expect(heard).toEqual([{ settled: ref, answer: winner }]);
    off();
  });
});

describe('redis engine specifics', () => {
  it('tells a follower whose stream lost its history (new epoch), instead of passing the new life on', async () => {
    const [a, b] = await redis.pair();
    const u = user();
    await a.log.append(u, draft('old life'));
    const got: AppendedEvent[] = [];
    const resets: string[] = [];
    const subscription = b.log.subscribe(u, (e) => got.push(e), (epoch) => resets.push(epoch));
    await subscription.ready;
    await redis.loseHistory(a, u);
    const fresh = await a.log.append(u, draft('new life'));
    const epoch = (await a.log.head(u)).epoch;
    await eventually('the reset', () => resets.length > 0);
    expect(resets).toEqual([epoch]);
    expect(got).toEqual([]);
    expect(fresh.event.seq).toBe(1);
    subscription.close();
  });

  it('fails to start with AW_ERR_BUS_UNAVAILABLE, naming the address, when Redis is unreachable', async () => {
    const error = await requireRedisBusAt('redis://127.0.0.1:1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).toMatch(/Redis is required at 127\.0\.0\.1:1 .*cannot reach Redis at redis:\/\/127\.0\.0\.1:1/);
    const { createRedisBus } = await import('../../src/bus/redis/redis-bus.js');
    const direct = await createRedisBus({ url: 'redis://127.0.0.1:1' }).catch((e: unknown) => e);
    expect(isAgentwireError(direct, 'AW_ERR_BUS_UNAVAILABLE')).toBe(true);
  });
});

function requireRedisBusAt(url: string): Promise<RedisBus> {
  return requireRedisBus({ url });
}
