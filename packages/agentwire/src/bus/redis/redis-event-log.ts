import type { Redis } from 'ioredis';
import { AgentwireError } from '../../errors.js';
import { newSecret } from '../../ids.js';
import { eventTextHalves, joinEventText, readEventText } from '../../protocol/event-text.js';
import type { StreamEvent, StreamEventDraft } from '../../protocol/types.js';
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
import { isTransient, whenReady } from './redis-client.js';
import { isTerminalType } from '../../protocol/terminal.js';
import { APPEND_SCRIPT, READ_SCRIPT } from './scripts.js';

type ScriptArg = string | number;

/** The command client with the event log's scripts defined on it. */
interface ScriptedRedis extends Redis {
  awAppend(...args: ScriptArg[]): Promise<[string, number, string?]>;
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
 * same script that retains and publishes the event, so every process sees one order.
 */
export class RedisEventLog implements EventLog {
  private readonly redis: ScriptedRedis;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly fanOut: FanOut,
    private readonly options: RedisEventLogOptions,
  ) {
    redis.defineCommand('awAppend', { numberOfKeys: 3, lua: APPEND_SCRIPT });
    redis.defineCommand('awRead', { numberOfKeys: 2, lua: READ_SCRIPT });
    this.redis = redis as ScriptedRedis;
  }

  async append(userId: string, draft: StreamEventDraft): Promise<AppendedEvent> {
    const { retention, nowMs, metaTtlMs } = this.options;
    const atMs = nowMs();
    const ts = new Date(atMs).toISOString();
    // The frame is serialised here once; the script only writes the seq between the halves.
    const halves = eventTextHalves(draft, ts);
    const nonce = newSecret(12);
    const [epoch, seq, earlierFrame] = await this.withRetry(userId, (retry) =>
      this.redis.awAppend(
        this.keys.meta(userId),
        this.keys.events(userId),
        this.keys.endedRuns(userId),
        newSecret(9),
        atMs,
        retention.maxEvents,
        retention.maxAgeMs,
        metaTtlMs,
        this.keys.live(userId),
        halves.prefix,
        halves.suffix,
        nonce,
        retry ? '1' : '0',
        draft.run_id ?? '',
        isTerminalType(draft.type) ? '1' : '0',
        retention.maxBytes,
      ),
    );
    await this.fanOut.handedOut(userId, epoch, seq);
    if (earlierFrame !== undefined && earlierFrame !== null) return { userId, epoch, event: readEventText(earlierFrame), frame: earlierFrame };
    const event = { type: draft.type, seq, ts, thread_id: draft.thread_id, run_id: draft.run_id, data: draft.data } as StreamEvent;
    return { userId, epoch, event, frame: joinEventText(halves, seq) };
  }

  async head(userId: string): Promise<StreamHead> {
    const [epoch, lastSeq, oldestSeq] = await this.read(userId, -1);
    return { epoch, lastSeq, oldestSeq };
  }

  async readAfter(userId: string, afterSeq: number): Promise<ReadResult> {
    const [epoch, lastSeq, oldestSeq, frames] = await this.read(userId, Math.max(0, Math.floor(afterSeq)));
    return { epoch, lastSeq, oldestSeq, events: frames.map((frame) => ({ userId, epoch, event: readEventText(frame), frame })) };
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

  /**
   * Runs an append, and while Redis is unreachable waits for it (up to the append
   * timeout) and tries again. The retry flag makes the script look for the nonce first,
   * so an attempt that ran but lost its reply is not appended twice.
   */
  private async withRetry<T>(userId: string, attempt: (retry: boolean) => Promise<T>): Promise<T> {
    const deadline = Date.now() + this.options.appendTimeoutMs;
    let retry = false;
    for (;;) {
      try {
        return await attempt(retry);
      } catch (error) {
        // Redis prefixes a script's error reply with its own code (`ERR AW_RUN_ENDED`).
        if (error instanceof Error && /\bAW_RUN_ENDED\b/.test(error.message)) {
          throw new AgentwireError('AW_ERR_RUN_ENDED', `user ${userId}`, { cause: error });
        }
        const left = deadline - Date.now();
        if (!isTransient(error) || left <= 0) {
          const detail = error instanceof Error ? error.message : String(error);
          throw new AgentwireError('AW_ERR_BUS_UNAVAILABLE', `append for user ${userId} failed: ${detail}`, { cause: error });
        }
        retry = true;
        if (this.redis.status === 'ready') await new Promise((resolve) => setTimeout(resolve, Math.min(100, left)));
        else await whenReady(this.redis, left);
      }
    }
  }
}
