import type { Redis } from 'ioredis';
import { DEFAULTS } from '../../defaults.js';
import { AgentwireError } from '../../errors.js';
import { silentLogger, type Logger } from '../../logger.js';
import { DEFAULT_RETENTION, type Bus, type BusHealth, type OrphanHistory, type RetentionOptions, type SessionControl } from '../types.js';
import { FanOut } from './fan-out.js';
import { RedisKeys } from './keys.js';
import { closeClient, connectOrThrow, createRedisClient } from './redis-client.js';
import { RedisEventLog } from './redis-event-log.js';
import { OrphanReaper } from './orphan-reaper.js';
import { ProcessLiveness } from './process-liveness.js';
import { RedisMessageLedger, RedisRunDirectory, RedisThreadQueue, RedisTicketStore } from './redis-stores.js';
import { RedisPendingRequests } from './redis-pending.js';

export interface RedisBusOptions {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). */
  url: string;
  /** Put before every key and channel, so several deployments can share one Redis (default `agentwire:`). */
  prefix?: string;
  retention?: Partial<RetentionOptions>;
  logger?: Logger;
  /** How long an append waits for an unreachable Redis before the run fails (default 10 s). */
  appendTimeoutMs?: number;
  /** Clock in ms for `ts` and retention by age, injectable so retention can be tested without waiting. */
  nowMs?: () => number;
  /**
   * How long this process's liveness key outlives its last refresh (refreshed every third of
   * it); a process silent this long is taken for dead and its runs are ended (default 6 s).
   */
  livenessTtlMs?: number;
  /** How often this process looks for runs of dead processes to end (default 3 s). */
  reapIntervalMs?: number;
}

const DAY_MS = 24 * 3600_000;
/** Long enough for one reaper to append a few events, short enough that a reaper's own death delays little. */
const REAP_CLAIM_MS = 30_000;

/** The cluster engine: every gateway process pointed at one Redis shares users' streams, runs, tickets and idempotency ledger. */
export class RedisBus implements Bus {
  readonly engine = 'redis' as const;
  readonly log: RedisEventLog;
  readonly messages: RedisMessageLedger;
  readonly runs: RedisRunDirectory;
  readonly queues: RedisThreadQueue;
  readonly tickets: RedisTicketStore;
  /** Disconnect requests travel on the fan-out's disconnect channel to every process. */
  readonly sessions: SessionControl;
  readonly pending: RedisPendingRequests;
  readonly keys: RedisKeys;
  /** This process's id and liveness key; runs it registers are recorded as its own. */
  readonly liveness: ProcessLiveness;
  /** Ends the runs of processes that died; `sweep()` runs one pass now. */
  readonly reaper: OrphanReaper;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly commands: Redis,
    private readonly subscriber: Redis,
    private readonly fanOut: FanOut,
    keys: RedisKeys,
    options: Required<Pick<RedisBusOptions, 'appendTimeoutMs' | 'nowMs' | 'livenessTtlMs' | 'reapIntervalMs' | 'logger'>> & {
      retention: RetentionOptions;
    },
  ) {
    const { retention, nowMs, logger } = options;
    this.keys = keys;
    this.liveness = new ProcessLiveness(commands, keys, { ttlMs: options.livenessTtlMs }, logger);
    this.log = new RedisEventLog(commands, keys, fanOut, {
      retention,
      appendTimeoutMs: options.appendTimeoutMs,
      // The counter must outlive the events, or a live socket would see seqs restart unannounced.
      metaTtlMs: Math.max(2 * retention.maxAgeMs, DAY_MS),
      nowMs,
    });
    fanOut.attachLog(this.log);
    this.messages = new RedisMessageLedger(commands, keys, retention.maxAgeMs);
    this.runs = new RedisRunDirectory(
      commands,
      keys,
      fanOut,
      { runningMs: DAY_MS, finishedRunMs: Math.max(retention.maxAgeMs, 60_000) },
      this.liveness.processId,
    );
    this.queues = new RedisThreadQueue(commands, keys, fanOut, DAY_MS);
    this.pending = new RedisPendingRequests(commands, keys, fanOut, logger);
    this.reaper = new OrphanReaper(commands, keys, this.log, this.runs, this.queues, this.pending, {
      processId: this.liveness.processId,
      intervalMs: options.reapIntervalMs,
      claimMs: REAP_CLAIM_MS,
      reconnectGraceMs: options.livenessTtlMs,
      nowMs,
      logger,
    });
    this.tickets = new RedisTicketStore(commands, keys, nowMs);
    this.sessions = fanOut;
  }

  setOrphanHistory(history: OrphanHistory): void {
    this.reaper.history = history;
  }

  /** 'degraded' while either connection to Redis is down; both reconnect by themselves. */
  health(): BusHealth {
    return this.commands.status === 'ready' && this.subscriber.status === 'ready' ? 'ok' : 'degraded';
  }

  /** Nothing to free: a user's live channel is dropped when their last follower leaves. */
  releaseUser(_userId: string): void {}

  /** Deletes every key under this bus's prefix (test clean-up, decommissioning a deployment). */
  async purge(): Promise<number> {
    let cursor = '0';
    let deleted = 0;
    do {
      const [next, found] = await this.commands.scan(cursor, 'MATCH', this.keys.pattern(), 'COUNT', 500);
      cursor = next;
      if (found.length > 0) deleted += await this.commands.unlink(...found);
    } while (cursor !== '0');
    return deleted;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      this.reaper.stop();
      // Runs still recorded as this process's are orphans now: let another process end them at once.
      await this.liveness.release();
      this.fanOut.close();
      await Promise.all([closeClient(this.subscriber), closeClient(this.commands)]);
    })();
    return this.closing;
  }
}

