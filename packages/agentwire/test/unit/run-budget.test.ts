import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RunBudget } from '../../src/interaction/run-budget.js';

/** docs/protocol.md, "Approvals": waiting for the user does not eat the run's own timeout. */
describe('RunBudget', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('expires after its budget when never paused', () => {
    const expired = vi.fn();
    new RunBudget(1000, expired);
    vi.advanceTimersByTime(999);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledOnce();
  });

  it('does not count paused time, and nested pauses hold until the last ends', () => {
    const expired = vi.fn();
    const budget = new RunBudget(1000, expired);
    vi.advanceTimersByTime(400);
    const resumeA = budget.pause();
    const resumeB = budget.pause();
    vi.advanceTimersByTime(10_000);
    resumeA();
    resumeA();
    vi.advanceTimersByTime(10_000);
    expect(expired).not.toHaveBeenCalled();
    resumeB();
    vi.advanceTimersByTime(599);
    expect(expired).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledOnce();
  });

  it('never fires once cleared, paused or not', () => {
    const expired = vi.fn();
    const budget = new RunBudget(100, expired);
    const resume = budget.pause();
    budget.clear();
    resume();
    vi.advanceTimersByTime(1000);
    expect(expired).not.toHaveBeenCalled();
  });
});
