/**
 * A run's timeout that stops counting while the run waits for its user: an approval may
 * take minutes and must not eat the run's own budget (docs/protocol.md, "Approvals"; the
 * wait has its own timeout, `approvalTimeoutMs`). Pauses nest: the clock runs again when
 * the last one ends.
 */
export class RunBudget {
  private remainingMs: number;
  private since = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private pauses = 0;
  private done = false;

  constructor(
    budgetMs: number,
    private readonly onExpired: () => void,
  ) {
    this.remainingMs = budgetMs;
    this.run();
  }

  /** Stops the clock until the returned function is called (once; later calls do nothing). */
  pause(): () => void {
    if (this.pauses++ === 0 && this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.remainingMs -= performance.now() - this.since;
    }
    let resumed = false;
    return () => {
      if (resumed) return;
      resumed = true;
      if (--this.pauses === 0) this.run();
    };
  }

  clear(): void {
    this.done = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private run(): void {
    if (this.done) return;
    this.since = performance.now();
    this.timer = setTimeout(() => {
      this.done = true;
      this.onExpired();
    }, Math.max(0, this.remainingMs));
  }
}
