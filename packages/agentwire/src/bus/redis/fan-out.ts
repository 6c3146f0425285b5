import type { Redis } from 'ioredis';
import { newSecret } from '../../ids.js';
import { ReceivedEvent } from '../received-event.js';
import type { Logger } from '../../logger.js';
import type { AppendedEvent, EventLog, StopReason, StreamListener, StreamResetListener, Subscription } from '../types.js';
import type { RedisKeys } from './keys.js';
import { whenReady } from './redis-client.js';

interface Follower {
  readonly listener: StreamListener;
  readonly onReset: StreamResetListener | undefined;
  /** Set once told of a reset: a follower with a reset handler gets nothing after it. */
  reset: boolean;
}

interface Channel {
  readonly userId: string;
  readonly name: string;
  readonly followers: Set<Follower>;
  /** Resolves once SUBSCRIBE is confirmed and the stream's life is known. */
  confirmed: Promise<void>;
  epoch: string | undefined;
  /** Newest seq seen on this channel, where repair after a reconnect starts. */
  lastSeq: number;
  /** Appends of this process waiting for their event to be handed to the local followers. */
  readonly waiters: Set<Waiter>;
}

interface Waiter {
  readonly seq: number;
  /** Date.now() after which the append stops waiting. */
  readonly deadline: number;
  readonly done: () => void;
}

/** How long an append waits for its own event to come back on pub/sub before it stops waiting (up to one sweep more). */
const HAND_OUT_WAIT_MS = 2000;
const HAND_OUT_SWEEP_MS = 250;

/**
 * Live fan-out over Redis pub/sub: one subscriber connection per process, one channel per
 * user subscribed while this process has someone following that user (a socket of theirs),
 * plus one channel for stop requests. One message carries a user's events of one append
 * batch. Redis sends each event only to the processes that
 * follow its user. Pub/sub may drop messages (a reconnect); after one, every followed
 * stream is re-read from the event log, and a stream that lost its history (new epoch)
 * is reported to its followers instead of being passed on as if nothing happened.
 */
