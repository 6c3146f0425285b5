import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../../src/index.js';
import { MAX_FINISHED_RUNS_PER_USER } from '../../src/bus/memory/memory-stores.js';

describe('in-memory run records of an active user are bounded (issue 12, per-user bounds)', () => {
  it(`finding: only the newest ${MAX_FINISHED_RUNS_PER_USER} finished run records of a user are kept; running ones always`, async () => {
    const bus = new MemoryBus();
    const runs = bus.runs;
    await runs.register({ runId: 'run_long', userId: 'alice', threadId: 't' });
    const total = MAX_FINISHED_RUNS_PER_USER + 50;
    for (let i = 0; i < total; i++) {
      await runs.register({ runId: `run_${i}`, userId: 'alice', threadId: 't' });
      await runs.finish(`run_${i}`);
    }
    expect(await runs.get('run_0')).toBeUndefined();
    expect(await runs.get(`run_${total - MAX_FINISHED_RUNS_PER_USER - 1}`)).toBeUndefined();
    expect(await runs.get(`run_${total - MAX_FINISHED_RUNS_PER_USER}`)).toMatchObject({ status: 'finished' });
    expect(await runs.get(`run_${total - 1}`)).toEqual({ runId: `run_${total - 1}`, userId: 'alice', threadId: 't', status: 'finished' });
    expect(await runs.get('run_long')).toMatchObject({ status: 'running' });
  });

  it('finding: finished run records are dropped past the retention age', async () => {
    let now = 1_000_000;
    const bus = new MemoryBus({ retention: { maxAgeMs: 60_000 }, nowMs: () => now });
    await bus.runs.register({ runId: 'run_old', userId: 'bob', threadId: 't' });
    await bus.runs.finish('run_old');
    now += 30_000;
    expect(await bus.runs.get('run_old')).toMatchObject({ status: 'finished' });
    now += 31_000;
    expect(await bus.runs.get('run_old')).toBeUndefined();
  });
});
