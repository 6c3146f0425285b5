import type { Redis } from 'ioredis';
import { AgentwireError } from '../../errors.js';
import { newSecret } from '../../ids.js';
import { joinEventText, type EventTextHalves } from '../../protocol/event-text.js';
import { ReceivedEvent } from '../received-event.js';
import { isTerminalType } from '../../protocol/terminal.js';
import type { StreamEvent, StreamEventDraft } from '../../protocol/types.js';
import type { AppendedEvent, RetentionOptions } from '../types.js';
import type { RedisKeys } from './keys.js';
import { isTransient, whenReady } from './redis-client.js';
import { APPEND_BATCH_SCRIPT, RUN_ENDED_MARK } from './scripts.js';

/** One append waiting for its batch. */
export interface QueuedAppend {
  readonly userId: string;
  readonly draft: StreamEventDraft;
  /** The event's `ts`, already in `halves`. */
  readonly ts: string;
  readonly halves: EventTextHalves;
  /** The event's `ts` in ms (injectable clock); the batch's entries take the latest of them. */
  readonly atMs: number;
}

interface Pending {
  readonly item: QueuedAppend;
  /** Real time (not the injectable clock) after which the append stops waiting for Redis. */
  readonly deadline: number;
  /** The frame's length in characters, for `maxBytes`. */
  readonly bytes: number;
  readonly resolve: (appended: AppendedEvent) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Waits until this process's followers of a user have the event `seq` of stream life
 * `epoch` (FanOut.handedOut); `undefined` when there is nothing to wait for.
 */
export type HandOutWait = (userId: string, epoch: string, seq: number) => Promise<void> | undefined;

/** Flat, per group: its epoch, then each item's seq, RUN_ENDED_MARK or [seq, earlier frame]. */
type BatchReply = Array<string | number | [number, string]>;

interface BatchingRedis extends Redis {
  awAppendBatch(numberOfKeys: number, ...args: Array<string | number>): Promise<BatchReply>;
}

export interface AppendBatcherOptions {
  readonly retention: RetentionOptions;
  readonly appendTimeoutMs: number;
  readonly metaTtlMs: number;
  /** Most appends in one script call. */
  readonly maxItems: number;
  /** Most frame characters (string length, about the bytes) in one script call (a single larger append still goes, alone). */
  readonly maxBytes: number;
}

/**
 * High, because a batch in flight holds its users' next appends until it is done: 256 fell
 * behind a 10,000-client resume storm (docs/deploy.md, "Appends are batched").
 */
export const DEFAULT_BATCH_LIMITS = { maxItems: 4096, maxBytes: 4 * 1024 * 1024 } as const;

/**
 * Batches in flight at once. With one, Redis sat idle while this process encoded the next
 * batch and handled the last reply, and appends fell seconds behind a 10,000-client storm
 * with neither process busy (issue 19, "The resume storm"); with two, Redis runs one batch
 * while this process deals with the other.
 */
export const MAX_BATCHES_IN_FLIGHT = 2;

/**
 * Sends the appends made in one event-loop turn to Redis as one script call
 * (docs/deploy.md, "Appends are batched"). A user's appends are in at most one batch in
 * flight: a batch that failed on the way is retried (same nonces) before any later append of
 * its users goes, so no append overtakes an earlier one of the same user, and every user's
 * events keep call order. Batches of different users go side by side, up to
 * MAX_BATCHES_IN_FLIGHT. Each append still succeeds or fails on its own: a run that has
 * ended fails only its items.
 */
export class AppendBatcher {
  private readonly redis: BatchingRedis;
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  /** Users with appends in a batch in flight (retries included): their later appends wait for it. */
  private readonly busyUsers = new Set<string>();
  /**
   * Entries are tagged with a nonce: the batch's (this batcher's random tag plus a batch
   * counter, kept across the batch's retries) followed by the item's number in the batch,
   * which the script appends. Unique among every process's entries without a call to the
   * random source per append (it was a tenth of the CPU), nor an argument per item.
   */
  private readonly nonceTag = newSecret(9);
  private batchCount = 0;
  private readonly pump = (): void => {
    this.scheduled = false;
    while (this.inFlight < MAX_BATCHES_IN_FLIGHT && this.queue.length > 0) {
      const batch = this.take();
      // Every queued append's user has a batch in flight: its end pumps again.
      if (batch.length === 0) return;
      this.inFlight++;
      for (const pending of batch) this.busyUsers.add(pending.item.userId);
      void this.send(batch).finally(() => {
        this.inFlight--;
        for (const pending of batch) this.busyUsers.delete(pending.item.userId);
        this.pump();
      });
    }
  };

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: AppendBatcherOptions,
    private readonly handedOut: HandOutWait,
  ) {
    redis.defineCommand('awAppendBatch', { lua: APPEND_BATCH_SCRIPT });
    this.redis = redis as BatchingRedis;
  }

  /**
   * Resolves with the appended event once Redis has given it its seq and this process's
   * followers of the user have it (FanOut.handedOut), as the memory engine's append does.
   */
  append(item: QueuedAppend): Promise<AppendedEvent> {
    return new Promise((resolve, reject) => {
      const bytes = item.halves.prefix.length + item.halves.suffix.length;
      this.queue.push({ item, deadline: Date.now() + this.options.appendTimeoutMs, bytes, resolve, reject });
      if (!this.scheduled) {
        this.scheduled = true;
        // setImmediate, not a microtask: the appends of every callback of this turn join the batch.
        setImmediate(this.pump);
      }
    });
  }

