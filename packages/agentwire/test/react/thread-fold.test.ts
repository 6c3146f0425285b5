import { afterEach, describe, expect, it } from 'vitest';
import type { StreamEvent } from '../../src/protocol/types.js';
import type { ThreadMessage, ThreadSnapshot } from '../../src/index.js';
import { AgentwireHttp, ThreadFold, turnsOf } from '../../src/react.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { eventually } from '../helpers/wait.js';

// agentwire/react's fold (docs/react.md): a snapshot of GET /threads/:id/messages, then the
// stream after its position (docs/protocol.md "Snapshot, then follow"), folded with the
// server's own MessageCompactor. What a tab shows must equal what history says.

/**
 * Clock readings no event carries exactly: the server stores a user message before it
 * appends its `user_message` event, stamps an assistant message's `created_at` when it
 * accepts the run, and stores the final message (`completed_at`) before it appends the
 * terminal event (docs/guarantees.md: store, then stream); each event gets its own `ts`.
 * Everything else must be equal.
 */
const comparable = (messages: readonly ThreadMessage[]) =>
  messages.map((m) => ({ ...m, created_at: '-', ...(m.role === 'assistant' && m.completed_at !== undefined && { completed_at: '-' }) }));

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('ThreadFold against the real server', () => {
  it('every snapshot taken mid-run, followed by the events after its position, folds to exactly the stored history', async () => {
    // The demo agent, paced: thinking, tool calls and a streamed answer, 20 ms a step.
    server = await startTestServer({ demoDelayMs: 20, history: { checkpointMs: 20 } });
    const token = await server.token('fold-ann');
    const api = new AgentwireHttp({ baseUrl: server.httpUrl, token });
    const main = await TestClient.connect(server.wsUrl, { token });
    const first = await main.ask('What is 12 * 12 and what is 7 + 8?');
    if (first.type !== 'message_accepted') throw new Error(`refused: ${JSON.stringify(first)}`);
    const threadId = first.data.thread_id;
    const second = await main.ask('Remember that the launch is on Friday', { thread_id: threadId });
    if (second.type !== 'message_accepted') throw new Error(`refused: ${JSON.stringify(second)}`);
    const runIds = [first.data.run_id, second.data.run_id];
    const ended = () => runIds.every((id) => main.events().some((e) => e.run_id === id && (e.type === 'agent_completed' || e.type === 'agent_error')));

    // Snapshots taken while the runs emit; each is followed by the stream events after its
    // position (those the main connection received; a resume from that position delivers the
    // same, docs/protocol.md "Snapshot, then follow", proved in test/history).
    const snapshots: ThreadSnapshot[] = [];
    // The first one once a tool call is on the stream: a run is then surely in flight with parts.
    await eventually('a tool call started', () => main.events().some((e) => e.type === 'tool_executing'), 10_000);
    while (!ended() && snapshots.length < 500) snapshots.push(await api.messages(threadId));
    await eventually('both runs ended', ended, 15_000);
    const truth = await api.messages(threadId);
    expect(truth.messages.filter((m) => m.role === 'assistant').map((m) => m.status)).toEqual(['completed', 'completed']);
    const midRun = snapshots.filter((snap) => snap.messages.some((m) => m.role === 'assistant' && m.status === 'running' && m.parts.length > 0));
    expect(midRun.length).toBeGreaterThan(0);

    for (const snap of snapshots) {
      const fold = new ThreadFold(threadId);
      // Events that arrived before the snapshot are replayed on it; those it reflects are skipped.
      for (const event of main.events().slice(0, 5)) fold.apply(event as StreamEvent);
      fold.seed(snap.messages, snap.stream.last_seq);
      for (const event of main.events()) fold.apply(event as StreamEvent);
      expect(comparable(fold.view())).toEqual(comparable(truth.messages));
    }

    // A tab that saw it all live (no snapshot) holds the same messages too.
    const live = new ThreadFold(threadId);
    for (const event of main.events()) live.apply(event as StreamEvent);
    expect(comparable(live.view())).toEqual(comparable(truth.messages));
    await main.close();
  }, 60_000);
});

const T = 'thr_1';
const ts = '2026-11-29T10:00:00.000Z';
const ev = (seq: number, type: string, runId: string, data: Record<string, unknown>): StreamEvent => ({ type, seq, ts, thread_id: T, run_id: runId, data }) as unknown as StreamEvent;

