import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ORPHAN_MESSAGE } from '../../src/bus/orphan-closing.js';
import type { RedisBus, RedisBusOptions } from '../../src/redis.js';
import type { Reply, StreamEvent, StreamEventDraft } from '../../src/protocol/types.js';
import { goldenPathProblems, seqProblems } from '../chaos/support/stream-checks.js';
import { testToken as token } from '../helpers/server.js';
import { apiFor } from '../history/support/http.js';
import { createTestDatabase, type TestDatabase } from '../store/support/postgres.js';
import { TestClient } from '../helpers/ws-client.js';
import { GatewayProcesses } from '../helpers/gateway-processes.js';
import { purgeAndClose, requireRedisBus, TEST_REDIS_URL, uniquePrefix } from './support/redis-env.js';
import { eventually } from '../helpers/wait.js';

/**
 * docs/guarantees.md ("The golden path of a run"): every run ends with a terminal event,
 * even when the process executing it dies. Another process notices the dead process's
 * liveness key is gone and ends its runs.
 */
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

const HOUR_MS = 3600_000;

/** A plain connection for looking at keys the buses wrote. */
let raw: Redis | undefined;
const redis = (): Redis => (raw ??= new Redis(TEST_REDIS_URL, { lazyConnect: false, maxRetriesPerRequest: 1 }));
afterAll(async () => {
  await raw?.quit();
});

/** Buses sharing one fresh prefix, as processes of one deployment; the first purges on clean-up. */
async function deployment(...options: Array<Partial<RedisBusOptions>>): Promise<RedisBus[]> {
  const prefix = uniquePrefix();
  const buses = await Promise.all(options.map((o) => requireRedisBus({ prefix, ...o })));
  cleanups.push(async () => {
    await Promise.all(buses.slice(1).map((bus) => bus.close()));
    await purgeAndClose(buses[0]!);
  });
  return buses;
}

/** Stands for a process killed mid-run: its liveness stops being refreshed, its runs stay `running`. */
async function die(bus: RedisBus): Promise<void> {
  bus.reaper.stop();
  bus.liveness.stop();
  const key = bus.keys.process(bus.liveness.processId);
  await eventually('the dead process liveness key to expire', async () => (await redis().exists(key)) === 0);
}

const user = (): string => `orphan-${Math.random().toString(36).slice(2)}`;

async function runEvents(bus: RedisBus, userId: string, runId: string): Promise<StreamEvent[]> {
  const { events } = await bus.log.readAfter(userId, 0);
  return events.map((e) => e.event).filter((e) => e.run_id === runId);
}

const ev = (runId: string, draft: Omit<StreamEventDraft, 'thread_id' | 'run_id'>): StreamEventDraft =>
  ({ ...draft, thread_id: 'thr_1', run_id: runId }) as StreamEventDraft;

