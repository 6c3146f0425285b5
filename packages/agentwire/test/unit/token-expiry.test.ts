import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CloseCode } from '../../src/protocol/close-codes.js';
import { armTokenExpiry, cancelTokenExpiry, closeAtTokenExpiry, type ExpiringSocket } from '../../src/gateway/token-expiry.js';

/** The 4001 timer (docs/protocol.md, "Token expiry"): one timer per socket, held in its own fields. */
describe('token expiry timer', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  const socket = (): ExpiringSocket & { closes: Array<[number, string]> } => {
    const closes: Array<[number, string]> = [];
    return { closes, tokenExpiresAtMs: 0, expiryTimer: undefined, close: (code, reason) => void closes.push([code, reason]) };
  };

  it('closes with 4001 at exp, not before, and leaves no timer behind', () => {
    const s = socket();
    armTokenExpiry(s, Date.now() + 5000);
    vi.advanceTimersByTime(4999);
    expect(s.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(s.closes).toEqual([[CloseCode.tokenExpired, 'token_expired']]);
    expect(s.expiryTimer).toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('re-arming (a token refresh) drops the old timer: one close, at the new exp', () => {
    const s = socket();
    armTokenExpiry(s, Date.now() + 1000);
    armTokenExpiry(s, Date.now() + 3000);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(2999);
    expect(s.closes).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(s.closes).toHaveLength(1);
  });

  it('a far exp (beyond setTimeout’s 2^31-1 ms) closes at exp, not before', () => {
    const s = socket();
    const max = 2_147_483_647;
    armTokenExpiry(s, Date.now() + max + 10_000);
    vi.advanceTimersByTime(max);
    expect(s.closes).toEqual([]);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(10_000);
    expect(s.closes).toHaveLength(1);
  });

  it('an exp already past closes at once; cancelling stops a pending close', () => {
    const past = socket();
    armTokenExpiry(past, Date.now() - 1);
    expect(past.closes).toHaveLength(1);
    const cancelled = socket();
    armTokenExpiry(cancelled, Date.now() + 1000);
    cancelTokenExpiry(cancelled);
    vi.advanceTimersByTime(2000);
    expect(cancelled.closes).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('closeAtTokenExpiry (the AI SDK endpoint’s sockets) closes at exp and can be cancelled', () => {
    const closes: number[] = [];
    closeAtTokenExpiry({ close: (code) => void closes.push(code) }, Date.now() + 1000);
    const cancelled = closeAtTokenExpiry({ close: (code) => void closes.push(-code) }, Date.now() + 1000);
    cancelled.cancel();
    vi.advanceTimersByTime(1000);
    expect(closes).toEqual([CloseCode.tokenExpired]);
  });
});
