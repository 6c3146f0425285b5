import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { abortableDelay } from '../../src/agents/abortable-delay.js';

describe('abortableDelay', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('resolves once its time has passed, not before', async () => {
    let done = false;
    const waiting = abortableDelay(100, new AbortController().signal).then(() => (done = true));
    await vi.advanceTimersByTimeAsync(99);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    await waiting;
    expect(done).toBe(true);
  });

  it('rejects with the abort reason as soon as the signal fires, and leaves no timer', async () => {
    const controller = new AbortController();
    const waiting = abortableDelay(60_000, controller.signal);
    const reason = { code: 'timeout' };
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('rejects at once for a signal that already fired, even with no delay', async () => {
    const controller = new AbortController();
    controller.abort('gone');
    await expect(abortableDelay(0, controller.signal)).rejects.toBe('gone');
    await expect(abortableDelay(10, controller.signal)).rejects.toBe('gone');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('waits for nothing when the delay is zero', async () => {
    await expect(abortableDelay(0, new AbortController().signal)).resolves.toBeUndefined();
    expect(vi.getTimerCount()).toBe(0);
  });
});
