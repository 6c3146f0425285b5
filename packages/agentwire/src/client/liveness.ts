type Timer = ReturnType<typeof setInterval>;

/**
 * Notices a silently dead connection, which browsers cannot see (they never expose the
 * server's ping frames): after `heartbeatMs` without a frame it sends an application
 * `ping`; after two heartbeats of silence it declares the socket dead.
 */
export class Liveness {
  private lastFrameAt = Date.now();
  private timer: Timer | undefined;

  constructor(
    private readonly heartbeatMs: number,
    private readonly ping: () => void,
    private readonly dead: () => void,
  ) {}

  start(): void {
    this.stop();
    this.lastFrameAt = Date.now();
    this.timer = setInterval(() => this.check(), Math.max(this.heartbeatMs / 2, 10));
    (this.timer as { unref?: () => void }).unref?.();
  }

  heard(): void {
    this.lastFrameAt = Date.now();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  private check(): void {
    const silentMs = Date.now() - this.lastFrameAt;
    if (silentMs >= 2 * this.heartbeatMs) {
      this.stop();
      this.dead();
    } else if (silentMs >= this.heartbeatMs) {
      this.ping();
    }
  }
}
