import { newSecret } from '../../ids.js';
import { MAX_PENDING_TICKETS_PER_USER } from '../types.js';
import type {
  MessageClaim,
  MessageLedger,
  RunDirectory,
  RunRecord,
  RedeemedTicket,
  SessionControl,
  StopReason,
  ThreadQueue,
  TicketStore,
} from '../types.js';

/** Accepted `client_msg_id`s, remembered as long as the event history is retained. */
export class MemoryMessageLedger implements MessageLedger {
  private readonly byUser = new Map<string, Map<string, { threadId: string; runId: string; atMs: number }>>();

  constructor(
    private readonly rememberMs: number,
    private readonly nowMs: () => number,
  ) {}

  claim(userId: string, clientMsgId: string, proposal: { threadId: string; runId: string }): Promise<MessageClaim> {
    let claims = this.byUser.get(userId);
    if (!claims) this.byUser.set(userId, (claims = new Map()));
    const now = this.nowMs();
    // Insertion order is age order, so expired claims are all at the front.
    for (const [id, claim] of claims) {
      if (claim.atMs >= now - this.rememberMs) break;
      claims.delete(id);
    }
    const existing = claims.get(clientMsgId);
    if (existing) return Promise.resolve({ fresh: false, threadId: existing.threadId, runId: existing.runId });
    claims.set(clientMsgId, { ...proposal, atMs: now });
    return Promise.resolve({ fresh: true, ...proposal });
  }

  release(userId: string, clientMsgId: string): Promise<void> {
    this.byUser.get(userId)?.delete(clientMsgId);
    return Promise.resolve();
  }

  releaseUser(userId: string): void {
    this.byUser.delete(userId);
  }
}

/** Finished run records kept per user by the memory engine (the newest; older ones are pruned). */
export const MAX_FINISHED_RUNS_PER_USER = 100;

/**
 * Run records of this process. Running ones are kept until they finish; finished ones only
 * answer `stop_agent` with `not_running` instead of `forbidden`, so they are bounded for a
 * user who stays active (issue 12): the newest MAX_FINISHED_RUNS_PER_USER per user, for at
 * most `finishedMaxAgeMs` (the retention age, like Redis's finished-run TTL).
 */
export class MemoryRunDirectory implements RunDirectory {
  private readonly runs = new Map<string, RunRecord & { finishedAt?: number }>();
  /** Each user's finished run ids, oldest first. */
  private readonly finishedByUser = new Map<string, string[]>();
  private readonly stopListeners = new Set<(runId: string, reason: StopReason) => void>();

  constructor(
    private readonly finishedMaxAgeMs = Number.POSITIVE_INFINITY,
    private readonly nowMs: () => number = Date.now,
    private readonly maxFinishedPerUser = MAX_FINISHED_RUNS_PER_USER,
  ) {}

  register(run: { runId: string; userId: string; threadId: string }): Promise<void> {
    this.runs.set(run.runId, { ...run, status: 'running' });
    return Promise.resolve();
  }

  finish(runId: string): Promise<void> {
    const run = this.runs.get(runId);
    if (run && run.status === 'running') {
      this.runs.set(runId, { ...run, status: 'finished', finishedAt: this.nowMs() });
      const finished = this.finishedByUser.get(run.userId) ?? [];
      finished.push(runId);
      this.finishedByUser.set(run.userId, finished);
      this.prune(run.userId, finished);
    }
    return Promise.resolve();
  }

  get(runId: string): Promise<RunRecord | undefined> {
    const run = this.runs.get(runId);
    if (run?.finishedAt !== undefined && this.nowMs() - run.finishedAt > this.finishedMaxAgeMs) {
      this.prune(run.userId, this.finishedByUser.get(run.userId) ?? []);
      return Promise.resolve(undefined);
    }
    if (!run) return Promise.resolve(undefined);
    const { finishedAt: _finishedAt, ...record } = run;
    return Promise.resolve(record);
  }

