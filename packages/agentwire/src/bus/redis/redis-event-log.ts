import type { Redis } from 'ioredis';
import { newSecret } from '../../ids.js';
import { eventTextHalves } from '../../protocol/event-text.js';
import { ReceivedEvent } from '../received-event.js';
import type { StreamEventDraft } from '../../protocol/types.js';
import { IsoTimes } from '../iso-times.js';
import type {
  AppendedEvent,
  EventLog,
  ReadResult,
  RetentionOptions,
  StreamHead,
  StreamListener,
  StreamResetListener,
  Subscription,
} from '../types.js';
import type { FanOut } from './fan-out.js';
import type { RedisKeys } from './keys.js';
import { READ_SCRIPT } from './scripts.js';
import { AppendBatcher, DEFAULT_BATCH_LIMITS } from './append-batcher.js';

type ScriptArg = string | number;

/** The command client with the event log's scripts defined on it. */
interface ScriptedRedis extends Redis {
  awRead(...args: ScriptArg[]): Promise<[string, number, number, string[]]>;
}

export interface RedisEventLogOptions {
  readonly retention: RetentionOptions;
  /** How long an append waits for an unreachable Redis before it fails. */
  readonly appendTimeoutMs: number;
  /** Lifetime of a user's seq counter and epoch after their last use. */
  readonly metaTtlMs: number;
  readonly nowMs: () => number;
}

/**
 * The per-user stream in Redis. `seq` comes from the user's counter, incremented in the
 * same script that retains and publishes the event, so every process sees one order. The
 * appends of one event-loop turn share one script call (append-batcher.ts).
 */
export class RedisEventLog implements EventLog {
  private readonly redis: ScriptedRedis;
  private readonly batcher: AppendBatcher;
  private readonly times = new IsoTimes();

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly fanOut: FanOut,
    private readonly options: RedisEventLogOptions,
  ) {
    this.batcher = new AppendBatcher(redis, keys, { ...options, ...DEFAULT_BATCH_LIMITS }, (userId, epoch, seq) => fanOut.handedOut(userId, epoch, seq));
    redis.defineCommand('awRead', { numberOfKeys: 2, lua: READ_SCRIPT });
    this.redis = redis as ScriptedRedis;
  }

  append(userId: string, draft: StreamEventDraft): Promise<AppendedEvent> {
    const atMs = this.options.nowMs();
    const ts = this.times.format(atMs);
    try {
      // The frame is serialised here once; the script only writes the seq between the halves.
      return this.batcher.append({ userId, draft, ts, halves: eventTextHalves(draft, ts), atMs });
    } catch (error) {
      // Data that cannot be serialised (a BigInt, a cycle): this append fails, nothing is sent.
      return Promise.reject(error as Error);
    }
  }

  async head(userId: string): Promise<StreamHead> {
    const [epoch, lastSeq, oldestSeq] = await this.read(userId, -1);
    return { epoch, lastSeq, oldestSeq };
  }

  async readAfter(userId: string, afterSeq: number): Promise<ReadResult> {
    const [epoch, lastSeq, oldestSeq, frames] = await this.read(userId, Math.max(0, Math.floor(afterSeq)));
    return { epoch, lastSeq, oldestSeq, events: frames.map((frame) => ReceivedEvent.read(userId, epoch, frame)) };
  }

  async hasEnded(userId: string, runId: string): Promise<boolean> {
    return (await this.redis.zscore(this.keys.endedRuns(userId), runId)) !== null;
  }

  subscribe(userId: string, listener: StreamListener, onReset?: StreamResetListener): Subscription {
    return this.fanOut.follow(userId, listener, onReset);
  }

  private read(userId: string, afterSeq: number): Promise<[string, number, number, string[]]> {
    const { retention, nowMs, metaTtlMs } = this.options;
    return this.redis.awRead(this.keys.meta(userId), this.keys.events(userId), newSecret(9), nowMs(), retention.maxAgeMs, metaTtlMs, afterSeq, retention.maxEvents, retention.maxBytes);
  }
}
