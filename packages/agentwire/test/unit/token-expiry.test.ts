import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../../src/protocol/close-codes.js';
import { TokenExpiries, type ExpiringSocket } from '../../src/gateway/token-expiry.js';

/** The 4001 close at `exp` (docs/protocol.md, "Connecting"): one queue and one timer for a gateway's sockets. */
describe('token expiries', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  const socket = (): ExpiringSocket & { closes: Array<[number, string]> } => {
    const closes: Array<[number, string]> = [];
    return { closes, tokenExpiresAtMs: 0, expiryIndex: -1, close: (code, reason) => void closes.push([code, reason]) };
  };

  it('closes with 4001 at exp, not before, and leaves no timer behind', () => {
    const expiries = new TokenExpiries();
    const s = socket();
    expiries.arm(s, Date.now() + 5000);
    vi.advanceTimersByTime(4999);
    expect(s.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(s.closes).toEqual([[CloseCode.tokenExpired, 'token_expired']]);
    expect(expiries.size).toBe(0);
    expect(s.expiryIndex).toBe(-1);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('many sockets, armed in any order, each close at their own exp with one timer between them', () => {
    const expiries = new TokenExpiries();
    const offsets = [7000, 1000, 5000, 3000, 9000, 2000, 8000, 4000, 6000, 1000, 3000];
    const sockets = offsets.map((offset) => {
      const s = socket();
      expiries.arm(s, Date.now() + offset);
      return s;
    });
    expect(vi.getTimerCount()).toBe(1);
    for (let at = 1000; at <= 9000; at += 1000) {
      vi.advanceTimersByTime(999);
      const closedBefore = sockets.filter((s) => s.closes.length > 0).length;
      expect(closedBefore).toBe(offsets.filter((offset) => offset < at).length);
      vi.advanceTimersByTime(1);
      sockets.forEach((s, i) => expect(s.closes.length, `socket ${i} at +${at}`).toBe(offsets[i]! <= at ? 1 : 0));
      expect(vi.getTimerCount()).toBeLessThanOrEqual(1);
    }
    expect(expiries.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arming (a token refresh) moves the close, later or earlier: one close, at the new exp', () => {
    const expiries = new TokenExpiries();
    const later = socket();
    const earlier = socket();
    const other = socket();
    expiries.arm(later, Date.now() + 1000);
    expiries.arm(other, Date.now() + 2000);
    expiries.arm(earlier, Date.now() + 5000);
    expiries.arm(later, Date.now() + 3000);
    expiries.arm(earlier, Date.now() + 1500);
    expect(expiries.size).toBe(3);
    vi.advanceTimersByTime(1499);
    expect([later, earlier, other].map((s) => s.closes.length)).toEqual([0, 0, 0]);
    vi.advanceTimersByTime(1);
    expect([later, earlier, other].map((s) => s.closes.length)).toEqual([0, 1, 0]);
    vi.advanceTimersByTime(500);
    expect([later, earlier, other].map((s) => s.closes.length)).toEqual([0, 1, 1]);
    vi.advanceTimersByTime(999);
    expect(later.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect([later, earlier, other].map((s) => s.closes.length)).toEqual([1, 1, 1]);
  });

  it('a closed connection leaves the queue and is never closed by it; the others still are', () => {
    const expiries = new TokenExpiries();
    const sockets = [socket(), socket(), socket(), socket()];
    sockets.forEach((s, i) => expiries.arm(s, Date.now() + 1000 * (i + 1)));
    expiries.cancel(sockets[0]!);
    expiries.cancel(sockets[2]!);
    expiries.cancel(sockets[2]!);
    expect(expiries.size).toBe(2);
    vi.advanceTimersByTime(10_000);
    expect(sockets.map((s) => s.closes.length)).toEqual([0, 1, 0, 1]);
    expiries.arm(sockets[0]!, Date.now() + 1000);
    expiries.cancel(sockets[0]!);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('a far exp (beyond setTimeout’s 2^31-1 ms) closes at exp, not before', () => {
    const expiries = new TokenExpiries();
    const s = socket();
    const max = 2_147_483_647;
    expiries.arm(s, Date.now() + max + 10_000);
    vi.advanceTimersByTime(max);
    expect(s.closes).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(9_999);
    expect(s.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(s.closes).toHaveLength(1);
  });

  it('an exp already past closes at once and queues nothing', () => {
    const expiries = new TokenExpiries();
    const past = socket();
    expiries.arm(past, Date.now() - 1);
    expect(past.closes).toHaveLength(1);
    expect(expiries.size).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });
});
