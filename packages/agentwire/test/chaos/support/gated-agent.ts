import type { Agent } from '../../../src/index.js';

/**
 * A permit counter one run's agent waits on before each step, so a test decides exactly
 * how far the run has got when it disconnects, resumes or shuts the server down.
 */
export class Gate {
  /** How many times the agent has reached the gate (one more than the steps it took). */
  arrivals = 0;
  private permits = 0;
  private readonly waiting = new Set<() => void>();

  release(count = 1): void {
    this.permits += count;
    for (const wake of [...this.waiting]) wake();
  }

  /** Resolves with a permit; rejects when the run is aborted (stop, timeout, shutdown). */
  pass(signal: AbortSignal): Promise<void> {
    this.arrivals++;
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.waiting.delete(tryTake);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      const tryTake = () => {
        if (this.permits === 0) return;
        this.permits--;
        this.waiting.delete(tryTake);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.add(tryTake);
      tryTake();
    });
  }
}

/** The gates of every run of one test server, by run id. */
export class Gates {
  private readonly byRun = new Map<string, Gate>();

  for(runId: string): Gate {
    let gate = this.byRun.get(runId);
    if (!gate) this.byRun.set(runId, (gate = new Gate()));
    return gate;
  }
}

export type GatedScript = 'completes' | 'fails';

/** The stream of one run of `gatedAgent`, by event type, `user_message` first. */
export const GATED_STREAM: Record<GatedScript, readonly string[]> = {
  completes: [
    'user_message',
    'agent_started',
    'agent_thinking',
    'tool_executing',
    'tool_completed',
    'agent_thinking',
    'agent_message_delta',
    'agent_message_delta',
    'agent_completed',
  ],
  // The agent throws with its tool call still open: the runner closes the call, then ends the run.
  fails: ['user_message', 'agent_started', 'agent_thinking', 'tool_executing', 'tool_completed', 'agent_error'],
};

/**
 * An agent whose every step waits for its run's gate. A message starting with "fail"
 * follows the `fails` script, anything else `completes`.
 */
export function gatedAgent(gates: Gates, name = 'gated'): Agent {
  return {
    name,
    async run(input, { notifier, signal }) {
      const gate = gates.for(input.runId);
      const step = () => gate.pass(signal);
      await step();
      await notifier.thinking('planning');
      await step();
      const call = await notifier.toolExecuting('calculator', { expression: '17 * 23' });
      await step();
      if (input.text.startsWith('fail')) throw new Error('the gated agent was told to fail');
      await notifier.toolCompleted(call.data.tool_call_id, { result: 391 });
      await step();
      await notifier.thinking('writing');
      await step();
      await notifier.delta('17 * 23 ');
      await step();
      await notifier.delta('= 391');
      await step();
    },
  };
}
