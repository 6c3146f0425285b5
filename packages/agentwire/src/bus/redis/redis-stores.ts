import type { Redis } from 'ioredis';
import { newSecret } from '../../ids.js';
import { MAX_PENDING_TICKETS_PER_USER } from '../types.js';
import type {
  MessageClaim,
  MessageLedger,
  RunDirectory,
  RunRecord,
  RedeemedTicket,
  StopReason,
  ThreadQueue,
  TicketStore,
} from '../types.js';
import type { FanOut } from './fan-out.js';
import type { RedisKeys } from './keys.js';
import { ENTER_QUEUE_SCRIPT, FINISH_RUN_SCRIPT } from './scripts.js';

/** How long shared records live in Redis after their last write. */
export interface RecordLifetimes {
  /** Accepted `client_msg_id`s: as long as the event history is retained. */
  readonly messageMs: number;
  readonly threadMs: number;
  /** A run record while it runs (outlives any run timeout) and once finished. */
  readonly runningMs: number;
  readonly finishedRunMs: number;
}

/** `client_msg_id` claims: SET NX, so two processes racing on a resend agree on one run. */
export class RedisMessageLedger implements MessageLedger {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly rememberMs: number,
  ) {}

  async claim(userId: string, clientMsgId: string, proposal: { threadId: string; runId: string }): Promise<MessageClaim> {
    const value = JSON.stringify({ threadId: proposal.threadId, runId: proposal.runId });
    // NX with GET: one round trip that either claims, or returns the earlier claim untouched.
    const earlier = (await this.redis.call('SET', this.keys.message(userId, clientMsgId), value, 'PX', this.rememberMs, 'NX', 'GET')) as string | null;
    if (earlier === null) return { fresh: true, ...proposal };
    const ids = JSON.parse(earlier) as { threadId: string; runId: string };
    return { fresh: false, threadId: ids.threadId, runId: ids.runId };
  }

  async release(userId: string, clientMsgId: string): Promise<void> {
    await this.redis.del(this.keys.message(userId, clientMsgId));
  }
}

interface FinishScript extends Redis {
  awFinishRun(key: string, ttlMs: number): Promise<number>;
}

/** Run records in Redis; stop requests travel on the fan-out's stop channel to every process. */
export class RedisRunDirectory implements RunDirectory {
  private readonly redis: FinishScript;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly fanOut: FanOut,
    private readonly lifetimes: Pick<RecordLifetimes, 'runningMs' | 'finishedRunMs'>,
    /** Id of this process (its liveness key), recorded as the owner of the runs it registers. */
    private readonly owner: string,
  ) {
    redis.defineCommand('awFinishRun', { numberOfKeys: 1, lua: FINISH_RUN_SCRIPT });
    this.redis = redis as FinishScript;
  }

  async register(run: { runId: string; userId: string; threadId: string }): Promise<void> {
    const key = this.keys.run(run.runId);
    const owned = this.keys.runsOf(this.owner);
    await this.redis
      .multi()
      .hset(key, { userId: run.userId, threadId: run.threadId, status: 'running', owner: this.owner })
      .pexpire(key, this.lifetimes.runningMs)
      // The owner's set is what another process reads to end these runs if this one dies.
      .sadd(owned, run.runId)
      .pexpire(owned, this.lifetimes.runningMs)
      .exec()
      .then(execResult);
  }

  async finish(runId: string): Promise<void> {
    await this.finishOwned(runId, this.owner);
  }

  /** Marks a run finished and drops it from its owner's running set (the owner may be another, dead, process). */
  async finishOwned(runId: string, owner: string): Promise<void> {
    await this.redis.awFinishRun(this.keys.run(runId), this.lifetimes.finishedRunMs);
    await this.redis.srem(this.keys.runsOf(owner), runId);
  }

  /** The run's record with the id of the process that executes it (undefined when the record is gone). */
  async ownedRecord(runId: string): Promise<(RunRecord & { owner: string | undefined }) | undefined> {
    const row = await this.redis.hgetall(this.keys.run(runId));
    const record = toRun(runId, row);
    return record && { ...record, owner: row['owner'] };
  }

  async get(runId: string): Promise<RunRecord | undefined> {
    return toRun(runId, await this.redis.hgetall(this.keys.run(runId)));
  }

  requestStop(runId: string, reason?: StopReason): Promise<void> {
    return this.fanOut.requestStop(runId, reason);
  }

  onStopRequested(listener: (runId: string, reason: StopReason) => void): () => void {
    return this.fanOut.onStopRequested(listener);
  }
}

interface EnterScript extends Redis {
  awEnterQueue(key: string, runId: string, onlyIfIdle: string, ttlMs: number): Promise<string[] | null>;
}

