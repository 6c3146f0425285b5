export type RateDecision = 'ok' | 'limited' | 'abuse';

/**
 * Per-connection frame rate: a token bucket (`ratePerSecond`, `burst`) answers
 * `limited`, and more than `abusePerSecond` frames inside one second answers `abuse`.
 */
export class RateLimiter {
  private tokens: number;
  private refilledAt: number;
  private windowStart: number;
  private windowCount = 0;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    private readonly abusePerSecond: number,
    now: number,
  ) {
    this.tokens = burst;
    this.refilledAt = now;
    this.windowStart = now;
  }

  take(now: number): RateDecision {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.windowCount = 0;
    }
    if (++this.windowCount > this.abusePerSecond) return 'abuse';
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.refilledAt) * this.ratePerSecond) / 1000);
    this.refilledAt = now;
    if (this.tokens < 1) return 'limited';
    this.tokens -= 1;
    return 'ok';
  }
}
