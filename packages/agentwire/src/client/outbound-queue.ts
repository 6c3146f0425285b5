import { AgentwireError } from '../errors.js';
import type { ClientFrame } from '../protocol/types.js';

/** A frame the client owes the server until the server acknowledges it. */
export interface PendingFrame<T = unknown> {
  /** `msg:<client_msg_id>` or `stop:<run_id>`: at most one pending frame per key. */
  readonly key: string;
  readonly frame: ClientFrame;
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
  /** Times this frame was written to a socket; above 1 it is a resend of the same frame. */
  sends: number;
}

/**
 * The bounded set of frames awaiting acknowledgement. Frames stay here across reconnects
 * and are written again (same `client_msg_id`) on every new connection until answered;
 * the server's idempotency makes the resend harmless. When full, new frames are refused
 * with `AW_ERR_CLIENT_QUEUE_FULL` rather than growing without bound while offline.
 */
export class OutboundQueue {
  private readonly pending = new Map<string, PendingFrame<never>>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.pending.size;
  }

  get<T>(key: string): PendingFrame<T> | undefined {
    return this.pending.get(key) as PendingFrame<T> | undefined;
  }

  /** Adds a frame; throws `AW_ERR_CLIENT_QUEUE_FULL` at capacity. */
  add<T>(key: string, frame: ClientFrame): PendingFrame<T> {
    if (this.pending.size >= this.capacity) {
      throw new AgentwireError('AW_ERR_CLIENT_QUEUE_FULL', `${this.capacity} frames are already waiting`);
    }
    let resolve!: (value: T) => void;
    let reject!: (error: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const entry: PendingFrame<T> = { key, frame, promise, resolve, reject, sends: 0 };
    this.pending.set(key, entry as unknown as PendingFrame<never>);
    return entry;
  }

  /** Removes and settles the frame, if it is still pending. */
  resolve<T>(key: string, value: T): boolean {
    const entry = this.pending.get(key) as PendingFrame<T> | undefined;
    if (!entry) return false;
    this.pending.delete(key);
    entry.resolve(value);
    return true;
  }

  reject(key: string, error: unknown): boolean {
    const entry = this.pending.get(key);
    if (!entry) return false;
    this.pending.delete(key);
    entry.reject(error);
    return true;
  }

  rejectAll(error: unknown): void {
    for (const key of [...this.pending.keys()]) this.reject(key, error);
  }

  /** In insertion order, so resends keep the order the app sent in. */
  entries(): PendingFrame<unknown>[] {
    return [...this.pending.values()] as PendingFrame<unknown>[];
  }
}
