import type { WebSocket } from 'ws';
import type { AppendedEvent, EventLog } from '../bus/types.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { RateLimiter } from './rate-limiter.js';
import type { GatewayStats } from './stats.js';

export interface ConnectionDeps {
  readonly log: EventLog;
  readonly stats: GatewayStats;
  readonly logger: Logger;
  readonly maxBufferedBytes: number;
}

/**
 * One socket of one user, and the guarantee that it sees that user's stream gap-free:
 * `cursor` is the last seq written. Events that arrive while the socket is joining or
 * repairing a gap are queued, never written out of order; a gap is repaired from the
 * event log before anything after it is written.
 */
export class Connection {
  readonly id = newId('conn');
  readonly openedAt = Date.now();
  /** Heartbeat pings sent without a pong since. */
  missedPongs = 0;
  private cursor = 0;
  /** Non-null while joining or catching up: events held back until they can go in order. */
  private queued: AppendedEvent[] | null = [];
  private closing = false;

  constructor(
    readonly socket: WebSocket,
    readonly userId: string,
    readonly rate: RateLimiter,
    private readonly deps: ConnectionDeps,
  ) {}

  get isOpen(): boolean {
    return !this.closing && this.socket.readyState === this.socket.OPEN;
  }

  get lastSeq(): number {
    return this.cursor;
  }

  /** Ends the join: `replay` (resume) is written first, then whatever arrived meanwhile. */
  goLive(cursor: number, replay: readonly AppendedEvent[] = []): void {
    this.cursor = cursor;
    for (const appended of replay) {
      if (appended.event.seq === this.cursor + 1) this.write(appended);
    }
    this.drainQueue();
  }

  /** The fan-out entry point: called for every event of the user's stream. */
  deliver(appended: AppendedEvent): void {
    if (appended.userId !== this.userId) {
      // Unreachable by construction; counted so that a regression shows on /health.
      this.deps.stats.isolationViolations++;
      this.deps.logger.error({ connection: this.id, user: this.userId }, 'isolation guard dropped a foreign event');
      return;
    }
    if (this.queued) {
      this.queued.push(appended);
      return;
    }
    const seq = appended.event.seq;
    if (seq <= this.cursor) return;
    if (seq === this.cursor + 1) {
      this.write(appended);
      return;
    }
    this.queued = [appended];
    void this.catchUp();
  }

  /** Sends a connection reply (never retained, no seq). */
  reply(frame: string): void {
    if (this.isOpen) this.socket.send(frame);
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.queued = null;
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  private drainQueue(): void {
    const queued = this.queued;
    this.queued = null;
    if (!queued) return;
    for (let i = 0; i < queued.length; i++) {
      const seq = queued[i]!.event.seq;
      if (seq <= this.cursor) continue;
      if (seq !== this.cursor + 1) {
        this.queued = queued.slice(i);
        void this.catchUp();
        return;
      }
      this.write(queued[i]!);
    }
  }

  /** Fills a gap from the retained history, then writes what was queued behind it. */
  private async catchUp(): Promise<void> {
    try {
      const read = await this.deps.log.readAfter(this.userId, this.cursor);
      if (this.closing) return;
      if (read.oldestSeq > this.cursor + 1) {
        // The missing events are no longer retained: the client must resume to learn so.
        this.close(CloseCode.tryAgainLater, 'fell behind the retained history');
        return;
      }
      for (const appended of read.events) {
        if (appended.event.seq === this.cursor + 1) this.write(appended);
      }
      this.drainQueue();
    } catch (error) {
      this.deps.logger.warn({ connection: this.id, err: error }, 'gap repair failed');
      this.close(CloseCode.tryAgainLater, 'event log unavailable');
    }
  }

  private write(appended: AppendedEvent): void {
    this.cursor = appended.event.seq;
    if (!this.isOpen) {
      this.deps.stats.deliveryFailures++;
      return;
    }
    this.socket.send(appended.frame);
    this.deps.stats.eventsDelivered++;
    if (this.socket.bufferedAmount > this.deps.maxBufferedBytes) {
      this.deps.stats.slowConsumersClosed++;
      this.close(CloseCode.tryAgainLater, 'slow consumer: outbound buffer full');
      // A client that never reads never completes the close handshake; do not keep its buffer.
      setTimeout(() => this.socket.terminate(), 2000).unref();
    }
  }
}