  /**
   * The next batch: queued appends in order, skipping every user with a batch in flight, up to
   * the limits (a single append over `maxBytes` goes alone). Once the batch is full nothing
   * more joins it, so no user's later append can get in ahead of its earlier one.
   */
  private take(): Pending[] {
    const { maxItems, maxBytes } = this.options;
    const batch: Pending[] = [];
    const rest: Pending[] = [];
    let bytes = 0;
    let full = false;
    for (const pending of this.queue) {
      if (!full && !this.busyUsers.has(pending.item.userId)) {
        if (batch.length > 0 && (batch.length >= maxItems || bytes + pending.bytes > maxBytes)) full = true;
        else {
          batch.push(pending);
          bytes += pending.bytes;
          continue;
        }
      }
      rest.push(pending);
    }
    this.queue = rest;
    return batch;
  }

  private async send(batch: Pending[]): Promise<void> {
    const groups = groupByUser(batch);
    const batchNonce = `${this.nonceTag}${(this.batchCount++).toString(36)}:`;
    let retry = false;
    for (;;) {
      let reply: BatchReply;
      try {
        reply = await this.call(groups, batchNonce, retry);
      } catch (error) {
        const left = Math.min(...batch.map((item) => item.deadline)) - Date.now();
        if (!isTransient(error) || left <= 0) {
          const detail = error instanceof Error ? error.message : String(error);
          for (const pending of batch) {
            pending.reject(new AgentwireError('AW_ERR_BUS_UNAVAILABLE', `append for user ${pending.item.userId} failed: ${detail}`, { cause: error }));
          }
          return;
        }
        retry = true;
        if (this.redis.status === 'ready') await new Promise((resolve) => setTimeout(resolve, Math.min(100, left)));
        else await whenReady(this.redis, left);
        continue;
      }
      this.settle(groups, reply);
      return;
    }
  }

  private call(groups: ReadonlyArray<readonly Pending[]>, batchNonce: string, retry: boolean): Promise<BatchReply> {
    const { retention, metaTtlMs } = this.options;
    const keys: string[] = [];
    let now = 0;
    for (const group of groups) for (const pending of group) now = Math.max(now, pending.item.atMs);
    const args: Array<string | number> = [now, retention.maxEvents, retention.maxAgeMs, metaTtlMs, retention.maxBytes, newSecret(9), retry ? '1' : '0', batchNonce];
    for (const group of groups) {
      const userId = group[0]!.item.userId;
      keys.push(this.keys.meta(userId), this.keys.events(userId), this.keys.endedRuns(userId));
      args.push(this.keys.live(userId), group.length);
      for (const { item } of group) {
        const { draft, halves } = item;
        args.push(halves.prefix + halves.suffix, (isTerminalType(draft.type) ? '1' : '0') + (draft.run_id ?? ''));
      }
    }
    return this.redis.awAppendBatch(keys.length, ...keys, ...args);
  }

  /**
   * Each group's appends resolve together, once the user's followers here have the group's
   * newest event: one wait per user and batch, not one per append.
   */
  private settle(groups: ReadonlyArray<readonly Pending[]>, reply: BatchReply): void {
    let at = 0;
    for (const group of groups) {
      const epoch = reply[at++] as string;
      const userId = group[0]!.item.userId;
      // Parallel arrays, not a pair per event: this runs for every event.
      const waiting: Pending[] = [];
      const events: AppendedEvent[] = [];
      let newest = 0;
      for (const pending of group) {
        const result = reply[at++]!;
        if (result === RUN_ENDED_MARK) {
          pending.reject(new AgentwireError('AW_ERR_RUN_ENDED', `user ${userId}`));
          continue;
        }
        const appended = Array.isArray(result) ? earlierEvent(userId, epoch, result[0], result[1]) : appendedEvent(pending.item, epoch, result as number);
        newest = Math.max(newest, appended.seq);
        waiting.push(pending);
        events.push(appended);
      }
      if (waiting.length === 0) continue;
      const handedOut = this.handedOut(userId, epoch, newest);
      if (handedOut) void handedOut.then(() => resolveAll(waiting, events));
      else resolveAll(waiting, events);
    }
  }
}

/** The event as the script wrote it: the halves joined around its seq. */
function appendedEvent(item: QueuedAppend, epoch: string, seq: number): AppendedEvent {
  const { draft, ts } = item;
  const event = { type: draft.type, seq, ts, thread_id: draft.thread_id, run_id: draft.run_id, data: draft.data } as StreamEvent;
  return { userId: item.userId, epoch, seq, event, frame: joinEventText(item.halves, seq) };
}

/** A retry found the entry its lost attempt had written: that entry's text is the event. */
function earlierEvent(userId: string, epoch: string, seq: number, frame: string): AppendedEvent {
  return new ReceivedEvent(userId, epoch, frame, seq);
}

function resolveAll(waiting: readonly Pending[], events: readonly AppendedEvent[]): void {
  for (let i = 0; i < waiting.length; i++) waiting[i]!.resolve(events[i]!);
}

/** The batch's appends per user, users in order of first append, each user's in call order. */
function groupByUser(batch: readonly Pending[]): Pending[][] {
  const byUser = new Map<string, Pending[]>();
  for (const pending of batch) {
    const group = byUser.get(pending.item.userId);
    if (group) group.push(pending);
    else byUser.set(pending.item.userId, [pending]);
  }
  return [...byUser.values()];
}
