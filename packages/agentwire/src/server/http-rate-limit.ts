/** Settings of HttpRateLimit: `perMinute` tokens refill per address, at most `burst` saved up. */
export interface HttpRateSettings {
  perMinute: number;
  burst: number;
}

/** Addresses remembered at most; a flood of fresh addresses cannot grow the map without bound. */
const MAX_TRACKED = 10_000;

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * A token bucket per client address, for the routes that cost the server work before any
 * caller is known (`/auth/*`: token signing; `/agui`: runs).
 */
export class HttpRateLimit {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly settings: HttpRateSettings,
    private readonly now: () => number = Date.now,
  ) {}

  /** 0 when the request may go ahead, else the seconds to wait (for Retry-After). */
  take(address: string): number {
    const now = this.now();
    const perMs = this.settings.perMinute / 60_000;
    const previous = this.buckets.get(address);
    const tokens = previous ? Math.min(this.settings.burst, previous.tokens + (now - previous.at) * perMs) : this.settings.burst;
    // Re-inserted at every take, so the Map's first key is the least recently seen address.
    this.buckets.delete(address);
    if (tokens < 1) {
      this.buckets.set(address, { tokens, at: now });
      return Math.max(1, Math.ceil((1 - tokens) / perMs / 1000));
    }
    this.buckets.set(address, { tokens: tokens - 1, at: now });
    if (this.buckets.size > MAX_TRACKED) this.buckets.delete(this.buckets.keys().next().value!);
    return 0;
  }
}
