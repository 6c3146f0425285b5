import type { ModelMessage, TextStreamPart, ToolSet } from 'ai';
import type { Agent, AgentInput, ThreadTurn } from '../types.js';
import { streamToNotifier, type AiSdkStreamSummary } from './stream-to-notifier.js';

/** What `stream` is given for one run. */
export interface AiSdkRunInput extends AgentInput {
  /** The thread's earlier turns and the user's message, ready for `streamText({ messages })`. */
  readonly messages: ModelMessage[];
  /** Pass it as `abortSignal`: `stop_agent`, the run timeout and shutdown abort the model call. */
  readonly signal: AbortSignal;
}

/** Anything with an AI SDK full stream: `streamText(...)`'s result, `ToolLoopAgent.stream(...)`'s. */
export interface AiSdkStreamSource {
  readonly fullStream: AsyncIterable<TextStreamPart<ToolSet>>;
}

export interface AiSdkAgentOptions {
  readonly name: string;
  readonly description?: string;
  /** Starts the model call of one run. */
  stream(input: AiSdkRunInput): AiSdkStreamSource | PromiseLike<AiSdkStreamSource>;
  /** Called once the stream finished, with its finish reason and token usage. */
  onFinish?(summary: AiSdkStreamSummary, input: AgentInput): void;
}

/**
 * An agentwire agent whose work is an AI SDK stream (docs/producers.md, "AI SDK agents in process"): the
 * runner's frame and notifier, the stream's parts as the run's events.
 */
export function createAiSdkAgent(options: AiSdkAgentOptions): Agent {
  return {
    name: options.name,
    ...(options.description !== undefined && { description: options.description }),
    async run(input, context) {
      const earlier = await context.history();
      const messages = [...earlier.map(toModelMessage), ...(input.text ? [{ role: 'user' as const, content: input.text }] : [])];
      const source = await options.stream({ ...input, messages, signal: context.signal });
      const summary = await streamToNotifier(source.fullStream, context.notifier, context.signal);
      options.onFinish?.(summary, input);
    },
  };
}

/** An earlier turn as the model reads it: its text only (earlier tool calls are not replayed to the model). */
function toModelMessage(turn: ThreadTurn): ModelMessage {
  return turn.role === 'user' ? { role: 'user', content: turn.text } : { role: 'assistant', content: turn.text };
}
