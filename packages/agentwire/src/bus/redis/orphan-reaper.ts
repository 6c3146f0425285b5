import type { Redis } from 'ioredis';
import type { Logger } from '../../logger.js';
import type { OrphanHistory, PendingRequests, ThreadQueue } from '../types.js';
import type { RedisKeys } from './keys.js';
import { closingDrafts, openPendingRefs } from '../orphan-closing.js';
import type { RedisEventLog } from './redis-event-log.js';
import type { RedisRunDirectory } from './redis-stores.js';
import { isAgentwireError } from '../../errors.js';

export interface OrphanReaperOptions {
  /** Id of this process: its own runs are never reaped here, even if its liveness key lapsed. */
  readonly processId: string;
  readonly intervalMs: number;
  /** How long a claim on one orphan holds off other processes (a reaper that dies mid-way is retried after it). */
  readonly claimMs: number;
  /**
   * After a reconnect, how long to wait before sweeping: during a Redis outage every
   * liveness key may have expired, and live processes need a refresh to write theirs again.
   */
  readonly reconnectGraceMs: number;
  readonly nowMs: () => number;
  readonly logger: Logger;
}

/**
 * Ends the runs of dead processes. Every process sweeps: for each process that may own
 * runs (`procs`) and whose liveness key is gone, each of its unfinished runs is claimed
 * with SET NX (so exactly one process ends it), closed on its user's stream through the
 * normal append (seq, retention and fan-out as usual) and marked finished. A run whose
 * events already show its end is only marked finished. A dead process with no runs left
 * is forgotten.
 */
export class OrphanReaper {
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;
  /** When the connection last came back; the bus is built connected, so no grace at first. */
  private reconnectedAt = Number.NEGATIVE_INFINITY;
  /** Stores the ended run's final message before its closing events are appended (set by the gateway). */
  history: OrphanHistory | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly log: RedisEventLog,
    private readonly runs: RedisRunDirectory,
    private readonly queues: ThreadQueue,
    private readonly pending: PendingRequests,
    private readonly options: OrphanReaperOptions,
  ) {
    redis.on('ready', () => (this.reconnectedAt = Date.now()));
  }

  start(): void {
    this.timer = setInterval(() => {
      this.sweep().catch((err: unknown) => this.options.logger.debug({ err }, 'orphan sweep failed'));
    }, this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One pass over every dead process's runs; resolves with how many runs this process ended. Never overlaps itself. */
  sweep(): Promise<number> {
    this.sweeping ??= this.sweepOnce().finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  private async sweepOnce(): Promise<number> {
    if (Date.now() - this.reconnectedAt < this.options.reconnectGraceMs) return 0;
    const owners = (await this.redis.zrange(this.keys.processes(), 0, -1)).filter((id) => id !== this.options.processId);
    if (owners.length === 0) return 0;
    const alive = await this.redis.pipeline(owners.map((id) => ['exists', this.keys.process(id)])).exec();
    let reaped = 0;
    for (const [i, owner] of owners.entries()) {
      const [error, exists] = alive?.[i] ?? [null, 1];
      if (error || exists !== 0) continue;
      const runIds = await this.redis.smembers(this.keys.runsOf(owner));
      if (runIds.length === 0) {
        await this.redis.zrem(this.keys.processes(), owner);
        continue;
      }
      for (const runId of runIds) {
        try {
          if (await this.reap(runId, owner)) reaped++;
        } catch (err) {
          // The claim expires, so this run is tried again on a later sweep (by any process).
          this.options.logger.warn({ err, runId, owner }, 'orphaned run not ended; will retry');
        }
      }
    }
    return reaped;
  }

  /** Ends one run of a dead owner if this process wins the claim; true when it appended its end. */
  private async reap(runId: string, owner: string): Promise<boolean> {
    const claimed = await this.redis.set(this.keys.reapLock(runId), this.options.processId, 'PX', this.options.claimMs, 'NX');
    if (claimed !== 'OK') return false;
    const record = await this.runs.ownedRecord(runId);
    if (!record || record.status !== 'running' || record.owner !== owner) {
      await this.runs.finishOwned(runId, owner);
      return false;
    }
    const { events, epoch } = await this.log.readAfter(record.userId, 0);
    const runEvents = events.map((e) => e.event).filter((e) => e.run_id === runId);
    const drafts = closingDrafts(runEvents, record, this.options.nowMs());
    // A store that cannot be written leaves the claim to expire: the run is ended on a later sweep.
    if (drafts.length > 0) await this.history?.(record, runEvents, drafts, epoch);
    // Before the closing events, as the runner does: an answer sent once the end shows gets already_resolved.
    await Promise.all(openPendingRefs(runEvents, runId).map((ref) => this.pending.settle(ref, { by: 'cancelled', value: null })));
    try {
      // One after the other: the stream must show them in this order.
      for (const draft of drafts) await this.log.append(record.userId, draft);
    } catch (error) {
      // Its own terminal event landed after all (a process cut off from Redis, not dead): nothing to add.
      if (!isAgentwireError(error, 'AW_ERR_RUN_ENDED')) throw error;
      await this.runs.finishOwned(runId, owner);
      return false;
    }
    await this.runs.finishOwned(runId, owner);
    // Its thread must not stay blocked behind it (docs/protocol.md, "Busy threads").
    await this.queues.leave(record.userId, record.threadId, runId);
    if (drafts.length > 0) this.options.logger.warn({ runId, user: record.userId, owner }, 'ended a run whose process stopped unexpectedly');
    return drafts.length > 0;
  }
}
