import { isAgentwireError } from '../errors.js';
import type { Logger } from '../logger.js';

export interface DurableWriterOptions {
  readonly logger: Logger;
  /** First wait between attempts while the store is unreachable; doubles up to `maxRetryMs`. */
  readonly retryMs: number;
  readonly maxRetryMs: number;
}

type Write = () => Promise<unknown>;

/**
 * Store writes that must not be lost to a store outage (docs/guarantees.md, "Nothing
 * accepted is lost"): they are retried while the store answers `AW_ERR_STORE_UNAVAILABLE`,
 * either for a bounded time (the caller then takes another path) or in the background
 * until they succeed. Any other error is a bug, not an outage, and is not retried.
 */
export class DurableWriter {
  private readonly pending = new Set<symbol>();
  private closed = false;
  private readonly stopped = new AbortController();

  constructor(private readonly options: DurableWriterOptions) {}

  /** Resolves true once written, false if the store stayed unreachable for `timeoutMs`. */
  async write(op: Write, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    let waitMs = this.options.retryMs;
    for (;;) {
      try {
        await op();
        return true;
      } catch (error) {
        if (!isAgentwireError(error, 'AW_ERR_STORE_UNAVAILABLE')) throw error;
        const left = deadline - Date.now();
        if (left <= 0 || this.closed) return false;
        await this.pause(Math.min(waitMs, left));
        waitMs = Math.min(waitMs * 2, this.options.maxRetryMs);
      }
    }
  }

  /** Retries `op` in the background until it succeeds or the writer is closed. */
  eventually(op: Write, what: string): void {
    const entry = Symbol(what);
    this.pending.add(entry);
    const attempt = async (): Promise<void> => {
      let waitMs = this.options.retryMs;
      while (!this.closed) {
        try {
          await op();
          return;
        } catch (error) {
          if (!isAgentwireError(error, 'AW_ERR_STORE_UNAVAILABLE')) {
            this.options.logger.error({ err: error, what }, 'store write failed');
            return;
          }
          await this.pause(waitMs);
          waitMs = Math.min(waitMs * 2, this.options.maxRetryMs);
        }
      }
      this.options.logger.error({ what }, 'store write abandoned at shutdown: the store was unreachable');
    };
    void attempt().finally(() => this.pending.delete(entry));
  }

  /** Resolves once no write is pending, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pending.size > 0 && Date.now() < deadline && !this.closed) await this.pause(Math.min(20, deadline - Date.now()));
  }

  /** Writes still waiting for the store. */
  get backlog(): number {
    return this.pending.size;
  }

  close(): void {
    this.closed = true;
    this.stopped.abort();
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const { signal } = this.stopped;
      if (signal.aborted) return resolve();
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      timer.unref();
      signal.addEventListener('abort', done, { once: true });
    });
  }
}
