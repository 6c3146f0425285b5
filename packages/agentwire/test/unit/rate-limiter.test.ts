import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/gateway/rate-limiter.js';

const T0 = 1_000_000;

/** `count` frames at instant `now`, and the decisions they got. */
const burst = (limiter: RateLimiter, count: number, now: number) => Array.from({ length: count }, () => limiter.take(now));

describe('RateLimiter', () => {
  it('admits a full burst at once, then limits', () => {
    const limiter = new RateLimiter(20, 40, 100, T0);
    const decisions = burst(limiter, 45, T0);
    expect(decisions.slice(0, 40).every((d) => d === 'ok')).toBe(true);
    expect(decisions.slice(40)).toEqual(['limited', 'limited', 'limited', 'limited', 'limited']);
  });

  it('refills at ratePerSecond', () => {
    const limiter = new RateLimiter(20, 40, 100, T0);
    burst(limiter, 40, T0);
    expect(limiter.take(T0 + 10)).toBe('limited'); // 0.2 token
    expect(limiter.take(T0 + 50)).toBe('ok'); // 1 token after 50 ms at 20/s
    expect(limiter.take(T0 + 50)).toBe('limited');
    expect(burst(limiter, 10, T0 + 550)).toEqual(Array(10).fill('ok')); // 500 ms → 10 tokens
    expect(limiter.take(T0 + 550)).toBe('limited');
  });

  it('never holds more than the burst, however long it was idle', () => {
    const limiter = new RateLimiter(20, 5, 100, T0);
    const later = T0 + 3_600_000;
    expect(burst(limiter, 6, later)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'limited']);
  });

  it('a steady rate at the limit is never limited', () => {
    const limiter = new RateLimiter(20, 1, 100, T0);
    for (let i = 0; i < 200; i++) expect(limiter.take(T0 + i * 50)).toBe('ok');
  });

  it('more than abusePerSecond frames within one second → abuse; limited frames count too', () => {
    const limiter = new RateLimiter(20, 40, 100, T0);
    const decisions = burst(limiter, 101, T0 + 5);
    expect(decisions.filter((d) => d === 'ok')).toHaveLength(40);
    expect(decisions.filter((d) => d === 'limited')).toHaveLength(60);
    expect(decisions.at(-1)).toBe('abuse');
  });

  it('the abuse window restarts after a second', () => {
    const limiter = new RateLimiter(1000, 1000, 10, T0);
    expect(burst(limiter, 10, T0).every((d) => d === 'ok')).toBe(true);
    expect(limiter.take(T0 + 999)).toBe('abuse');
    expect(burst(limiter, 10, T0 + 1000).every((d) => d === 'ok')).toBe(true);
    expect(limiter.take(T0 + 1000)).toBe('abuse');
  });

  it('each connection has its own bucket', () => {
    const a = new RateLimiter(1, 2, 100, T0);
    const b = new RateLimiter(1, 2, 100, T0);
    expect(burst(a, 3, T0)).toEqual(['ok', 'ok', 'limited']);
    expect(burst(b, 2, T0)).toEqual(['ok', 'ok']);
  });
});