  /** Drops the user's oldest finished records beyond the count, and any past the age. */
  private prune(userId: string, finished: string[]): void {
    const now = this.nowMs();
    while (finished.length > 0) {
      const oldest = this.runs.get(finished[0]!);
      const tooMany = finished.length > this.maxFinishedPerUser;
      const tooOld = oldest?.finishedAt !== undefined && now - oldest.finishedAt > this.finishedMaxAgeMs;
      if (oldest && !tooMany && !tooOld) break;
      this.runs.delete(finished.shift()!);
    }
    if (finished.length === 0) this.finishedByUser.delete(userId);
  }

  requestStop(runId: string, reason: StopReason = 'user'): Promise<void> {
    for (const listener of this.stopListeners) listener(runId, reason);
    return Promise.resolve();
  }

  onStopRequested(listener: (runId: string, reason: StopReason) => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  releaseUser(userId: string): void {
    for (const id of this.finishedByUser.get(userId) ?? []) this.runs.delete(id);
    this.finishedByUser.delete(userId);
  }
}

/** One process's thread queues; a thread's entry is dropped when its queue empties. */
export class MemoryThreadQueue implements ThreadQueue {
  private readonly queues = new Map<string, string[]>();
  private readonly listeners = new Set<(threadId: string) => void>();

  enter(userId: string, threadId: string, runId: string, options: { onlyIfIdle?: boolean } = {}): Promise<readonly string[] | undefined> {
    const key = queueKey(userId, threadId);
    const queue = this.queues.get(key) ?? [];
    if (options.onlyIfIdle && queue.length > 0) return Promise.resolve(undefined);
    const ahead = [...queue];
    queue.push(runId);
    this.queues.set(key, queue);
    return Promise.resolve(ahead);
  }

  list(userId: string, threadId: string): Promise<readonly string[]> {
    return Promise.resolve([...(this.queues.get(queueKey(userId, threadId)) ?? [])]);
  }

  leave(userId: string, threadId: string, runId: string): Promise<void> {
    const key = queueKey(userId, threadId);
    const queue = this.queues.get(key);
    const index = queue?.indexOf(runId) ?? -1;
    if (queue && index >= 0) {
      queue.splice(index, 1);
      if (queue.length === 0) this.queues.delete(key);
    }
    for (const listener of this.listeners) listener(threadId);
    return Promise.resolve();
  }

  onAdvanced(listener: (threadId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const queueKey = (userId: string, threadId: string): string => `${userId}\n${threadId}`;

/** One process: a disconnect request reaches its own listeners only. */
export class MemorySessionControl implements SessionControl {
  private readonly listeners = new Set<(userId: string) => void>();

  requestDisconnect(userId: string): Promise<void> {
    for (const listener of this.listeners) listener(userId);
    return Promise.resolve();
  }

  onDisconnectRequested(listener: (userId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

export class MemoryTicketStore implements TicketStore {
  private readonly tickets = new Map<string, { userId: string; expiresAtMs: number; tokenExpiresAtMs: number | undefined }>();

  constructor(
    private readonly nowMs: () => number,
    private readonly maxPerUser = MAX_PENDING_TICKETS_PER_USER,
  ) {}

  issue(userId: string, ttlMs: number, tokenExpiresAtMs?: number): Promise<{ ticket: string; expiresAt: Date }> {
    const now = this.nowMs();
    const mine: Array<[string, number]> = [];
    for (const [id, t] of this.tickets) {
      if (t.expiresAtMs <= now) this.tickets.delete(id);
      else if (t.userId === userId) mine.push([id, t.expiresAtMs]);
    }
    // Keep room for the new one: drop the user's tickets that expire first.
    mine.sort((a, b) => a[1] - b[1]);
    for (const [id] of mine.slice(0, Math.max(0, mine.length - this.maxPerUser + 1))) this.tickets.delete(id);
    const ticket = newSecret(24);
    const expiresAtMs = Math.min(now + ttlMs, tokenExpiresAtMs ?? Infinity);
    this.tickets.set(ticket, { userId, expiresAtMs, tokenExpiresAtMs });
    return Promise.resolve({ ticket, expiresAt: new Date(expiresAtMs) });
  }

  redeem(ticket: string): Promise<RedeemedTicket | undefined> {
    const entry = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    if (!entry || entry.expiresAtMs <= this.nowMs()) return Promise.resolve(undefined);
    return Promise.resolve({ userId: entry.userId, expiresAtMs: entry.tokenExpiresAtMs });
  }
}

