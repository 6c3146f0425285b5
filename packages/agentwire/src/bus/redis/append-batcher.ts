import type { Redis } from 'ioredis';
import { AgentwireError } from '../../errors.js';
import { newSecret } from '../../ids.js';
import type { EventTextHalves } from '../../protocol/event-text.js';
import type { RetentionOptions } from '../types.js';
import type { RedisKeys } from './keys.js';
import { isTransient, whenReady } from './redis-client.js';
import { APPEND_BATCH_SCRIPT, RUN_ENDED_MARK } from './scripts.js';

/** One append waiting for its batch. */
export interface QueuedAppend {
  readonly userId: string;
  readonly halves: EventTextHalves;
  readonly runId: string;
  readonly terminal: boolean;
  /** The event's `ts` in ms (injectable clock); the batch's entries take the latest of them. */
  readonly atMs: number;
}

/** What the script made of one append. */
export type AppendOutcome =
  | { readonly kind: 'appended'; readonly epoch: string; readonly seq: number }
  /** A retry found the entry its lost attempt had written: that entry's text. */
  | { readonly kind: 'earlier'; readonly epoch: string; readonly seq: number; readonly frame: string };

interface Pending {
  readonly item: QueuedAppend;
  /** Tags the entry, so a retry after a lost reply finds it instead of appending twice. */
  readonly nonce: string;
  /** Real time (not the injectable clock) after which the append stops waiting for Redis. */
  readonly deadline: number;
  readonly bytes: number;
  readonly resolve: (outcome: AppendOutcome) => void;
  readonly reject: (error: Error) => void;
}

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
  /** Most frame bytes in one script call (a single larger append still goes, alone). */
  readonly maxBytes: number;
}

/**
 * High, because one batch in flight bounds the append rate at one batch per round trip: 256
 * fell behind a 10,000-client resume storm (docs/deploy.md, "Appends are batched").
 */
export const DEFAULT_BATCH_LIMITS = { maxItems: 4096, maxBytes: 4 * 1024 * 1024 } as const;

/**
 * Sends the appends made in one event-loop turn to Redis as one script call
 * (docs/deploy.md, "Appends are batched"). One batch is in flight at a time and a batch that
 * failed on the way is retried (same nonces) before the next one goes, so no append can
 * overtake an earlier one of the same process, and every user's events keep call order.
 * Each append still succeeds or fails on its own: a run that has ended fails only its items.
 */
export class AppendBatcher {
  private readonly redis: BatchingRedis;
  private queue: Pending[] = [];
  private scheduled = false;
  private sending = false;
  /**
   * Nonces are this batcher's random tag plus a counter: unique among every process's
   * entries without a call to the random source per append (it was a tenth of the CPU).
   */
  private readonly nonceTag = newSecret(9);
  private nonceCount = 0;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly options: AppendBatcherOptions,
  ) {
    redis.defineCommand('awAppendBatch', { lua: APPEND_BATCH_SCRIPT });
    this.redis = redis as BatchingRedis;
  }

  append(item: QueuedAppend): Promise<AppendOutcome> {
    return new Promise((resolve, reject) => {
      const bytes = item.halves.prefix.length + item.halves.suffix.length;
      const nonce = this.nonceTag + (this.nonceCount++).toString(36);
      this.queue.push({ item, nonce, deadline: Date.now() + this.options.appendTimeoutMs, bytes, resolve, reject });
      if (!this.scheduled && !this.sending) {
        this.scheduled = true;
        // setImmediate, not a microtask: the appends of every callback of this turn join the batch.
        setImmediate(() => void this.drain());
      }
    });
  }

  /** Sends batches until the queue is empty; the appends queued while one is in flight form the next. */
  private async drain(): Promise<void> {
    this.scheduled = false;
    this.sending = true;
    try {
      while (this.queue.length > 0) await this.send(this.take());
    } finally {
      this.sending = false;
    }
  }

  private take(): Pending[] {
    const { maxItems, maxBytes } = this.options;
    let count = 0;
    let bytes = 0;
    while (count < this.queue.length && count < maxItems && (count === 0 || bytes + this.queue[count]!.bytes <= maxBytes)) {
      bytes += this.queue[count]!.bytes;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async send(batch: Pending[]): Promise<void> {
    const groups = groupByUser(batch);
    let retry = false;
    for (;;) {
      let reply: BatchReply;
      try {
        reply = await this.call(groups, retry);
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
      settle(groups, reply);
      return;
    }
  }

  private call(groups: ReadonlyArray<readonly Pending[]>, retry: boolean): Promise<BatchReply> {
    const { retention, metaTtlMs } = this.options;
    const keys: string[] = [];
    let now = 0;
    for (const group of groups) for (const pending of group) now = Math.max(now, pending.item.atMs);
    const args: Array<string | number> = [now, retention.maxEvents, retention.maxAgeMs, metaTtlMs, retention.maxBytes, newSecret(9)];
    const retryFlag = retry ? '1' : '0';
    for (const group of groups) {
      const userId = group[0]!.item.userId;
      keys.push(this.keys.meta(userId), this.keys.events(userId), this.keys.endedRuns(userId));
      args.push(this.keys.live(userId), group.length);
      for (const { item, nonce } of group) args.push(item.halves.prefix, item.halves.suffix, nonce, retryFlag, item.runId, item.terminal ? '1' : '0');
    }
    return this.redis.awAppendBatch(keys.length, ...keys, ...args);
  }
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

function settle(groups: ReadonlyArray<readonly Pending[]>, reply: BatchReply): void {
  let at = 0;
  for (const group of groups) {
    const epoch = reply[at++] as string;
    for (const pending of group) {
      const result = reply[at++]!;
      if (Array.isArray(result)) pending.resolve({ kind: 'earlier', epoch, seq: result[0], frame: result[1] });
      else if (result === RUN_ENDED_MARK) pending.reject(new AgentwireError('AW_ERR_RUN_ENDED', `user ${pending.item.userId}`));
      else pending.resolve({ kind: 'appended', epoch, seq: result as number });
    }
  }
}