export class FanOut {
  private readonly channels = new Map<string, Channel>();
  /** The same channels by pub/sub name, so a message finds its channel without decoding the name. */
  private readonly byName = new Map<string, Channel>();
  private readonly stopListeners = new Set<(runId: string, reason: StopReason) => void>();
  private readonly advanceListeners = new Set<(threadId: string) => void>();
  private readonly disconnectListeners = new Set<(userId: string) => void>();
  private readonly settledListeners = new Set<(payload: string) => void>();
  /** Tags this process's stop requests, which it has already handled locally. */
  private readonly origin = newSecret(9);
  private started = false;
  private closed = false;
  /** Channels with appends waiting in handedOut, and the one timer that ends overlong waits. */
  private readonly waiting = new Set<Channel>();
  private sweeper: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly subscriber: Redis,
    private readonly publisher: Redis,
    private readonly keys: RedisKeys,
    private readonly logger: Logger,
  ) {
    subscriber.on('message', (name: string, payload: string) => this.onMessage(name, payload));
    subscriber.on('ready', () => {
      if (this.started && !this.closed) void this.resubscribe();
    });
  }

  /** The event log used for repair (the log delivers through this fan-out, so it comes second). */
  private log: EventLog | undefined;

  attachLog(log: EventLog): void {
    this.log = log;
  }

  async start(): Promise<void> {
    await this.subscriber.subscribe(this.keys.stops(), this.keys.disconnects(), this.keys.queueAdvances(), this.keys.settled());
    this.started = true;
  }

  follow(userId: string, listener: StreamListener, onReset?: StreamResetListener): Subscription {
    let channel = this.channels.get(userId);
    if (!channel) {
      const fresh: Channel = {
        userId,
        name: this.keys.live(userId),
        followers: new Set(),
        confirmed: Promise.resolve(),
        epoch: undefined,
        lastSeq: 0,
        waiters: new Set(),
      };
      fresh.confirmed = this.confirm(fresh);
      // A channel that could not be subscribed is forgotten, so the next follower tries again.
      fresh.confirmed.catch(() => {
        if (this.channels.get(userId) === fresh) this.forget(fresh);
      });
      this.channels.set(userId, fresh);
      this.byName.set(fresh.name, fresh);
      channel = fresh;
    }
    const follower: Follower = { listener, onReset, reset: false };
    channel.followers.add(follower);
    const joined = channel;
    return {
      ready: joined.confirmed,
      close: () => {
        joined.followers.delete(follower);
        if (joined.followers.size > 0 || this.channels.get(userId) !== joined) return;
        this.forget(joined);
        release(joined);
        if (this.subscriber.status === 'ready') {
          this.subscriber.unsubscribe(joined.name).catch((err: unknown) => this.logger.debug({ err, userId }, 'unsubscribe failed'));
        }
      },
    };
  }

  /**
   * Resolves once the event `seq` of this stream life has been handed to this process's
   * followers of the user, so that an append, like the
   * memory engine's, returns only after local sockets got the frame: a caller that appends
   * a terminal event and then closes the sockets does not close them ahead of it.
   * `undefined` when there is nothing to wait for: no promise per append batch then.
   */
  handedOut(userId: string, epoch: string, seq: number): Promise<void> | undefined {
    const channel = this.channels.get(userId);
    if (!channel || channel.followers.size === 0 || channel.epoch !== epoch || channel.lastSeq >= seq) return undefined;
    return new Promise((resolve) => {
      const waiter: Waiter = {
        seq,
        deadline: Date.now() + HAND_OUT_WAIT_MS,
        done: () => {
          channel.waiters.delete(waiter);
          resolve();
        },
      };
      channel.waiters.add(waiter);
      this.waiting.add(channel);
      // One sweep for every waiter rather than a timer per append.
      this.sweeper ??= setInterval(() => this.sweep(), HAND_OUT_SWEEP_MS).unref();
    });
  }

  /** Lets go the appends that waited too long: a dropped message must not hold the run (the followers' gap repair covers it). */
  private sweep(): void {
    const now = Date.now();
    for (const channel of this.waiting) {
      for (const waiter of channel.waiters) if (waiter.deadline <= now) waiter.done();
      if (channel.waiters.size === 0) this.waiting.delete(channel);
    }
    if (this.waiting.size === 0 && this.sweeper) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  onAdvanced(listener: (threadId: string) => void): () => void {
    this.advanceListeners.add(listener);
    return () => this.advanceListeners.delete(listener);
  }

  /** Tells every process, this one included, that a thread's queue may have advanced. */
  async announceAdvance(threadId: string): Promise<void> {
    this.notify(this.advanceListeners, threadId, 'queue listener threw');
    await this.publisher.publish(this.keys.queueAdvances(), `${this.origin} ${threadId}`);
  }

  onStopRequested(listener: (runId: string, reason: StopReason) => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }

  onDisconnectRequested(listener: (userId: string) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  /** Closes the user's sockets here, and tells every other process to close theirs. */
  async requestDisconnect(userId: string): Promise<void> {
    this.notify(this.disconnectListeners, userId, 'disconnect listener threw');
    await this.publisher.publish(this.keys.disconnects(), `${this.origin} ${userId}`);
  }

  /** Stops the run here if it runs here, and tells every other process. */
  async requestStop(runId: string, reason: StopReason = 'user'): Promise<void> {
    this.notifyStop(runId, reason);
    await this.publisher.publish(this.keys.stops(), `${this.origin} ${runId} ${reason}`);
  }

  /** Tells this process's listeners, then every other process's, that a pending request was settled (protocol 1.2). */
  async announceSettled(payload: string): Promise<void> {
    this.notify(this.settledListeners, payload, 'settled listener threw');
    await this.publisher.publish(this.keys.settled(), `${this.origin} ${payload}`);
  }

  onSettled(listener: (payload: string) => void): () => void {
    this.settledListeners.add(listener);
    return () => this.settledListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    this.settledListeners.clear();
    for (const channel of this.channels.values()) release(channel);
    this.channels.clear();
    this.byName.clear();
    this.waiting.clear();
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
    this.stopListeners.clear();
    this.advanceListeners.clear();
    this.disconnectListeners.clear();
  }

  private async confirm(channel: Channel): Promise<void> {
    await this.subscriber.subscribe(channel.name);
    const head = await this.requireLog().head(channel.userId);
    // A message that arrived meanwhile already told us the epoch; it is the newer word.
    channel.epoch ??= head.epoch;
    channel.lastSeq = Math.max(channel.lastSeq, head.lastSeq);
  }

  private onMessage(name: string, payload: string): void {
    // A user's events first: nearly every message is one, and no user channel is named like
    // the process-wide ones below (keys.ts), which are only looked at when no channel matched.
    const channel = this.byName.get(name);
    if (channel) {
      this.onEvents(channel, payload);
      return;
    }
    if (name === this.keys.stops()) {
      const [origin, runId, reason] = payload.split(' ');
      if (origin !== this.origin && runId) this.notifyStop(runId, reason === 'interrupted' ? 'interrupted' : 'user');
      return;
    }
    if (name === this.keys.queueAdvances()) {
      // A thread id may contain spaces: it is everything after the origin.
      const space = payload.indexOf(' ');
      if (space > 0 && payload.slice(0, space) !== this.origin) this.notify(this.advanceListeners, payload.slice(space + 1), 'queue listener threw');
      return;
    }
    if (name === this.keys.settled()) {
      const space = payload.indexOf(' ');
      if (space > 0 && payload.slice(0, space) !== this.origin) this.notify(this.settledListeners, payload.slice(space + 1), 'settled listener threw');
      return;
    }
    if (name === this.keys.disconnects()) {
      // A user id may contain spaces: it is everything after the origin.
      const space = payload.indexOf(' ');
      const userId = payload.slice(space + 1);
      if (space > 0 && payload.slice(0, space) !== this.origin) this.notify(this.disconnectListeners, userId, 'disconnect listener threw');
      return;
    }
  }

  private onEvents(channel: Channel, payload: string): void {
    // `<epoch>\n<frame>\n<frame>...`: the user's events of one append batch, in seq order (scripts.ts).
    let start = payload.indexOf('\n');
    if (start < 0) return;
    const epoch = payload.slice(0, start);
    if (channel.epoch !== undefined && channel.epoch !== epoch) this.reset(channel, epoch);
    channel.epoch = epoch;
    while (start < payload.length) {
      const end = payload.indexOf('\n', start + 1);
      const frame = payload.slice(start + 1, end < 0 ? payload.length : end);
      start = end < 0 ? payload.length : end;
      this.handOut(channel, epoch, frame);
    }
    settle(channel);
  }

  private handOut(channel: Channel, epoch: string, frame: string): void {
    let appended: AppendedEvent;
    try {
      appended = ReceivedEvent.read(channel.userId, epoch, frame);
    } catch (error) {
      this.logger.error({ err: error, userId: channel.userId }, 'unreadable event on the live channel dropped');
      return;
    }
    channel.lastSeq = Math.max(channel.lastSeq, appended.seq);
    for (const follower of channel.followers) {
      if (follower.reset) continue;
      try {
        follower.listener(appended);
      } catch (error) {
        this.logger.error({ err: error, userId: channel.userId }, 'stream listener threw');
      }
    }
  }

  /** After a reconnect: subscribe again, then deliver from the log whatever pub/sub may have lost. */
  private async resubscribe(): Promise<void> {
    try {
      await this.subscriber.subscribe(this.keys.stops(), this.keys.disconnects(), this.keys.queueAdvances(), this.keys.settled(), ...[...this.channels.values()].map((c) => c.name));
    } catch (error) {
      // The connection dropped again; its next 'ready' starts over.
      this.logger.warn({ err: error }, 'resubscribe failed');
      return;
    }
    const log = this.requireLog();
    // The two connections come back independently; reading needs the command connection.
    if (!(await whenReady(this.publisher, 30_000))) return;
    for (const channel of [...this.channels.values()]) {
      try {
        const read = await log.readAfter(channel.userId, channel.lastSeq);
        if (channel.epoch !== undefined && read.epoch !== channel.epoch) {
          this.reset(channel, read.epoch);
          channel.epoch = read.epoch;
          channel.lastSeq = read.lastSeq;
          continue;
        }
        channel.epoch = read.epoch;
        for (const appended of read.events) {
          if (appended.seq <= channel.lastSeq) continue;
          channel.lastSeq = appended.seq;
          for (const follower of channel.followers) if (!follower.reset) follower.listener(appended);
        }
        settle(channel);
      } catch (error) {
        // The followers' own gap repair covers this stream at its next event.
        this.logger.warn({ err: error, userId: channel.userId }, 'repair after reconnect failed');
      }
    }
  }

  private reset(channel: Channel, epoch: string): void {
    this.logger.warn({ userId: channel.userId, epoch }, 'stream history was lost (new epoch): followers must resume');
    channel.lastSeq = 0;
    release(channel);
    for (const follower of channel.followers) {
      if (!follower.onReset || follower.reset) continue;
      follower.reset = true;
      try {
        follower.onReset(epoch);
      } catch (error) {
        this.logger.error({ err: error, userId: channel.userId }, 'reset listener threw');
      }
    }
  }

  private notify(listeners: ReadonlySet<(id: string) => void>, id: string, failure: string): void {
    for (const listener of listeners) {
      try {
        listener(id);
      } catch (error) {
        this.logger.error({ err: error, id }, failure);
      }
    }
  }

  private notifyStop(runId: string, reason: StopReason): void {
    for (const listener of this.stopListeners) {
      try {
        listener(runId, reason);
      } catch (error) {
        this.logger.error({ err: error, runId }, 'stop listener threw');
      }
    }
  }

  private forget(channel: Channel): void {
    this.channels.delete(channel.userId);
    this.byName.delete(channel.name);
  }

  private requireLog(): EventLog {
    if (!this.log) throw new Error('FanOut used before its event log was attached');
    return this.log;
  }
}

/** Lets the appends whose events the followers have now been handed go. */
function settle(channel: Channel): void {
  for (const waiter of channel.waiters) if (waiter.seq <= channel.lastSeq) waiter.done();
}

/** Lets every append waiting on the channel go. */
function release(channel: Channel): void {
  for (const waiter of channel.waiters) waiter.done();
}
