import { describe, expect, it } from 'vitest';
import { MemoryBus, DEFAULT_RETENTION } from '../../src/index.js';
import { testEngines } from '../helpers/engines.js';

const redisEngine = () => testEngines().find((e) => e.name === 'redis')!;

const draft = (text: string) => ({ type: 'agent_thinking' as const, thread_id: 't', run_id: 'r', data: { text } });

describe('bytes retained per user are capped as well as the count (issue 12, per-user bounds; memory engine)', () => {
  it('finding: the retention has a byte cap by default (8 MiB)', () => {
    expect(DEFAULT_RETENTION.maxBytes).toBe(8 * 1024 * 1024);
  });

  it('finding: past retention.maxBytes the oldest events are dropped, so a resume re-reads at most that many bytes', async () => {
    const maxBytes = 64 * 1024;
    const bus = new MemoryBus({ retention: { maxEvents: 10_000, maxBytes } });
    const chunk = 'x'.repeat(8 * 1024);
    for (let i = 0; i < 100; i++) await bus.log.append('alice', draft(chunk));
    const read = await bus.log.readAfter('alice', 0);
    const bytes = read.events.reduce((sum, e) => sum + Buffer.byteLength(e.frame), 0);
    expect(bytes).toBeLessThanOrEqual(maxBytes);
    // Only the oldest went: what is left is contiguous up to the newest.
    expect(read.events.length).toBeGreaterThan(0);
    expect(read.oldestSeq).toBe(101 - read.events.length);
    expect(read.events.at(-1)!.event.seq).toBe(100);
    // Another user's budget is their own.
    await bus.log.append('bob', draft(chunk));
    expect((await bus.log.readAfter('bob', 0)).events).toHaveLength(1);
  });

  it('finding: the newest event is kept even when it alone is over the byte cap', async () => {
    const bus = new MemoryBus({ retention: { maxBytes: 1024 } });
    await bus.log.append('alice', draft('small'));
    await bus.log.append('alice', draft('y'.repeat(4096)));
    const read = await bus.log.readAfter('alice', 0);
    expect(read.events.map((e) => e.event.seq)).toEqual([2]);
  });
});

describe('bytes retained per user are capped (Redis engine)', () => {
  it('finding: past retention.maxBytes the oldest events are dropped on Redis too, the total staying exact', async () => {
    const maxBytes = 64 * 1024;
    const bus = await redisEngine().create({ retention: { maxEvents: 10_000, maxBytes } });
    try {
      const chunk = 'x'.repeat(8 * 1024);
      for (let i = 0; i < 40; i++) await bus.log.append('alice', draft(chunk));
      const read = await bus.log.readAfter('alice', 0);
      const bytes = read.events.reduce((sum, e) => sum + Buffer.byteLength(e.frame), 0);
      expect(bytes).toBeLessThanOrEqual(maxBytes);
      // The budget is used, not over-trimmed: one more 8 KiB event would not fit.
      expect(bytes).toBeGreaterThan(maxBytes - Buffer.byteLength(read.events[0]!.frame));
      expect(read.oldestSeq).toBe(41 - read.events.length);
      expect(read.events.at(-1)!.event.seq).toBe(40);
    } finally {
      await bus.close();
    }
  });
});
