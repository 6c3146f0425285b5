import { RunFailedError } from './client-errors.js';
import type { RunUsage, StreamEvent } from '../protocol/types.js';

/** The final answer of a completed run. */
export interface RunResult {
  runId: string;
  threadId: string;
  text: string;
  durationMs: number;
  /** Token counts, when the agent reported them (protocol 1.2). */
  usage?: RunUsage;
}

/**
 * One run's events as an async iterator (user_message first, terminal event last), plus
 * `result`, the final answer. Events are buffered, so a slow consumer loses nothing.
 * An `agent_error` run is iterated to its end and then `result` rejects with
 * `RunFailedError`; a transport failure (client closed, message refused, resume gap)
 * makes both the iterator and `result` reject.
 */
export class RunStream implements AsyncIterableIterator<StreamEvent, RunResult | undefined> {
  /** Resolves with `run_id` once the server accepted the message. */
  readonly runId: Promise<string>;
  readonly result: Promise<RunResult>;
  private readonly buffer: StreamEvent[] = [];
  private waiting: { resolve: (r: IteratorResult<StreamEvent, RunResult | undefined>) => void; reject: (e: unknown) => void } | undefined;
  private ended: { result?: RunResult } | undefined;
  private failure: unknown;
  /** The consumer stopped iterating; `result` still settles when the run ends. */
  private iterationClosed = false;
  private settleRunId!: { resolve: (id: string) => void; reject: (e: unknown) => void };
  private settleResult!: { resolve: (r: RunResult) => void; reject: (e: unknown) => void };

  constructor(readonly clientMsgId: string) {
    this.runId = new Promise((resolve, reject) => (this.settleRunId = { resolve, reject }));
    this.result = new Promise((resolve, reject) => (this.settleResult = { resolve, reject }));
    // Iterating alone must not leave unhandled rejections behind; awaiting still throws.
    this.runId.catch(() => {});
    this.result.catch(() => {});
  }

  get done(): boolean {
    return this.ended !== undefined || this.failure !== undefined;
  }

  /** @internal Called by the client with the `run_id` from `message_accepted` or `user_message`. */
  bind(runId: string): void {
    this.settleRunId.resolve(runId);
  }

  /** @internal Called by the client with each of this run's events, in `seq` order. */
  push(event: StreamEvent): void {
    if (this.done || event.run_id === undefined) return;
    this.bind(event.run_id);
    if (event.type === 'agent_completed') {
      const result: RunResult = {
        runId: event.run_id,
        threadId: event.thread_id,
        text: event.data.result.text,
        durationMs: event.data.duration_ms,
        ...(event.data.usage && { usage: event.data.usage }),
      };
      this.ended = { result };
      this.settleResult.resolve(result);
    } else if (event.type === 'agent_error') {
      this.ended = {};
      this.settleResult.reject(new RunFailedError(event));
    }
    if (!this.iterationClosed) this.buffer.push(event);
    this.wake();
  }

  /** @internal Ends the stream with a transport error. */
  fail(error: unknown): void {
    if (this.done) return;
    this.failure = error;
    this.settleRunId.reject(error);
    this.settleResult.reject(error);
    this.wake();
  }

  next(): Promise<IteratorResult<StreamEvent, RunResult | undefined>> {
    const event = this.buffer.shift();
    if (event) return Promise.resolve({ done: false, value: event });
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.ended || this.iterationClosed) return Promise.resolve({ done: true, value: this.ended?.result });
    return new Promise((resolve, reject) => (this.waiting = { resolve, reject }));
  }

  /** Stops iterating; the run itself goes on (use `client.stop(runId)` to stop it). */
  return(): Promise<IteratorResult<StreamEvent, RunResult | undefined>> {
    this.buffer.length = 0;
    this.iterationClosed = true;
    this.wake();
    return Promise.resolve({ done: true, value: this.ended?.result });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private wake(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    this.waiting = undefined;
    this.next().then(waiting.resolve, waiting.reject);
  }
}