describe('orphaned runs on the Redis engine (bus level)', () => {
  it('two survivors racing end each run of a dead process exactly once, closing open tool calls; a live process keeps its runs', async () => {
    const [dying, b, c, live] = await deployment(
      { livenessTtlMs: 300 },
      { reapIntervalMs: HOUR_MS },
      { reapIntervalMs: HOUR_MS },
      { reapIntervalMs: HOUR_MS },
    );
    const u = user();
    const append = (runId: string, draft: Omit<StreamEventDraft, 'thread_id' | 'run_id'>) => dying!.log.append(u, ev(runId, draft));
    // Mid tool call: one call completed, one still open.
    await dying!.runs.register({ runId: 'run_tool', userId: u, threadId: 'thr_1' });
    await append('run_tool', { type: 'user_message', data: { text: 'hi', client_msg_id: 'c1' } });
    await append('run_tool', { type: 'agent_started', data: { agent_name: 'demo' } });
    await append('run_tool', { type: 'tool_executing', data: { tool_call_id: 'call_1', tool_name: 'calculator', args: {} } });
    await append('run_tool', { type: 'tool_completed', data: { tool_call_id: 'call_1', tool_name: 'calculator', result: 4, duration_ms: 1 } });
    await append('run_tool', { type: 'tool_executing', data: { tool_call_id: 'call_2', tool_name: 'clock', args: {} } });
    // Registered, never started.
    await dying!.runs.register({ runId: 'run_new', userId: u, threadId: 'thr_1' });
    await append('run_new', { type: 'user_message', data: { text: 'again', client_msg_id: 'c2' } });
    // Its terminal event stored, but the process died before recording the finish.
    await dying!.runs.register({ runId: 'run_done', userId: u, threadId: 'thr_1' });
    await append('run_done', { type: 'user_message', data: { text: 'done', client_msg_id: 'c3' } });
    await append('run_done', { type: 'agent_started', data: { agent_name: 'demo' } });
    await append('run_done', { type: 'agent_completed', data: { result: { text: 'ok' }, duration_ms: 3 } });
    // A run of a process that is alive must be left alone.
    await live!.runs.register({ runId: 'run_live', userId: u, threadId: 'thr_1' });

    await die(dying!);
    const reaped = await Promise.all([b!.reaper.sweep(), c!.reaper.sweep(), b!.reaper.sweep()]);
    expect(reaped[0]! + reaped[1]!).toBe(2);
    expect(await Promise.all([b!.reaper.sweep(), c!.reaper.sweep()])).toEqual([0, 0]);

    const { events } = await b!.log.readAfter(u, 0);
    const stream = events.map((e) => e.event);
    expect(seqProblems(stream, 0)).toEqual([]);
    expect(goldenPathProblems(stream)).toEqual([]);

    const tool = await runEvents(b!, u, 'run_tool');
    expect(tool.slice(-2)).toMatchObject([
      { type: 'tool_completed', data: { tool_call_id: 'call_2', tool_name: 'clock', error: `failed: ${ORPHAN_MESSAGE}` } },
      { type: 'agent_error', data: { code: 'failed', message: ORPHAN_MESSAGE } },
    ]);
    expect((await runEvents(b!, u, 'run_new')).map((e) => e.type)).toEqual(['user_message', 'agent_started', 'agent_error']);
    expect((await runEvents(b!, u, 'run_new'))[1]).toMatchObject({ data: { agent_name: 'unknown' } });
    expect((await runEvents(b!, u, 'run_done')).map((e) => e.type)).toEqual(['user_message', 'agent_started', 'agent_completed']);

    for (const runId of ['run_tool', 'run_new', 'run_done']) expect(await c!.runs.get(runId)).toMatchObject({ status: 'finished' });
    expect(await c!.runs.get('run_live')).toMatchObject({ status: 'running' });
    // With its runs ended, the dead process is forgotten.
    expect(await redis().zscore(c!.keys.processes(), dying!.liveness.processId)).toBeNull();
    expect(await redis().zscore(c!.keys.processes(), live!.liveness.processId)).not.toBeNull();
  });

  it('a run waiting on its user (protocol 1.2): open requests resolve cancelled before its end, and a later answer gets already_resolved', async () => {
    const [dying, survivor] = await deployment({ livenessTtlMs: 300 }, { reapIntervalMs: HOUR_MS });
    const u = user();
    const append = (draft: Omit<StreamEventDraft, 'thread_id' | 'run_id'>) => dying!.log.append(u, ev('run_ask', draft));
    await dying!.runs.register({ runId: 'run_ask', userId: u, threadId: 'thr_1' });
    const approval = { runId: 'run_ask', toolCallId: 'call_ask', kind: 'approval' as const };
    const clientTool = { runId: 'run_ask', toolCallId: 'call_page', kind: 'client_tool' as const };
    await dying!.pending.open(approval, HOUR_MS);
    await dying!.pending.open(clientTool, HOUR_MS);
    await append({ type: 'user_message', data: { text: 'hi', client_msg_id: 'c1' } });
    await append({ type: 'agent_started', data: { agent_name: 'demo' } });
    await append({ type: 'tool_approval_requested', data: { tool_call_id: 'call_ask', tool_name: 'notes_forget', args: {}, expires_at: new Date().toISOString() } });
    await append({ type: 'tool_executing', data: { tool_call_id: 'call_page', tool_name: 'local_time', args: {}, executor: 'client' } });
    await die(dying!);
    expect(await survivor!.reaper.sweep()).toBe(1);
    const events = await runEvents(survivor!, u, 'run_ask');
    expect(events.slice(-3)).toMatchObject([
      { type: 'tool_approval_resolved', data: { tool_call_id: 'call_ask', approved: false, resolution: 'cancelled' } },
      { type: 'tool_completed', data: { tool_call_id: 'call_page', error: `failed: ${ORPHAN_MESSAGE}` } },
      { type: 'agent_error', data: { code: 'failed' } },
    ]);
    expect(await survivor!.pending.settle(approval, { by: 'user', value: { approved: true } })).toMatchObject({ outcome: 'already_resolved', answer: { by: 'cancelled' } });
    expect(await survivor!.pending.settle(clientTool, { by: 'user', value: { result: 1 } })).toMatchObject({ outcome: 'already_resolved' });
  });

  it('without being asked, a survivor ends the run within its sweep interval and followers on other processes receive the end live', async () => {
    const [dying, survivor, watcher] = await deployment({ livenessTtlMs: 300 }, { reapIntervalMs: 100 }, { reapIntervalMs: HOUR_MS });
    const u = user();
    const seen: StreamEvent[] = [];
    const sub = watcher!.log.subscribe(u, ({ event }) => seen.push(event));
    cleanups.push(async () => sub.close());
    await sub.ready;
    await dying!.runs.register({ runId: 'run_x', userId: u, threadId: 'thr_1' });
    await dying!.log.append(u, ev('run_x', { type: 'user_message', data: { text: 'hi', client_msg_id: 'c1' } }));
    await dying!.log.append(u, ev('run_x', { type: 'agent_started', data: { agent_name: 'demo' } }));

    await die(dying!);
    await eventually('the orphaned run to end', () => seen.some((e) => e.type === 'agent_error'));
    expect(seen.map((e) => e.type)).toEqual(['user_message', 'agent_started', 'agent_error']);
    expect(seqProblems(seen, 0)).toEqual([]);
    await eventually('the run record to be finished', async () => (await survivor!.runs.get('run_x'))?.status === 'finished');
  });

  it('a process closed cleanly hands its unfinished runs over at once', async () => {
    const [survivor, closing] = await deployment({ reapIntervalMs: HOUR_MS }, { livenessTtlMs: HOUR_MS });
    const u = user();
    await closing!.runs.register({ runId: 'run_y', userId: u, threadId: 'thr_1' });
    await closing!.close();
    expect(await survivor!.reaper.sweep()).toBe(1);
    expect((await runEvents(survivor!, u, 'run_y')).map((e) => e.type)).toEqual(['agent_started', 'agent_error']);
  });
});

