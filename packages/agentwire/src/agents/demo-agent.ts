import { DEFAULTS } from '../defaults.js';
import { AgentwireError } from '../errors.js';
import { abortableDelay } from './abortable-delay.js';
import { callTool } from './call-tool.js';
import { answerChunks } from './demo/chunks.js';
import { planDemo } from './demo/plan.js';
import { forgetNotes, localTime } from './demo/interactive-steps.js';
import type { DemoStep } from './demo/plan.js';
import { DEMO_HELP, planThought, sentenceFor, skippedSentence, toolCallFor } from './demo/phrasing.js';
import type { Agent, AgentContext, AgentInput } from './types.js';

export interface DemoAgentOptions {
  /** Pause between steps so a person can watch them (AGENTWIRE_DEMO_DELAY_MS); 0 in tests. */
  delayMs?: number;
}

/**
 * The standalone server's default agent: no language model, real tools. It reads the
 * message into tool calls (calculator, clock, notes) in message order, says what it will
 * do, runs them, and streams an answer that states every result or failure. It asks
 * approval before forgetting notes and asks the front end for its local time (protocol 1.2).
 */
export function createDemoAgent({ delayMs = DEFAULTS.demoDelayMs.value }: DemoAgentOptions = {}): Agent {
  if (!Number.isFinite(delayMs) || delayMs < 0) throw new AgentwireError('AW_ERR_CONFIG', `demo delayMs must be >= 0, got ${delayMs}`);
  // The answer streams in many small parts; a full step's pause between each would drag.
  const chunkDelayMs = Math.round(delayMs / 3);

  return {
    name: 'demo',
    description: 'Arithmetic, the time in any zone, and private notes, with real tools.',
    async run(input, context) {
      const { notifier, signal } = context;
      const pause = (ms: number): Promise<void> => abortableDelay(ms, signal);

      signal.throwIfAborted();
      const plan = planDemo(input.text);
      await notifier.thinking(planThought(plan.steps, plan.skipped));

      const sentences: string[] = [];
      for (const step of plan.steps) {
        await pause(delayMs);
        sentences.push(await perform(step, input, context));
      }
      if (plan.skipped > 0) sentences.push(skippedSentence(plan.skipped));

      await pause(delayMs);
      if (plan.steps.length > 0) await notifier.thinking('Writing up the answer.');
      const answer = sentences.length > 0 ? sentences.join(' ') : DEMO_HELP;
      for (const [i, chunk] of answerChunks(answer).entries()) {
        if (i > 0) await pause(chunkDelayMs);
        // Not awaited: with coalescing, each await would wait a window (Notifier.delta).
        void notifier.delta(chunk);
      }
    },
  };
}

/** One step's sentence of the answer. */
async function perform(step: DemoStep, input: AgentInput, context: AgentContext): Promise<string> {
  switch (step.kind) {
    case 'forget':
      return forgetNotes(step.query, context);
    case 'local_time':
      return localTime(input, context);
    default: {
      const { tool, args } = toolCallFor(step);
      return sentenceFor(step, await callTool(context, tool, args));
    }
  }
}
