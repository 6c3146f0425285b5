export interface BackoffOptions {
  /** Ceiling of the first delay (default 250 ms). */
  initialMs?: number;
  /** Cap of every delay (default 10 s). */
  maxMs?: number;
  /** Growth per failed attempt (default 2). */
  factor?: number;
}

export interface Backoff {
  /** The delay before the next attempt; each call counts one more failure. */
  next(): number;
  /** Counts `n` extra failures at once, for closes that ask for a longer pause (4029). */
  penalise(n: number): void;
  /** Back to the first delay, after a connection succeeded. */
  reset(): void;
  readonly attempts: number;
}

/**
 * Capped exponential backoff with "equal jitter": half the window is fixed, half random,
 * so clients that lost the same server spread out but never retry in a tight loop.
 */
export function createBackoff(options: BackoffOptions = {}, random: () => number = Math.random): Backoff {
  const initialMs = options.initialMs ?? 250;
  const maxMs = options.maxMs ?? 10_000;
  const factor = options.factor ?? 2;
  let attempts = 0;
  return {
    next() {
      const window = Math.min(maxMs, initialMs * factor ** Math.min(attempts, 50));
      attempts++;
      return Math.round(window / 2 + random() * (window / 2));
    },
    penalise(n) {
      attempts += n;
    },
    reset() {
      attempts = 0;
    },
    get attempts() {
      return attempts;
    },
  };
}
