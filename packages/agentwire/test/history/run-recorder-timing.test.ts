import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AppendedEvent } from '../../src/index.js';
import { DurableWriter } from '../../src/history/durable-writer.js';
import { RunRecorder, type TerminalDraft } from '../../src/history/run-recorder.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import type { AssistantMessage, MessageStore, StoredMessage } from '../../src/store/types.js';

// The run recorder's checkpoint timing on a manual clock (src/history/run-recorder.ts):
// the first event is stored at once; later checkpoints start at least `checkpointMs` apart,
// one at a time; every folded event is in
// the store within `checkpointMs` (or as soon as the write before it is done); the terminal
// event writes the last state and no checkpoint follows it.

const CHECKPOINT_MS = 100;
const RUN = { userId: 'u_1', threadId: 'thr_1', runId: 'run_1' };
const logger = { debug() {}, info() {}, warn() {}, error() {} } as never;

interface Put {
  readonly atMs: number;
  readonly seq: number | null;
  readonly message: AssistantMessage;
}

/** A store that records each write as it was asked for, and can hold writes back. */
class RecordingStore {
  readonly puts: Put[] = [];
  private held: Array<() => void> | undefined;

  readonly messages = {
    putAssistant: (stored: StoredMessage & { message: AssistantMessage }): Promise<boolean> => {
      this.puts.push({ atMs: Date.now(), seq: stored.mark.seq, message: structuredClone(stored.message) });
      if (!this.held) return Promise.resolve(true);
      const held = this.held;
      return new Promise((resolve) => held.push(() => resolve(true)));
    },
    mark: () => Promise.resolve(),
  } as unknown as MessageStore;

  hold(): void {
    this.held = [];
  }

  release(): void {
    const held = this.held ?? [];
    this.held = undefined;
    for (const resolve of held) resolve();
  }
}

let seq = 0;
function thinking(text: string): AppendedEvent {
  const event = { type: 'agent_thinking', seq: ++seq, ts: new Date().toISOString(), thread_id: RUN.threadId, run_id: RUN.runId, data: { text } } as StreamEvent;
  return { userId: RUN.userId, epoch: 'e1', seq: event.seq, event, frame: JSON.stringify(event) };
}

function terminal(type: 'agent_completed' | 'agent_error'): TerminalDraft {
  const base = { seq: 0, ts: new Date().toISOString(), thread_id: RUN.threadId, run_id: RUN.runId };
  if (type === 'agent_completed') return { ...base, type, data: { result: { text: '' }, duration_ms: 5 } };
  return { ...base, type, data: { code: 'cancelled', message: 'stopped', duration_ms: 5 } };
}

