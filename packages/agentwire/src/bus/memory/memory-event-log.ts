import { AgentwireError } from '../../errors.js';
import { newSecret } from '../../ids.js';
import { eventText } from '../../protocol/event-text.js';
import { IsoTimes } from '../iso-times.js';
import { ReceivedEvent } from '../received-event.js';
import { isTerminalType } from '../../protocol/terminal.js';
import type { StreamEvent, StreamEventDraft } from '../../protocol/types.js';
import { OneOrMore } from '../one-or-more.js';
import type { AppendedEvent, EventLog, ReadResult, RetentionOptions, StreamHead, StreamListener, Subscription } from '../types.js';

/** The arrays of a stream that retains nothing yet: shared, never written (see `push`). */
const NONE: never[] = Object.freeze([]) as never[];

const callListener = (listener: StreamListener, appended: AppendedEvent): void => listener(appended);

/** A listener's hold on its stream: an object with methods, no `close` closure and its context per subscriber (issue 19, "Idle memory"). */
class MemorySubscription {
  constructor(
    readonly ready: Promise<void>,
    private readonly stream: UserStream,
    private readonly listener: StreamListener,
  ) {}

  close(): void {
    this.stream.listeners.delete(this.listener);
  }
}

/**
 * One user's stream in this process: its life (epoch), its counter, its retained window.
 * The window keeps only each event's JSON text and append time, in two parallel arrays
 * (seq = `firstSeq` + index): no object per retained event, so a long history costs the
 * garbage collector little; `after()` rebuilds events from their text for the rare reader
 * (resume, gap repair, history), and what it rebuilds is exactly what the wire carried.
 */
class UserStream {
  readonly epoch = newSecret(9);
  lastSeq = 0;
  readonly listeners = new OneOrMore<StreamListener>();
  /*
   * The retained window. The three arrays start as one shared empty array, and the map of
   * ended runs is made with the first ended run: a user with a socket and no events yet
   * holds none of them (issue 19, "Idle memory").
   */
  private frames: string[] = NONE;
  private times: number[] = NONE;
  /** UTF-8 size of each frame, for the byte budget. */
  private sizes: number[] = NONE;
  /** Bytes of the live entries (from `start`). */
  private retainedBytes = 0;
  /** Seq of `frames[0]`. */
  private firstSeq = 1;
  /** Index of the oldest live entry; the arrays are compacted lazily, not shifted per event. */
  private start = 0;
  /** Runs that have their terminal event (run id → ms), remembered for the retention age. */
  private endedRuns: Map<string, number> | undefined;

  constructor(private readonly retention: RetentionOptions) {}

  hasEnded(runId: string): boolean {
    return this.endedRuns?.has(runId) ?? false;
  }

  /** Refuses an event for a run that already ended: a run has exactly one terminal event, last. */
  admit(draft: StreamEventDraft, atMs: number): void {
    if (draft.run_id === undefined) return;
    if (this.endedRuns?.has(draft.run_id)) throw new AgentwireError('AW_ERR_RUN_ENDED', `${draft.type} for run ${draft.run_id}`);
    if (!isTerminalType(draft.type)) return;
    const endedRuns = (this.endedRuns ??= new Map());
    // Insertion order is age order: forget the runs older than the retention age first.
    for (const [runId, endedAtMs] of endedRuns) {
      if (endedAtMs >= atMs - this.retention.maxAgeMs) break;
      endedRuns.delete(runId);
    }
    endedRuns.set(draft.run_id, atMs);
  }

  push(frame: string, atMs: number): void {
    const size = Buffer.byteLength(frame, 'utf8');
    if (this.frames === NONE) {
      this.frames = [];
      this.times = [];
      this.sizes = [];
    }
    this.frames.push(frame);
    this.times.push(atMs);
    this.sizes.push(size);
    this.retainedBytes += size;
    this.trim(atMs);
  }