const user: ThreadMessage = { message_id: 'umsg_a', role: 'user', run_id: 'run_a', client_msg_id: 'c1', text: 'What is 17 * 23?', created_at: ts };
const runningAnswer: ThreadMessage = {
  message_id: 'msg_a',
  role: 'assistant',
  run_id: 'run_a',
  agent_name: 'demo',
  status: 'running',
  parts: [
    { type: 'thinking', text: 'I will use the calculator.' },
    { type: 'tool_call', tool_call_id: 'call_1', tool_name: 'calculator', args: { expression: '17 * 23' }, result: { value: 391 }, duration_ms: 3 },
    { type: 'text', text: '17 * 23' },
  ],
  text: '17 * 23',
  created_at: ts,
};
const live = [
  ev(1, 'user_message', 'run_a', { text: 'What is 17 * 23?', client_msg_id: 'c1' }),
  ev(2, 'agent_started', 'run_a', { agent_name: 'demo' }),
  ev(3, 'agent_thinking', 'run_a', { text: 'I will use the calculator.' }),
  ev(4, 'tool_executing', 'run_a', { tool_call_id: 'call_1', tool_name: 'calculator', args: { expression: '17 * 23' } }),
  ev(5, 'agent_message_delta', 'run_a', { message_id: 'x', delta: '17 * 23' }),
  ev(6, 'agent_message_delta', 'run_a', { message_id: 'x', delta: ' = 391.' }),
  ev(7, 'agent_completed', 'run_a', { result: { text: '17 * 23 = 391.' }, duration_ms: 40 }),
];

describe('ThreadFold: snapshot, then follow', () => {
  it('skips live events the snapshot already reflects, also when they arrived before it', () => {
    const fold = new ThreadFold(T);
    for (const event of live.slice(0, 6)) fold.apply(event);
    fold.seed([user, runningAnswer], 5);
    const [turn] = turnsOf(fold.view());
    expect(turn!.assistant!.parts).toHaveLength(3); // not doubled by the replayed live events
    expect(turn!.assistant!.text).toBe('17 * 23 = 391.');
    expect(fold.apply(live[6]!)).toBe(true);
    expect(fold.apply(live[6]!)).toBe(false); // at most once
    expect(turnsOf(fold.view()).map((t) => t.assistant?.status)).toEqual(['completed']);
    expect(fold.view()).toHaveLength(2);
  });

  it('a queued question stays queued until its run starts, live and from a snapshot (protocol 1.2 "Busy threads")', () => {
    const queuedEvent = ev(1, 'user_message', 'run_a', { text: 'What is 17 * 23?', client_msg_id: 'c1', queued: true });
    const fold = new ThreadFold(T);
    fold.apply(queuedEvent);
    expect(fold.view()).toEqual([{ ...user, queued: true }]);
    fold.apply(live[1]!);
    expect(turnsOf(fold.view())[0]!.user).toEqual(user);

    // A snapshot taken while it waited says queued; the run's start, followed live, ends it.
    const seeded = new ThreadFold(T);
    seeded.seed([{ ...user, queued: true }], 1);
    expect(turnsOf(seeded.view())[0]!.user?.queued).toBe(true);
    seeded.apply(live[1]!);
    expect(turnsOf(seeded.view())[0]!.user).toEqual(user);
  });

  it('ignores other threads and thread events (they carry no run)', () => {
    const fold = new ThreadFold(T);
    expect(fold.apply({ ...live[0]!, thread_id: 'thr_other' } as StreamEvent)).toBe(false);
    expect(fold.apply({ type: 'thread_updated', seq: 9, ts, thread_id: T, data: { title: 'x' } } as unknown as StreamEvent)).toBe(false);
    expect(fold.view()).toEqual([]);
  });

  it('after a fresh connection, forgets live events of the old stream life', () => {
    const fold = new ThreadFold(T);
    fold.apply(ev(101, 'user_message', 'run_old', { text: 'old life', client_msg_id: 'c' }));
    fold.resetLive();
    fold.seed([user, runningAnswer], 3); // the new stream's seqs start low again
    expect(turnsOf(fold.view()).map((t) => t.runId)).toEqual(['run_a']);
  });

  it('prepends an older page, and completes a run split across two pages', () => {
    const fold = new ThreadFold(T);
    fold.seed([runningAnswer], 5);
    expect(turnsOf(fold.view())[0]!.user).toBeUndefined();
    fold.prepend([{ ...user, message_id: 'umsg_0', run_id: 'run_0', text: 'Hello' }, user]);
    expect(turnsOf(fold.view()).map((t) => [t.user?.text, t.assistant?.text])).toEqual([
      ['Hello', undefined],
      ['What is 17 * 23?', '17 * 23'],
    ]);
  });
});
