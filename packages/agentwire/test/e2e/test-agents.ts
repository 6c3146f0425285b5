import type { Agent } from '../../src/index.js';

/** Resolves when the run is stopped (stop_agent, timeout or shutdown). */
function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
}

/**
 * Answers with the user's own text, as Markdown, then stays in flight until stopped: the
 * page tests use it to put exact text (long URLs, hostile Markdown) on screen while a run
 * is running, with the Stop buttons present.
 */
export const holdAgent: Agent = {
  name: 'hold',
  description: 'Repeats the message and keeps working until stopped',
  async run(input, { notifier, signal }) {
    await notifier.thinking('Repeating the message back.');
    await notifier.delta(input.text);
    await untilAborted(signal);
  },
};

/** Answers with the user's text and completes (for Markdown rendering of a finished answer). */
export const echoAgent: Agent = {
  name: 'echo',
  description: 'Repeats the message',
  async run(input, { notifier }) {
    await notifier.delta(input.text);
  },
};

/** Ends every run as timed out, as an agent whose model never answered would. */
export const lateAgent: Agent = {
  name: 'late',
  description: 'Always times out',
  async run(_input, { notifier }) {
    await notifier.failed('timeout', 'The model did not answer in time. Please try again.');
  },
};
