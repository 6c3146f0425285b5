import type { Redis } from 'ioredis';
import type { Logger } from '../../logger.js';
import type { PendingAnswer, PendingRef, PendingRequests, SettleOutcome } from '../types.js';
import type { FanOut } from './fan-out.js';
import type { RedisKeys } from './keys.js';
import { SETTLE_PENDING_SCRIPT } from './scripts.js';

interface SettleScript extends Redis {
  awSettlePending(key: string, kind: string, answer: string): Promise<string | null>;
}

/**
 * Pending requests shared by every process: one key per (run, tool call), settled once by
 * a Lua script (SETTLE_PENDING_SCRIPT), so of two tabs on two processes answering at once
 * exactly one wins. The winner is announced on the fan-out's `settled` channel, which the
 * process whose run waits listens to. A lost pub/sub message only delays that run to its
 * timeout, where its own settle returns the answer that won (src/interaction/).
 */
export class RedisPendingRequests implements PendingRequests {
  private readonly redis: SettleScript;

  constructor(
    redis: Redis,
    private readonly keys: RedisKeys,
    private readonly fanOut: FanOut,
    private readonly logger: Logger,
  ) {
    redis.defineCommand('awSettlePending', { numberOfKeys: 1, lua: SETTLE_PENDING_SCRIPT });
    this.redis = redis as SettleScript;
  }

  async open(ref: PendingRef, keepMs: number): Promise<void> {
    await this.redis.set(this.keys.pending(ref.runId, ref.toolCallId), `open:${ref.kind}`, 'PX', Math.max(1, Math.round(keepMs)));
  }

  async settle(ref: PendingRef, answer: PendingAnswer): Promise<SettleOutcome> {
    const json = JSON.stringify(answer);
    const stored = await this.redis.awSettlePending(this.keys.pending(ref.runId, ref.toolCallId), ref.kind, json);
    if (stored === null) return { outcome: 'unknown' };
    if (stored !== 'won') return { outcome: 'already_resolved', answer: JSON.parse(stored.slice(`done:${ref.kind}:`.length)) as PendingAnswer };
    await this.fanOut.announceSettled(JSON.stringify({ ref, answer }));
    return { outcome: 'won' };
  }

  onSettled(listener: (ref: PendingRef, answer: PendingAnswer) => void): () => void {
    return this.fanOut.onSettled((payload) => {
      let message: { ref: PendingRef; answer: PendingAnswer };
      try {
        message = JSON.parse(payload) as { ref: PendingRef; answer: PendingAnswer };
      } catch (error) {
        this.logger.warn({ err: error }, 'unreadable settled message dropped');
        return;
      }
      listener(message.ref, message.answer);
    });
  }
}