  trim(nowMs: number): void {
    const { maxEvents, maxAgeMs, maxBytes } = this.retention;
    const length = this.frames.length;
    let start = this.start;
    const drop = (): void => {
      this.retainedBytes -= this.sizes[start]!;
      start++;
    };
    while (start < length - maxEvents) drop();
    const oldestAllowed = nowMs - maxAgeMs;
    while (start < length && this.times[start]! < oldestAllowed) drop();
    // The newest event stays whatever its size: a resume right after it must not see a gap.
    while (start < length - 1 && this.retainedBytes > maxBytes) drop();
    this.start = start;
    if (start > 64 && start * 2 > length) {
      this.frames = this.frames.slice(start);
      this.times = this.times.slice(start);
      this.sizes = this.sizes.slice(start);
      this.firstSeq += start;
      this.start = 0;
    }
  }

  oldestSeq(): number {
    return this.start < this.frames.length ? this.firstSeq + this.start : this.lastSeq + 1;
  }

  after(userId: string, afterSeq: number): AppendedEvent[] {
    const { epoch } = this;
    const out: AppendedEvent[] = [];
    for (let i = Math.max(this.start, afterSeq + 1 - this.firstSeq); i < this.frames.length; i++) {
      const frame = this.frames[i]!;
      out.push(new ReceivedEvent(userId, epoch, frame, this.firstSeq + i));
    }
    return out;
  }
}

/**
 * The embedded engine's event log. Appends are synchronous under the promise: the seq is
 * assigned, the event retained and every live listener called before `append` returns,
 * so per-user order is the call order and no listener can observe a gap.
 */
export class MemoryEventLog implements EventLog {
  private readonly streams = new Map<string, UserStream>();
  /** Subscriptions are live at once here; one settled promise serves them all. */
  private readonly ready = Promise.resolve();
  private readonly times = new IsoTimes();

  constructor(
    private readonly retention: RetentionOptions,
    private readonly nowMs: () => number = Date.now,
  ) {}

  append(userId: string, draft: StreamEventDraft): Promise<AppendedEvent> {
    try {
      return Promise.resolve(this.appendNow(userId, draft));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The synchronous core of `append`; throws `AW_ERR_RUN_ENDED`. */
  appendNow(userId: string, draft: StreamEventDraft): AppendedEvent {
    const stream = this.stream(userId);
    const atMs = this.nowMs();
    stream.admit(draft, atMs);
    const event = {
      type: draft.type,
      seq: ++stream.lastSeq,
      ts: this.times.format(atMs),
      thread_id: draft.thread_id,
      run_id: draft.run_id,
      data: draft.data,
    } as StreamEvent;
    const appended: AppendedEvent = { userId, epoch: stream.epoch, seq: event.seq, event, frame: eventText(event) };
    stream.push(appended.frame, atMs);
    stream.listeners.forEach(callListener, appended, undefined);
    return appended;
  }

  head(userId: string): Promise<StreamHead> {
    return Promise.resolve(this.headNow(userId));
  }

  readAfter(userId: string, afterSeq: number): Promise<ReadResult> {
    const stream = this.stream(userId);
    stream.trim(this.nowMs());
    return Promise.resolve({ ...this.headOf(stream), events: stream.after(userId, afterSeq) });
  }

  hasEnded(userId: string, runId: string): Promise<boolean> {
    return Promise.resolve(this.streams.get(userId)?.hasEnded(runId) ?? false);
  }

  subscribe(userId: string, listener: StreamListener): Subscription {
    const stream = this.stream(userId);
    stream.listeners.add(listener);
    return new MemorySubscription(this.ready, stream, listener);
  }

  /** Drops a user's stream from memory; the next use starts a new epoch. */
  release(userId: string): void {
    const stream = this.streams.get(userId);
    if (stream && stream.listeners.size === 0) this.streams.delete(userId);
  }

  get userCount(): number {
    return this.streams.size;
  }

  private headNow(userId: string): StreamHead {
    const stream = this.stream(userId);
    stream.trim(this.nowMs());
    return this.headOf(stream);
  }

  private headOf(stream: UserStream): StreamHead {
    return { epoch: stream.epoch, lastSeq: stream.lastSeq, oldestSeq: stream.oldestSeq() };
  }

  private stream(userId: string): UserStream {
    let stream = this.streams.get(userId);
    if (!stream) {
      stream = new UserStream(this.retention);
      this.streams.set(userId, stream);
    }
    return stream;
  }
}