describe('orphaned runs across real gateway processes', () => {
  let processes: GatewayProcesses | undefined;
  const clients: TestClient[] = [];
  const prefix = uniquePrefix();
  let database: TestDatabase | undefined;
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await processes?.dispose();
    await database?.drop();
    await purgeAndClose(await requireRedisBus({ prefix }));
  });


  it('kill -9 of the process executing a run: the socket on the other process gets the tool call closed and one agent_error failed, gap-free', async () => {
    // Fails (never skips) with instructions when the shared Redis is missing.
    await (await requireRedisBus({ prefix })).close();
    processes = await GatewayProcesses.build();
    database = await createTestDatabase();
    const env = { REDIS_URL: TEST_REDIS_URL, DATABASE_URL: database.url, AGENTWIRE_REDIS_PREFIX: prefix, AGENTWIRE_DEMO_DELAY_MS: '400' };
    const [a, b] = await Promise.all([processes.start('A', env), processes.start('B', env)]);
    const u = user();
    const connect = async (wsUrl: string) => {
      const client = await TestClient.connect(wsUrl, { token: await token(u) });
      clients.push(client);
      return client;
    };
    const onA = await connect(a.wsUrl);
    const sender = await connect(b.wsUrl);
    const reply = (await sender.ask('What is 17 * 23 and 2 ^ 10 and 9 - 4?')) as Reply;
    if (reply.type !== 'message_accepted') throw new Error(`message not accepted: ${JSON.stringify(reply)}`);
    const runId = reply.data.run_id;
    await sender.close();
    await onA.waitFor((f) => 'seq' in f && f.run_id === runId && f.type === 'tool_executing');

    b.child.kill('SIGKILL');
    await b.exited;
    // Liveness TTL (6 s) plus one sweep interval (3 s) at the defaults, with room for a busy machine.
    const end = await onA.waitForRunEnd(runId, 30_000);
    expect(end).toMatchObject({ type: 'agent_error', data: { code: 'failed', message: ORPHAN_MESSAGE } });

    const stream = onA.events();
    expect(seqProblems(stream, 0)).toEqual([]);
    expect(goldenPathProblems(stream)).toEqual([]);
    const run = stream.filter((e) => e.run_id === runId);
    expect(run.filter((e) => e.type === 'agent_error' || e.type === 'agent_completed')).toHaveLength(1);
    const executing = run.filter((e) => e.type === 'tool_executing').length;
    expect(run.filter((e) => e.type === 'tool_completed')).toHaveLength(executing);
    for (const e of run) if (e.type === 'tool_completed' && e.data.error !== undefined) expect(e.data.error).toBe(`failed: ${ORPHAN_MESSAGE}`);
    // The process that ended the run stored its final message first: history shows the same end.
    const history = await apiFor(a.httpUrl, await token(u)).get<{ messages: Array<{ role: string; status?: string; error?: unknown; parts?: Array<{ type: string; error?: string; result?: unknown }> }> }>(
      `/threads/${reply.data.thread_id}/messages`,
    );
    const assistant = history.body.messages.find((m) => m.role === 'assistant');
    expect(assistant).toMatchObject({ status: 'failed', error: { code: 'failed', message: ORPHAN_MESSAGE } });
    const calls = (assistant?.parts ?? []).filter((p) => p.type === 'tool_call');
    expect(calls).toHaveLength(executing);
    for (const call of calls) expect(call.result !== undefined || call.error !== undefined).toBe(true);
    const looker = await requireRedisBus({ prefix, reapIntervalMs: HOUR_MS });
    try {
      await eventually('the run record to be finished', async () => (await looker.runs.get(runId))?.status === 'finished');
    } finally {
      await looker.close();
    }
  }, 240_000);
});
