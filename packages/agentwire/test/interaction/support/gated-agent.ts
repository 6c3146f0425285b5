import type { Agent } from '../../../src/index.js';

export type Outcome = 'complete' | 'fail' | 'hang';

/**
 * An agent the test ends by hand: each run waits at its gate until the test opens it with
 * an outcome (or the run is stopped). It records which runs of a thread execute at once,
 * so overlapping runs are caught where they happen, not only on the stream.
 */
export class GatedAgents {
  private readonly gates = new Map<string, (outcome: Outcome) => void>();
  private readonly waitingFor = new Map<string, () => void>();
  private readonly activeByThread = new Map<string, number>();
  /** The most runs of one thread ever executing at once. */
  maxOverlap = 0;
  readonly startedRuns: string[] = [];

  readonly agent: Agent = {
    name: 'gated',
    run: async (input, { notifier, signal }) => {
      const leave = this.enter(input.threadId, input.runId);
      try {
        await notifier.delta(`start ${input.text};`);
        const outcome = await new Promise<Outcome>((resolve, reject) => {
          this.gates.set(input.runId, resolve);
          this.waitingFor.get(input.runId)?.();
          signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
        });
        if (outcome === 'fail') throw new Error('failed on purpose');
        // Hangs until the runner gives up on it (its timeout aborts the signal), as a well-behaved agent would.
        if (outcome === 'hang') await new Promise<never>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
        await notifier.delta(` end ${input.text}`);
      } finally {
        leave();
      }
    },
  };

  /** An agent that answers at once (after a turn of the event loop), counting overlap too. */
  readonly quick: Agent = {
    name: 'quick',
    run: async (input, { notifier }) => {
      const leave = this.enter(input.threadId, input.runId);
      try {
        await new Promise((resolve) => setImmediate(resolve));
        await notifier.delta(input.text);
      } finally {
        leave();
      }
    },
  };

  /** Counts a run of `threadId` as executing until the returned function is called. */
  private enter(threadId: string, runId: string): () => void {
    const active = (this.activeByThread.get(threadId) ?? 0) + 1;
    this.activeByThread.set(threadId, active);
    this.maxOverlap = Math.max(this.maxOverlap, active);
    this.startedRuns.push(runId);
    return () => this.activeByThread.set(threadId, (this.activeByThread.get(threadId) ?? 1) - 1);
  }

  /** Resolves once the run waits at its gate (it has started). */
  reached(runId: string): Promise<void> {
    if (this.gates.has(runId)) return Promise.resolve();
    return new Promise((resolve) => this.waitingFor.set(runId, resolve));
  }

  open(runId: string, outcome: Outcome): void {
    const gate = this.gates.get(runId);
    if (!gate) throw new Error(`run ${runId} is not at its gate`);
    gate(outcome);
  }
}