/**
 * Connects to Redis and returns the engine once it is usable (both connections up, the
 * stop channel subscribed). Throws `AW_ERR_BUS_UNAVAILABLE` when Redis cannot be reached.
 */
export async function createRedisBus(options: RedisBusOptions): Promise<RedisBus> {
  if (!options || typeof options.url !== 'string' || options.url.trim() === '') {
    throw new AgentwireError('AW_ERR_CONFIG', 'createRedisBus needs a Redis url, e.g. redis://127.0.0.1:6379');
  }
  const prefix = options.prefix ?? DEFAULTS.redisPrefix.value;
  if (typeof prefix !== 'string') throw new AgentwireError('AW_ERR_CONFIG', 'prefix must be a string');
  const retention = { ...DEFAULT_RETENTION, ...options.retention };
  for (const [name, value] of Object.entries(retention)) {
    if (!Number.isInteger(value) || value <= 0) throw new AgentwireError('AW_ERR_CONFIG', `retention.${name} must be a positive whole number`);
  }
  const appendTimeoutMs = options.appendTimeoutMs ?? 10_000;
  const livenessTtlMs = options.livenessTtlMs ?? 6000;
  const reapIntervalMs = options.reapIntervalMs ?? 3000;
  for (const [name, value] of Object.entries({ appendTimeoutMs, livenessTtlMs, reapIntervalMs })) {
    if (!Number.isFinite(value) || value <= 0) throw new AgentwireError('AW_ERR_CONFIG', `${name} must be a positive number`);
  }
  const logger = options.logger ?? silentLogger;
  const url = options.url.trim();
  const keys = new RedisKeys(prefix);
  const commands = createRedisClient(url, 'commands', logger);
  const subscriber = createRedisClient(url, 'subscriber', logger);
  try {
    await Promise.all([connectOrThrow(commands, url), connectOrThrow(subscriber, url)]);
    const fanOut = new FanOut(subscriber, commands, keys, logger);
    const nowMs = options.nowMs ?? Date.now;
    const bus = new RedisBus(commands, subscriber, fanOut, keys, { retention, appendTimeoutMs, nowMs, livenessTtlMs, reapIntervalMs, logger });
    await fanOut.start();
    await bus.liveness.start();
    bus.reaper.start();
    return bus;
  } catch (error) {
    commands.disconnect();
    subscriber.disconnect();
    throw error;
  }
}
