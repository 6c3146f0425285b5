import type { EventEmitter } from 'node:events';
import type { ConnectLimits } from './connect-limits.js';

export type GateDecision = { readonly ok: true } | { readonly ok: false; readonly status: 429 | 503; readonly reason: string };

const ADMITTED: GateDecision = Object.freeze({ ok: true });

/** The address a socket was counted under, until its 'close' (`ConnectGate.countUntilClose`). */
const COUNTED_AS = Symbol('agentwire.countedAs');
type CountedSocket = EventEmitter & { [COUNTED_AS]?: string | undefined };

/** A token bucket refilled continuously: `perSecond` tokens a second, at most `perSecond` held. */
class Bucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly perSecond: number,
    now: number,
  ) {
    this.tokens = perSecond;
    this.at = now;
  }

  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Full again: the bucket says nothing a fresh one would not, so it can be dropped. */
  isFull(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.perSecond;
  }

  private refill(now: number): void {
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.at) * this.perSecond) / 1000);
    this.at = now;
  }
}

/**
 * Counts upgrades before they complete: open sockets (global, per address) and the connect
 * rate (global, per address). Answered with an HTTP status on the upgrade request, so a
 * flood costs the server no WebSocket, no authentication and no scope. Per-address state
 * lives only while the address has sockets open or a bucket not yet refilled, so its size
 * is bounded by the addresses active in the last second plus those with open sockets.
 */
export class ConnectGate {
  private open = 0;
  private readonly openByAddress = new Map<string, number>();
  private readonly global: Bucket;
  private readonly byAddress = new Map<string, Bucket>();
  private sweptAt: number;

  constructor(
    private readonly limits: Readonly<ConnectLimits>,
    now = Date.now(),
  ) {
    this.global = new Bucket(limits.connectsPerSecond, now);
    this.sweptAt = now;
    const uncount = (socket: CountedSocket): void => this.uncount(socket);
    this.onSocketClose = function (this: CountedSocket) {
      uncount(this);
    };
  }

  get openCount(): number {
    return this.open;
  }

  enter(address: string, now = Date.now()): GateDecision {
    this.sweep(now);
    if (this.open >= this.limits.maxConnections) return { ok: false, status: 503, reason: 'too many connections on this server' };
    const fromAddress = this.openByAddress.get(address) ?? 0;
    if (fromAddress >= this.limits.maxConnectionsPerAddress) return { ok: false, status: 429, reason: 'too many connections from this address' };
    let bucket = this.byAddress.get(address);
    if (!bucket) {
      bucket = new Bucket(this.limits.connectsPerSecondPerAddress, now);
      this.byAddress.set(address, bucket);
    }
    // The address's own limit first: one noisy address must not spend the global budget.
    if (!bucket.take(now)) return { ok: false, status: 429, reason: 'connecting too fast from this address' };
    if (!this.global.take(now)) return { ok: false, status: 503, reason: 'too many connections being opened' };
    this.open++;
    this.openByAddress.set(address, fromAddress + 1);
    return ADMITTED;
  }

  /**
   * Keeps an admitted socket counted until its 'close'. The address rides on the socket and
   * one listener serves every socket of the gate: a closure per socket cost ~100 B of every
   * idle connection (issue 19, "Idle memory"). Counted once: a second 'close' changes nothing.
   */
  countUntilClose(socket: EventEmitter, address: string): void {
    (socket as CountedSocket)[COUNTED_AS] = address;
    socket.on('close', this.onSocketClose);
  }

  /** The 'close' listener of every counted socket, `this` being the socket. */
  private readonly onSocketClose: (this: CountedSocket) => void;

  private uncount(socket: CountedSocket): void {
    const address = socket[COUNTED_AS];
    if (address === undefined) return;
    socket[COUNTED_AS] = undefined;
    this.open--;
    const left = (this.openByAddress.get(address) ?? 1) - 1;
    if (left > 0) this.openByAddress.set(address, left);
    else this.openByAddress.delete(address);
  }

  /** At most once a second: drops buckets that have refilled. */
  private sweep(now: number): void {
    if (now - this.sweptAt < 1000) return;
    this.sweptAt = now;
    for (const [address, bucket] of this.byAddress) if (bucket.isFull(now)) this.byAddress.delete(address);
  }
}
