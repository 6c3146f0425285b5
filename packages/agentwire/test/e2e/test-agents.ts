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

/** What `dataAgent` reports, for the page tests to compare with what the page shows. */
export const DATA_AGENT = Object.freeze({
  citations: [
    { title: 'agentwire protocol', url: 'https://example.com/protocol?a=1&b=2' },
    { title: 'not a web link', url: 'javascript:alert(1)' },
    { title: 'relative path', url: '/etc/passwd' },
  ],
  plan: { steps: ['look', 'answer'] },
  usage: { input_tokens: 1200, output_tokens: 34, total_tokens: 1234 },
  answer: 'Here is what I found.',
});

/**
 * Reports progress twice (a half, then all of it), citations (one safe link and two that must
 * not become links), a data part of a name the page does not know, and its token usage
 * (protocol 1.2 "Data and usage"), then answers.
 */
export const dataAgent: Agent = {
  name: 'data',
  description: 'Reports progress, citations and usage',
  async run(_input, { notifier }) {
    await notifier.data('progress', { value: 1, max: 2, label: 'Searching' });
    await notifier.data('citations', DATA_AGENT.citations);
    await notifier.data('plan', DATA_AGENT.plan);
    await notifier.data('progress', { value: 2, max: 2, label: 'Searching' });
    notifier.reportUsage(DATA_AGENT.usage);
    await notifier.delta(DATA_AGENT.answer);
  },
};
