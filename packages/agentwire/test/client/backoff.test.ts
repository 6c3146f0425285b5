import { describe, expect, it } from 'vitest';
import { createBackoff } from '../../src/client/backoff.js';
import { seededRandom } from '../helpers/seeded-random.js';

describe('client backoff', () => {
  it('grows exponentially with jitter inside [window/2, window] and never passes the cap', () => {
    const backoff = createBackoff({ initialMs: 100, maxMs: 1000, factor: 2 }, seededRandom(3));
    const windows = [100, 200, 400, 800, 1000, 1000, 1000];
    const delays = windows.map(() => backoff.next());
    delays.forEach((delay, i) => {
      expect(delay).toBeGreaterThanOrEqual(windows[i]! / 2);
      expect(delay).toBeLessThanOrEqual(windows[i]!);
    });
    expect(new Set(delays.slice(4)).size).toBeGreaterThan(1);
  });

  it('starts over after reset and jumps ahead after a penalty', () => {
    const backoff = createBackoff({ initialMs: 100, maxMs: 10_000 }, () => 1);
    backoff.next();
    backoff.next();
    backoff.reset();
    expect(backoff.next()).toBe(100);
    backoff.penalise(3);
    expect(backoff.next()).toBe(1600);
  });
});
