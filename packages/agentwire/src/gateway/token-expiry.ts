import { CloseCode } from '../protocol/close-codes.js';

/**
 * What the 4001 close needs of a socket: its token's `exp` and its place in the gateway's
 * `TokenExpiries` (-1 when not queued). Two small fields of the socket's own object: an idle
 * connection holds no timer and no closure for its expiry (issue 19, "Idle memory").
 */
export interface ExpiringSocket {
  tokenExpiresAtMs: number;
  expiryIndex: number;
  close(code: number, reason: string): void;
}

/** setTimeout overflows past 2^31-1 ms: a farther `exp` is reached in steps. */
const MAX_DELAY_MS = 2_147_483_647;

/**
 * The 4001 close of every socket of an endpoint (`/ws`, `/ai-sdk/ws`) at its token's `exp` (docs/protocol.md,
 * "Connecting": "close 4001 at `exp`, unless a `refresh` frame..."), with one timer for all:
 * a min-heap by `exp`, and one timer armed for the earliest. A timer per socket cost ~160 B
 * of every idle connection (a `Timeout` and its timer-list entry; issue 19, "Idle memory").
 * The timer is due exactly at the earliest `exp`, so a socket closes at its `exp`, as before.
 */
export class TokenExpiries {
  private readonly heap: ExpiringSocket[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** When `timer` fires; a timer due no later than the earliest `exp` is kept. */
  private timerAtMs = Infinity;

  /** Sockets waiting for their `exp`. */
  get size(): number {
    return this.heap.length;
  }

  /** (Re-)arms the 4001 close of `socket` at `expiresAtMs` (a refresh moves it); a past `exp` closes now. */
  arm(socket: ExpiringSocket, expiresAtMs: number): void {
    this.remove(socket);
    socket.tokenExpiresAtMs = expiresAtMs;
    if (expiresAtMs <= Date.now()) {
      this.schedule();
      socket.close(CloseCode.tokenExpired, 'token_expired');
      return;
    }
    socket.expiryIndex = this.heap.length;
    this.heap.push(socket);
    this.siftUp(socket.expiryIndex);
    this.schedule();
  }

  /** A closed socket leaves the queue. */
  cancel(socket: ExpiringSocket): void {
    this.remove(socket);
    this.schedule();
  }

  private readonly fire = (): void => {
    this.timer = undefined;
    this.timerAtMs = Infinity;
    const now = Date.now();
    let first = this.heap[0];
    while (first !== undefined && first.tokenExpiresAtMs <= now) {
      this.remove(first);
      first.close(CloseCode.tokenExpired, 'token_expired');
      first = this.heap[0];
    }
    this.schedule();
  };

  /** Keeps one timer due at (or, past setTimeout's range, before) the earliest `exp`; none when empty. */
  private schedule(): void {
    const first = this.heap[0];
    if (first === undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.timerAtMs = Infinity;
      return;
    }
    // A timer due earlier than needed (its socket left or was refreshed) only fires and re-arms.
    if (this.timer !== undefined && this.timerAtMs <= first.tokenExpiresAtMs) return;
    clearTimeout(this.timer);
    const now = Date.now();
    const delay = Math.min(Math.max(first.tokenExpiresAtMs - now, 0), MAX_DELAY_MS);
    this.timerAtMs = now + delay;
    this.timer = setTimeout(this.fire, delay);
    this.timer.unref();
  }

  private remove(socket: ExpiringSocket): void {
    const index = socket.expiryIndex;
    if (index < 0 || this.heap[index] !== socket) return;
    socket.expiryIndex = -1;
    const last = this.heap.pop()!;
    if (last === socket) return;
    this.heap[index] = last;
    last.expiryIndex = index;
    this.siftDown(index);
    this.siftUp(last.expiryIndex);
  }

  private siftUp(index: number): void {
    const heap = this.heap;
    const item = heap[index]!;
    while (index > 0) {
      const parentIndex = (index - 1) >> 1;
      const parent = heap[parentIndex]!;
      if (parent.tokenExpiresAtMs <= item.tokenExpiresAtMs) break;
      heap[index] = parent;
      parent.expiryIndex = index;
      index = parentIndex;
    }
    heap[index] = item;
    item.expiryIndex = index;
  }

  private siftDown(index: number): void {
    const heap = this.heap;
    const item = heap[index]!;
    for (;;) {
      const left = 2 * index + 1;
      if (left >= heap.length) break;
      const right = left + 1;
      const child = right < heap.length && heap[right]!.tokenExpiresAtMs < heap[left]!.tokenExpiresAtMs ? right : left;
      if (heap[child]!.tokenExpiresAtMs >= item.tokenExpiresAtMs) break;
      heap[index] = heap[child]!;
      heap[index]!.expiryIndex = index;
      index = child;
    }
    heap[index] = item;
    item.expiryIndex = index;
  }
}
