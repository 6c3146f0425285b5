import type { PendingAnswer, PendingRef, PendingRequests, SettleOutcome } from '../types.js';

interface Entry {
  readonly kind: PendingRef['kind'];
  answer: PendingAnswer | undefined;
  readonly forgetAtMs: number;
}

/**
 * One process's pending requests: JavaScript runs one settle at a time, so the first one
 * wins without a lock. Entries are forgotten `keepMs` after they were opened.
 */
export class MemoryPendingRequests implements PendingRequests {
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<(ref: PendingRef, answer: PendingAnswer) => void>();

  constructor(private readonly nowMs: () => number) {}

  open(ref: PendingRef, keepMs: number): Promise<void> {
    const now = this.nowMs();
    // Insertion order is close to expiry order: stop at the first entry still kept.
    for (const [key, entry] of this.entries) {
      if (entry.forgetAtMs > now) break;
      this.entries.delete(key);
    }
    this.entries.set(keyOf(ref), { kind: ref.kind, answer: undefined, forgetAtMs: now + keepMs });
    return Promise.resolve();
  }

  settle(ref: PendingRef, answer: PendingAnswer): Promise<SettleOutcome> {
    const entry = this.entries.get(keyOf(ref));
    if (!entry || entry.kind !== ref.kind || entry.forgetAtMs <= this.nowMs()) return Promise.resolve({ outcome: 'unknown' });
    if (entry.answer) return Promise.resolve({ outcome: 'already_resolved', answer: entry.answer });
    entry.answer = answer;
    for (const listener of this.listeners) listener(ref, answer);
    return Promise.resolve({ outcome: 'won' });
  }

  onSettled(listener: (ref: PendingRef, answer: PendingAnswer) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

const keyOf = (ref: PendingRef): string => `${ref.runId}\n${ref.toolCallId}`;
