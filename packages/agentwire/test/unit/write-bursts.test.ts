import { describe, expect, it } from 'vitest';
import { WriteBursts, type BurstWriter } from '../../src/gateway/write-bursts.js';

const nextTick = (): Promise<void> => new Promise((resolve) => process.nextTick(resolve));

/** A writer that records when its burst ends, and may write again while it does. */
function writer(log: string[], name: string, onEnd?: () => void): BurstWriter {
  return {
    endBurst: () => {
      log.push(name);
      onEnd?.();
    },
  };
}

describe('WriteBursts', () => {
  it('ends every burst of the tick once the writing code has returned, each once, in join order', async () => {
    const bursts = new WriteBursts();
    const ended: string[] = [];
    bursts.join(writer(ended, 'a'));
    bursts.join(writer(ended, 'b'));
    expect(ended).toEqual([]);
    await nextTick();
    expect(ended).toEqual(['a', 'b']);
    await nextTick();
    expect(ended).toEqual(['a', 'b']);
  });

  it('a writer that starts a burst while the bursts end is ended too, not left corked', async () => {
    const bursts = new WriteBursts();
    const ended: string[] = [];
    const late = writer(ended, 'late');
    bursts.join(writer(ended, 'first', () => bursts.join(late)));
    await nextTick();
    expect(ended).toEqual(['first', 'late']);
    bursts.join(writer(ended, 'again'));
    await nextTick();
    expect(ended).toEqual(['first', 'late', 'again']);
  });
});
