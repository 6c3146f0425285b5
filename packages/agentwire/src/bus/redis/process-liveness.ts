import type { Redis } from 'ioredis';
import { newSecret } from '../../ids.js';
import type { Logger } from '../../logger.js';
import type { RedisKeys } from './keys.js';

export interface LivenessTimings {
  /** How long the liveness key outlives its last refresh: a process silent this long is taken for dead. */
  readonly ttlMs: number;
}

/**
 * This process's "I am alive" key in Redis. Runs record the id of the process that
 * executes them; when that key is gone, the process died (or lost Redis for longer than
 * the TTL) and another process may end its runs. Refreshed at a third of the TTL, so two
 * refreshes may be lost before the key expires.
 */
export class ProcessLiveness {
  readonly processId = newSecret(9);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly timings: LivenessTimings,
    private readonly logger: Logger,
  ) {
    // Back from an outage: the key may have expired meanwhile; rewrite it before the next tick.
    redis.on('ready', () => {
      if (this.timer) void this.refresh();
    });
  }

  /** Writes the key once (so runs registered from now on have a live owner), then keeps it fresh. */
  async start(): Promise<void> {
    await this.write();
    this.timer = setInterval(() => void this.refresh(), Math.max(1, Math.floor(this.timings.ttlMs / 3)));
    // Liveness must never be what keeps a finished process from exiting.
    this.timer.unref();
  }

  /** Stops refreshing; the key expires by itself (what a dead process leaves behind). */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Stops refreshing and deletes the key, so other processes take over at once any run left behind. */
  async release(): Promise<void> {
    this.stop();
    if (this.redis.status !== 'ready') return;
    await this.redis.del(this.keys.process(this.processId)).catch((err: unknown) => this.logger.debug({ err }, 'liveness key not deleted'));
  }

  /** The key, and this id in the list of processes that reapers look at (again, in case a reaper dropped it while Redis was away). */
  private async write(): Promise<void> {
    const results = await this.redis
      .multi()
      .set(this.keys.process(this.processId), '1', 'PX', this.timings.ttlMs)
      .zadd(this.keys.processes(), Date.now(), this.processId)
      .exec();
    const failed = results?.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }

  private async refresh(): Promise<void> {
    try {
      await this.write();
    } catch (err) {
      // Redis is unreachable: the next refresh tries again; the TTL covers two missed ones.
      this.logger.debug({ err }, 'liveness refresh failed');
    }
  }
}
