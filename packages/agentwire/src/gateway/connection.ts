import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { AppendedEvent, EventLog } from '../bus/types.js';
import { newId } from '../ids.js';
import type { Logger } from '../logger.js';
import { CloseCode } from '../protocol/close-codes.js';
import type { RateLimiter } from './rate-limiter.js';
import { textFrame } from './text-frame.js';
import type { ExpiringSocket, TokenExpiries } from './token-expiry.js';
import { rawStreamOf, senderIdle } from './ws-internals.js';
import type { GatewayStats } from './stats.js';
import type { UserScope } from './user-scope.js';
import type { BurstWriter, WriteBursts } from './write-bursts.js';

export interface ConnectionDeps {
  readonly log: EventLog;
  readonly stats: GatewayStats;
  readonly logger: Logger;
  readonly maxBufferedBytes: number;
  /** The gateway's sockets written to this tick (see `transmit`). */
  readonly bursts: WriteBursts;
  /** The gateway's 4001 closes at token `exp`, one timer for all sockets (token-expiry.ts). */
  readonly expiries: TokenExpiries;
  /** A full frame-rate bucket (`limits.ratePerSecond`...) starting at `now`. */
  rateLimiter(now: number): RateLimiter;
}

/**
 * One socket of one user, and the guarantee that it sees that user's stream gap-free:
 * `cursor` is the last seq written. Events that arrive while the socket is joining or
 * repairing a gap are queued, never written out of order; a gap is repaired from the
 * event log before anything after it is written.
 */
export class Connection implements ExpiringSocket, BurstWriter {
  readonly id = newId('conn');
  readonly openedAt = Date.now();
  /** Heartbeat pings sent without a pong since. */
  missedPongs = 0;
  private cursor = 0;
  /** Non-null while joining or catching up: events held back until they can go in order. */
  private queued: AppendedEvent[] | null = [];
  private closing = false;
  /** The socket's byte stream when frames may be written to it directly (see `rawStreamOf`). */
  private readonly stream: Duplex | undefined;
  /** This tick's writes (see `transmit`): 0 none, 1 one frame went straight out, 2 the rest are corked. */
  private burst = 0;
  /** The `exp` of the token that opened (or last refreshed) this connection, and its place in `deps.expiries`. */
  tokenExpiresAtMs = 0;
  expiryIndex = -1;
  /** Callers of `delivered()` waiting for the cursor to reach their seq; made on first use, as most connections never have one. */
  private deliveryWaiters: Set<{ seq: number; done: () => void }> | undefined;
  /**
   * Made on the first inbound frame, as most sockets only listen: a bucket made then is as
   * full as one made at open would be by then (issue 19, "Idle memory").
   */
  private limiter: RateLimiter | undefined;

  constructor(
    readonly socket: WebSocket,
    /** The user's scope this socket is attached to (admission.ts). */
    readonly scope: UserScope,
    private readonly deps: ConnectionDeps,
  ) {
    this.stream = rawStreamOf(socket);
  }

  /** Whose socket this is: its scope's user, not a second copy per socket. */
  get userId(): string {
    return this.scope.userId;
  }

  /** This socket's inbound frame rate (inbound-handler.ts). */
  get rate(): RateLimiter {
    return (this.limiter ??= this.deps.rateLimiter(Date.now()));
  }

  get isOpen(): boolean {
    return !this.closing && this.socket.readyState === this.socket.OPEN;
  }

  /** Ends the join: `replay` (resume) is written first, then whatever arrived meanwhile. */
  goLive(cursor: number, replay: readonly AppendedEvent[] = []): void {
    this.cursor = cursor;
    void this.flushBacklog(replay);
  }

  /**
   * The fan-out entry point: called for every event of the user's stream. `wire` is the
   * event's WebSocket frame when the caller already built it (once for all of a user's sockets).
   */
  deliver(appended: AppendedEvent, wire?: Buffer): void {
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
    const seq = appended.seq;
    if (seq <= this.cursor) return;
    if (seq === this.cursor + 1) {
      this.write(appended, wire);
      return;
    }
    this.queued = [appended];
    void this.flushBacklog([]);
  }

  /**
   * Resolves once every event up to `seq` has been written to the socket, or the socket
   * closed, or `timeoutMs` passed: shutdown flushes with it before closing with 1001.
   */
  delivered(seq: number, timeoutMs: number): Promise<void> {
    if (this.cursor >= seq || !this.isOpen) return Promise.resolve();
    return new Promise((resolve) => {
      const waiter = {
        seq,
        done: () => {
          clearTimeout(timer);
          this.deliveryWaiters?.delete(waiter);
          resolve();
        },
      };
      const timer = setTimeout(waiter.done, timeoutMs);
      (this.deliveryWaiters ??= new Set()).add(waiter);
    });
  }

  /** The tick that wrote ends (`WriteBursts`): the frames corked in it leave together. */
  endBurst(): void {
    if (this.burst === 2) this.stream?.uncork();
    this.burst = 0;
  }

  /** (Re-)arms the 4001 close at the token's `exp`; a refresh moves it, the old timer is dropped. */
  expireAt(expiresAtMs: number): void {
    this.deps.expiries.arm(this, expiresAtMs);
  }

  stopExpiry(): void {
    this.deps.expiries.cancel(this);
  }