describe('RunRecorder checkpoint timing (manual clock)', () => {
  let store: RecordingStore;
  let writer: DurableWriter;
  let recorder: RunRecorder;

  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
    seq = 0;
    store = new RecordingStore();
    writer = new DurableWriter({ logger, retryMs: 10, maxRetryMs: 10 });
    recorder = new RunRecorder({ messages: store.messages, writer, logger, checkpointMs: CHECKPOINT_MS, finalWriteTimeoutMs: 1000 }, RUN, 'demo', new Date().toISOString());
  });

  afterEach(() => {
    writer.close();
    vi.useRealTimers();
  });

  it('a steady stream: checkpoints start at least checkpointMs apart, and every event is stored within checkpointMs', async () => {
    const folded: Array<{ atMs: number; seq: number }> = [];
    for (let i = 0; i < 100; i++) {
      const appended = thinking(`t${i}`);
      recorder.trackNow(appended);
      folded.push({ atMs: Date.now(), seq: appended.event.seq });
      await vi.advanceTimersByTimeAsync(10);
    }
    await vi.advanceTimersByTimeAsync(CHECKPOINT_MS);
    const { puts } = store;
    // 1,000 ms of events at most once per 100 ms: about ten, never one per event.
    expect(puts.length).toBeGreaterThanOrEqual(9);
    expect(puts.length).toBeLessThanOrEqual(11);
    for (let i = 1; i < puts.length; i++) expect(puts[i]!.atMs - puts[i - 1]!.atMs).toBeGreaterThanOrEqual(CHECKPOINT_MS);
    for (const event of folded) {
      const stored = puts.find((put) => (put.seq ?? 0) >= event.seq);
      expect(stored, `event ${event.seq} stored`).toBeDefined();
      expect(stored!.atMs - event.atMs).toBeLessThanOrEqual(CHECKPOINT_MS);
    }
    // Each checkpoint names the seq it reflects: its thinking part holds exactly those events.
    for (const put of puts) {
      const expected = Array.from({ length: put.seq ?? 0 }, (_, i) => `t${i}`).join('\n');
      expect(put.message.parts).toEqual([{ type: 'thinking', text: expected }]);
      expect(put.message.status).toBe('running');
    }
  });

  it('the run\'s first event, and one after a quiet spell, is stored at once, so a snapshot then finds it', async () => {
    recorder.trackNow(thinking('first'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.puts.map((put) => [put.atMs, put.seq])).toEqual([[0, 1]]);
    // The next one waits its turn: at least checkpointMs later.
    recorder.trackNow(thinking('second'));
    await vi.advanceTimersByTimeAsync(CHECKPOINT_MS - 1);
    expect(store.puts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(store.puts.map((put) => [put.atMs, put.seq])).toEqual([[0, 1], [CHECKPOINT_MS, 2]]);
    // After a quiet spell, an event is stored at once too, not a timer later.
    await vi.advanceTimersByTimeAsync(CHECKPOINT_MS * 3);
    recorder.trackNow(thinking('after a pause'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.puts.map((put) => [put.atMs, put.seq])).toEqual([[0, 1], [CHECKPOINT_MS, 2], [CHECKPOINT_MS * 4, 3]]);
  });

  it('a run with nothing new writes nothing more', async () => {
    recorder.trackNow(thinking('only'));
    await vi.advanceTimersByTimeAsync(CHECKPOINT_MS);
    expect(store.puts.map((put) => put.seq)).toEqual([1]);
    await vi.advanceTimersByTimeAsync(CHECKPOINT_MS * 10);
    expect(store.puts).toHaveLength(1);
  });

  it('a slow write: no second write while it lasts, then one at once with everything folded since', async () => {
    store.hold();
    recorder.trackNow(thinking('a'));
    await vi.advanceTimersByTimeAsync(CHECKPOINT_MS);
    expect(store.puts).toHaveLength(1);
    for (let i = 0; i < 5; i++) {
      recorder.trackNow(thinking(`b${i}`));
      await vi.advanceTimersByTimeAsync(CHECKPOINT_MS);
    }
    // Still one write: the store has not answered the first.
    expect(store.puts).toHaveLength(1);
    // Folded after the last timer fired: it arms one more, but the next write carries it.
    recorder.trackNow(thinking('c'));
    const releasedAt = Date.now();
    store.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(store.puts.map((put) => put.seq)).toEqual([1, 7]);
    // At once when the first write is done, not a timer later.
    expect(store.puts[1]!.atMs).toBe(releasedAt);
    // That timer finds nothing new to write.
    await vi.advanceTimersByTimeAsync(CHECKPOINT_MS * 2);
    expect(store.puts).toHaveLength(2);
  });

  it('the run ends during a slow checkpoint: it is waited for, then only the final message is written', async () => {
    store.hold();
    recorder.trackNow(thinking('a'));
    await vi.advanceTimersByTimeAsync(CHECKPOINT_MS);
    recorder.trackNow(thinking('b'));
    // The timer fires while the first write lasts: a checkpoint is due once it is done.
    await vi.advanceTimersByTimeAsync(CHECKPOINT_MS);
    const finishing = recorder.finish(terminal('agent_completed'));
    await vi.advanceTimersByTimeAsync(0);
    expect(store.puts).toHaveLength(1);
    store.release();
    await finishing;
    await vi.advanceTimersByTimeAsync(CHECKPOINT_MS * 10);
    expect(store.puts.map((put) => [put.seq, put.message.status])).toEqual([
      [1, 'running'],
      [2, 'completed'],
    ]);
  });

  for (const end of ['agent_completed', 'agent_error'] as const) {
    it(`${end === 'agent_completed' ? 'the terminal event' : 'a stop (agent_error cancelled)'} writes the last state, and no checkpoint follows`, async () => {
      recorder.trackNow(thinking('a'));
      // Within checkpointMs of the first write: 'b' arms the timer instead of writing at once.
      await vi.advanceTimersByTimeAsync(CHECKPOINT_MS / 2);
      recorder.trackNow(thinking('b'));
      recorder.trackNow(thinking('c'));
      // The timer armed by 'b' has not fired: only the final write can carry b and c.
      await vi.advanceTimersByTimeAsync(CHECKPOINT_MS / 2);
      expect(store.puts).toHaveLength(1);
      const ended = await recorder.finish(terminal(end));
      expect(ended.type).toBe(end);
      // The run's timer is gone with it.
      expect(vi.getTimerCount()).toBe(0);
      await vi.advanceTimersByTimeAsync(CHECKPOINT_MS * 10);
      expect(store.puts).toHaveLength(2);
      const final = store.puts[1]!;
      expect(final.seq).toBe(3);
      expect(final.message.parts).toEqual([{ type: 'thinking', text: 'a\nb\nc' }]);
      expect(final.message.status).toBe(end === 'agent_completed' ? 'completed' : 'cancelled');
    });
  }
});
