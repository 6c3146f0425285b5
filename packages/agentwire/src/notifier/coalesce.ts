/**
 * Coalescing of a run's text deltas (docs/protocol.md, "Coalesced deltas"): consecutive
 * deltas within a short window travel as one `agent_message_delta`, so a long answer
 * streamed a few characters at a time costs few events and bytes. The joined text and its
 * order never change; only how it is cut into events does.
 */

/** Runs `callback` after `ms`; returns a cancel. Injectable so tests drive time themselves. */
export type Scheduler = (callback: () => void, ms: number) => () => void;

export const timerScheduler: Scheduler = (callback, ms) => {
  const timer = setTimeout(callback, ms);
  return () => clearTimeout(timer);
};

/**
 * Text one coalesced delta may gather before it is sent without waiting for the window:
 * keeps every event far below the frame and retention limits however fast a model writes.
 */
export const MAX_COALESCED_CHARS = 8192;

interface Waiter<E> {
  readonly resolve: (event: E) => void;
  readonly reject: (error: unknown) => void;
}

/**
 * Gathers deltas for `windowMs` after the first one, then hands their concatenation to
 * `send` as one delta. `flush()` sends what is gathered at once: the notifier calls it
 * before any other event of the run, so a delta never lands after an event that followed
 * it. A window of 0 (or less) sends every delta as it comes.
 */
export class DeltaCoalescer<E> {
  private text = '';
  private waiters: Array<Waiter<E>> = [];
  private cancelTimer: (() => void) | undefined;

  constructor(
    private readonly windowMs: number,
    private readonly send: (text: string) => Promise<E>,
    private readonly schedule: Scheduler = timerScheduler,
  ) {}

  /** True while deltas are gathered and not yet sent. */
  get pending(): boolean {
    return this.waiters.length > 0;
  }

  /**
   * Resolves with the event that carried `delta` (shared by the deltas coalesced with it),
   * rejects when its append failed. A caller may ignore the promise (a model streaming at
   * full speed should not wait a window per delta): an ignored failure is never an
   * unhandled rejection; the run's later events, its terminal event included, fail alike.
   */
  add(delta: string): Promise<E> {
    const carried = this.windowMs <= 0 ? this.send(delta) : this.gather(delta);
    carried.catch(() => {});
    return carried;
  }

  private gather(delta: string): Promise<E> {
    this.text += delta;
    const carried = new Promise<E>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (this.text.length >= MAX_COALESCED_CHARS) this.flush();
    else
      this.cancelTimer ??= this.schedule(() => {
        this.cancelTimer = undefined;
        this.flush();
      }, this.windowMs);
    return carried;
  }

  /** Sends what is gathered now, as one delta; nothing when nothing is gathered. */
  flush(): void {
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    if (this.waiters.length === 0) return;
    const { text, waiters } = this;
    this.text = '';
    this.waiters = [];
    let sent: Promise<E>;
    try {
      sent = this.send(text);
    } catch (error) {
      sent = Promise.reject(error as Error);
    }
    sent.then(
      (event) => {
        for (const waiter of waiters) waiter.resolve(event);
      },
      (error: unknown) => {
        for (const waiter of waiters) waiter.reject(error);
      },
    );
  }
}