/** Thread queues as Redis lists in the user's hash slot; advances travel on the fan-out's channel. */
export class RedisThreadQueue implements ThreadQueue {
  private readonly redis: EnterScript;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly fanOut: FanOut,
    /** Outlives any run (like a running run's record): a queue nobody touches for this long is dropped. */
    private readonly ttlMs: number,
  ) {
    redis.defineCommand('awEnterQueue', { numberOfKeys: 1, lua: ENTER_QUEUE_SCRIPT });
    this.redis = redis as EnterScript;
  }

  async enter(userId: string, threadId: string, runId: string, options: { onlyIfIdle?: boolean } = {}): Promise<readonly string[] | undefined> {
    const ahead = await this.redis.awEnterQueue(this.keys.threadQueue(userId, threadId), runId, options.onlyIfIdle ? '1' : '0', this.ttlMs);
    return ahead ?? undefined;
  }

  list(userId: string, threadId: string): Promise<readonly string[]> {
    return this.redis.lrange(this.keys.threadQueue(userId, threadId), 0, -1);
  }

  async leave(userId: string, threadId: string, runId: string): Promise<void> {
    await this.redis.lrem(this.keys.threadQueue(userId, threadId), 0, runId);
    await this.fanOut.announceAdvance(threadId);
  }

  onAdvanced(listener: (threadId: string) => void): () => void {
    return this.fanOut.onAdvanced(listener);
  }
}

/**
 * Single-use tickets: GETDEL makes a redeem atomic, so of two racing processes only one wins.
 * Each user's pending tickets are indexed in one sorted set (scored by expiry) that bounds
 * how many the user holds; every command touches one key, so this works on a cluster too.
 */
export class RedisTicketStore implements TicketStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: RedisKeys,
    private readonly nowMs: () => number,
    private readonly maxPerUser = MAX_PENDING_TICKETS_PER_USER,
  ) {}

  async issue(userId: string, ttlMs: number, tokenExpiresAtMs?: number): Promise<{ ticket: string; expiresAt: Date }> {
    const now = this.nowMs();
    const expiresAtMs = Math.min(now + Math.max(1, Math.round(ttlMs)), tokenExpiresAtMs ?? Infinity);
    const ms = Math.max(1, expiresAtMs - now);
    const ticket = newSecret(24);
    const value: StoredTicket = { u: userId, e: tokenExpiresAtMs ?? null };
    await this.redis.set(this.keys.ticket(ticket), JSON.stringify(value), 'PX', ms);
    const index = this.keys.ticketsOf(userId);
    const keep = this.maxPerUser;
    const result = await this.redis
      .multi()
      .zremrangebyscore(index, '-inf', now)
      .zadd(index, expiresAtMs, ticket)
      // The index outlives the ticket just issued (a ticket's life never exceeds ttlMs); an
      // index that expired early only undercounts. Rank 0..-(keep+1): all but the last `keep`.
      .pexpire(index, Math.max(1, Math.round(ttlMs)))
      .zrange(index, 0, -(keep + 1))
      .zremrangebyrank(index, 0, -(keep + 1))
      .exec()
      .then(execResult);
    const dropped = result[3] as string[];
    // One DEL per key: the ticket keys of one user may sit on different cluster slots.
    await Promise.all(dropped.map((id) => this.redis.del(this.keys.ticket(id))));
    return { ticket, expiresAt: new Date(expiresAtMs) };
  }

  async redeem(ticket: string): Promise<RedeemedTicket | undefined> {
    const raw = await this.redis.getdel(this.keys.ticket(ticket));
    const stored = raw === null ? undefined : parseStoredTicket(raw);
    if (!stored) return undefined;
    await this.redis.zrem(this.keys.ticketsOf(stored.u), ticket);
    return { userId: stored.u, expiresAtMs: stored.e ?? undefined };
  }
}

interface StoredTicket {
  u: string;
  e: number | null;
}

/** A ticket value written before tickets carried their token's expiry is refused: failing closed costs one retry. */
function parseStoredTicket(raw: string): StoredTicket | undefined {
  try {
    const value = JSON.parse(raw) as Partial<StoredTicket> | null;
    if (typeof value?.u !== 'string' || (value.e !== null && typeof value.e !== 'number')) return undefined;
    return { u: value.u, e: value.e };
  } catch {
    return undefined;
  }
}

function toRun(runId: string, row: Record<string, string>): RunRecord | undefined {
  if (!row['userId'] || !row['threadId']) return undefined;
  return { runId, userId: row['userId'], threadId: row['threadId'], status: row['status'] === 'running' ? 'running' : 'finished' };
}

/** A MULTI or pipeline result, failing on the first command that failed. */
function execResult(results: Array<[Error | null, unknown]> | null): unknown[] {
  if (results === null) throw new Error('redis transaction aborted');
  return results.map(([error, value]) => {
    if (error) throw error;
    return value;
  });
}