  /**
   * Sends a connection reply (never retained, no seq). Replies count against the same byte
   * budget as stream events: a client that never reads must not make the server buffer
   * pongs and errors without bound (issue 12, "Outbound budget for everything").
   */
  reply(frame: string): void {
    if (!this.isOpen) return;
    this.socket.send(frame);
    this.enforceBudget();
  }

  close(code: number, reason: string): void {
    if (this.closing) return;
    this.closing = true;
    this.deps.expiries.cancel(this);
    this.queued = null;
    // What was written this tick goes out now, ahead of the close frame.
    if (this.burst === 2) {
      this.burst = 1;
      this.stream?.uncork();
    }
    if (this.deliveryWaiters) for (const waiter of [...this.deliveryWaiters]) waiter.done();
    if (this.socket.readyState === this.socket.OPEN || this.socket.readyState === this.socket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  /**
   * Writes a backlog (resume replay, gap repair, events queued meanwhile) in seq order, at
   * the pace the client reads: past the buffer limit it waits for the socket to flush
   * instead of closing it, because the backlog is retained anyway and a client closed for
   * it would only resume into the same backlog. Live events queue until it is written.
   */
  private async flushBacklog(backlog: readonly AppendedEvent[]): Promise<void> {
    try {
      await this.writePaced(backlog);
      while (!this.closing && this.queued && this.queued.length > 0) {
        const queued = this.queued;
        this.queued = [];
        await this.writePaced(queued);
      }
      if (!this.closing) this.queued = null;
    } catch (error) {
      this.deps.logger.warn({ connection: this.id, err: error }, 'backlog delivery failed');
      this.close(CloseCode.tryAgainLater, 'event log unavailable');
    }
  }

  private async writePaced(events: readonly AppendedEvent[]): Promise<void> {
    for (const appended of events) {
      if (this.closing) return;
      if (appended.seq > this.cursor + 1) await this.repairGap();
      if (this.closing || appended.seq !== this.cursor + 1) continue;
      const flushing = this.writeBacklogEvent(appended);
      if (flushing) await flushing;
    }
  }

  /** Fills the gap after the cursor from the retained history. */
  private async repairGap(): Promise<void> {
    const read = await this.deps.log.readAfter(this.userId, this.cursor);
    if (this.closing) return;
    if (read.oldestSeq > this.cursor + 1) {
      // The missing events are no longer retained: the client must resume to learn so.
      this.close(CloseCode.tryAgainLater, 'fell behind the retained history');
      return;
    }
    for (const appended of read.events) {
      if (this.closing) return;
      if (appended.seq !== this.cursor + 1) continue;
      const flushing = this.writeBacklogEvent(appended);
      if (flushing) await flushing;
    }
  }

  /** Writes one backlog event; past the buffer limit, returns a promise of its flush. */
  private writeBacklogEvent(appended: AppendedEvent): Promise<void> | undefined {
    this.cursor = appended.seq;
    if (!this.isOpen) {
      this.deps.stats.deliveryFailures++;
      return undefined;
    }
    const over = this.socket.bufferedAmount > this.deps.maxBufferedBytes;
    const flushed = over ? new Promise<void>((resolve) => this.socket.send(appended.frame, () => resolve())) : undefined;
    if (!over) this.transmit(appended.frame, undefined);
    this.deps.stats.eventsDelivered++;
    if (this.deliveryWaiters) this.settleWaiters();
    return flushed;
  }

  private write(appended: AppendedEvent, wire?: Buffer): void {
    this.cursor = appended.seq;
    if (!this.isOpen) {
      this.deps.stats.deliveryFailures++;
      return;
    }
    this.transmit(appended.frame, wire);
    this.deps.stats.eventsDelivered++;
    if (this.deliveryWaiters) this.settleWaiters();
    this.enforceBudget();
  }

  /** Past the per-connection byte budget the socket is a slow consumer: closed 1013, its buffer dropped. */
  private enforceBudget(): void {
    if (this.socket.bufferedAmount <= this.deps.maxBufferedBytes) return;
    this.deps.stats.slowConsumersClosed++;
    this.close(CloseCode.tryAgainLater, 'slow consumer: outbound buffer full');
    // A client that never reads never completes the close handshake; do not keep its buffer.
    setTimeout(() => this.socket.terminate(), 2000).unref();
  }

  private settleWaiters(): void {
    for (const waiter of this.deliveryWaiters!) if (waiter.seq <= this.cursor) waiter.done();
  }

  /**
   * Writes one event. The hot path writes the prebuilt frame to the socket's stream: the
   * first frame of a tick goes straight out (latency), and if more follow for this socket
   * before the emitting code returns, they are corked and leave together in one system
   * call on the next tick (throughput). Corking every frame instead held each event back
   * until the whole burst for all sockets was written, which cost ~0.4 ms at p50.
   * Anything ws itself may have queued keeps its place: then the frame goes through
   * `ws.send` instead.
   */
  private transmit(text: string, wire: Buffer | undefined): void {
    const stream = this.stream;
    if (stream === undefined || !senderIdle(this.socket)) {
      this.socket.send(text);
      return;
    }
    if (this.burst === 0) {
      this.burst = 1;
      this.deps.bursts.join(this);
    } else if (this.burst === 1) {
      this.burst = 2;
      stream.cork();
    }
    stream.write(wire ?? textFrame(text));
  }
}
