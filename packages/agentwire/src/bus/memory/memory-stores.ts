import { newSecret } from '../../ids.js';
import { MAX_PENDING_TICKETS_PER_USER } from '../types.js';
import type {
  MessageClaim,
  MessageLedger,
  RunDirectory,
  RunRecord,
  RedeemedTicket,
  SessionControl,
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

export class MemoryRunDirectory implements RunDirectory {
  private readonly runs = new Map<string, RunRecord>();
  private readonly stopListeners = new Set<(runId: string) => void>();

  register(run: { runId: string; userId: string; threadId: string }): Promise<void> {
    this.runs.set(run.runId, { ...run, status: 'running' });
    return Promise.resolve();
  }

  finish(runId: string): Promise<void> {
    const run = this.runs.get(runId);
    if (run) this.runs.set(runId, { ...run, status: 'finished' });
    return Promise.resolve();
  }

  get(runId: string): Promise<RunRecord | undefined> {
    return Promise.resolve(this.runs.get(runId));
  }

  requestStop(runId: string): Promise<void> {
    for (const listener of this.stopListeners) listener(runId);
    return Promise.resolve();
  }

  onStopRequested(listener: (runId: string) => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  releaseUser(userId: string): void {
    for (const [id, run] of this.runs) if (run.userId === userId && run.status === 'finished') this.runs.delete(id);
  }
}

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

