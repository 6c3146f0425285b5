import type { Agent } from '../../src/index.js';

/**
 * A latch the test opens: agents wait on it at a fixed point of their run, so "mid-run"
 * is a known set of events, never a sleep.
 */
export class Gate {
  private open!: () => void;
  private reach!: () => void;
  /** Resolves when a run waits at the gate. */
  readonly reached: Promise<void>;
  private readonly opened: Promise<void>;

  constructor() {
    this.opened = new Promise((resolve) => (this.open = resolve));
    this.reached = new Promise((resolve) => (this.reach = resolve));
  }

  release(): void {
    this.open();
  }

  /** Called by the agent: says it is here, then waits for the test (or the run's stop). */
  async wait(signal: AbortSignal): Promise<void> {
    this.reach();
    await Promise.race([this.opened, new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }))]);
  }
}

/**
 * Agents whose runs the tests steer (docs/ai-sdk.md's chunk table, every row):
 * - `tools`: two thoughts, text, a tool that succeeds, the gate, a tool that fails, more text, completes;
 * - `broken`: some text, then fails with code `failed`;
 * - `held`: a thought and text, then stays in flight until stopped.
 * The run's user text `gate:<name>` picks the gate of `gates` the `tools` agent waits on.
 */
export function gatedAgents(gates: Map<string, Gate>): Agent[] {
  const gateOf = (text: string): Gate | undefined => gates.get(text.replace(/^gate:/, ''));
  return [
    {
      name: 'tools',
      description: 'Two tools around a gate',
      async run(input, { notifier, signal }) {
        await notifier.thinking('Looking at the question.');
        await notifier.thinking('Two tools will do.');
        await notifier.delta('Let me check. ');
        await notifier.toolExecuting('calculator', { expression: '17 * 23' }, 'call_calc');
        await notifier.toolCompleted('call_calc', { result: { value: 391 } });
        await gateOf(input.text)?.wait(signal);
        if (signal.aborted) return;
        await notifier.toolExecuting('lookup', { key: 'answer' }, 'call_lookup');
        await notifier.toolCompleted('call_lookup', { error: 'no such key' });
        await notifier.thinking('The first tool was enough.');
        await notifier.delta('17 * 23 = ');
        await notifier.delta('391.');
      },
    },
    {
      name: 'broken',
      description: 'Fails after some text',
      async run(_input, { notifier }) {
        await notifier.delta('Partial answer');
        await notifier.failed('failed', 'The model broke.');
      },
    },
    {
      name: 'held',
      description: 'Stays in flight until stopped',
      async run(input, { notifier, signal }) {
        await notifier.thinking('Working on it.');
        await notifier.delta(input.text);
        await new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', resolve, { once: true })));
      },
    },
  ];
}
