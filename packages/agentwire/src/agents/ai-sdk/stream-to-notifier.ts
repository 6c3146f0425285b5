import type { FinishReason, LanguageModelUsage, TextStreamPart, ToolSet } from 'ai';
import { AgentwireError } from '../../errors.js';
import type { Notifier } from '../../notifier/notifier.js';
import { usageFromCounts } from '../../notifier/run-extras.js';

/** How the AI SDK stream ended: its finish reason and the usage summed over its steps. */
export interface AiSdkStreamSummary {
  readonly finishReason: FinishReason | undefined;
  readonly usage: LanguageModelUsage | undefined;
}

/**
 * Carries an AI SDK full stream (`streamText(...).fullStream`, or a `ToolLoopAgent`'s) onto a
 * run's notifier, part by part, in order (docs/producers.md, "AI SDK agents in process"):
 * text deltas become `agent_message_delta`; a reasoning block becomes one `agent_thinking`;
 * a tool call `tool_executing`, its result or error `tool_completed`; an `error` part ends the
 * run with `agent_error` (thrown, so the runner ends it as it ends any failing agent).
 * Each event but a delta is awaited before the next part is read, so the model stream waits for
 * the user's; deltas are not, since the notifier coalesces them and each await would wait out a
 * window (docs/protocol.md, "Data, usage and coalescing"). The stream's token usage is reported
 * to the notifier, so the run's terminal event carries it (protocol 1.2 `usage`).
 */
export async function streamToNotifier(
  parts: AsyncIterable<TextStreamPart<ToolSet>>,
  notifier: Notifier,
  signal?: AbortSignal,
): Promise<AiSdkStreamSummary> {
  const reasoning = new Map<string, string>();
  let finishReason: FinishReason | undefined;
  let usage: LanguageModelUsage | undefined;
  for await (const part of parts) {
    // Stopped: the runner has ended the run already; nothing more may be appended.
    if (signal?.aborted) break;
    switch (part.type) {
      case 'text-delta':
        // Appended in call order with the events after it; a failed append fails those too.
        if (part.text.length > 0) void notifier.delta(part.text);
        break;
      case 'reasoning-delta':
        reasoning.set(part.id, (reasoning.get(part.id) ?? '') + part.text);
        break;
      case 'reasoning-end': {
        const text = reasoning.get(part.id);
        reasoning.delete(part.id);
        if (text) await notifier.thinking(text);
        break;
      }
      case 'tool-call':
        await notifier.toolExecuting(part.toolName, part.input, part.toolCallId);
        break;
      case 'tool-result':
        // A streaming tool's preliminary outputs are progress; only its final output completes the call.
        if (part.preliminary !== true) await notifier.toolCompleted(part.toolCallId, { result: part.output });
        break;
      case 'tool-error':
        await notifier.toolCompleted(part.toolCallId, { error: errorText(part.error) });
        break;
      case 'tool-output-denied':
        await notifier.toolCompleted(part.toolCallId, { error: 'the tool call was denied' });
        break;
      case 'error':
        throw new AgentwireError('AW_ERR_LLM_ENDPOINT', errorText(part.error), { cause: part.error });
      case 'finish':
        finishReason = part.finishReason;
        usage = part.totalUsage;
        if (!signal?.aborted) notifier.reportUsage(usageFromCounts({ input: part.totalUsage.inputTokens, output: part.totalUsage.outputTokens, total: part.totalUsage.totalTokens }));
        break;
      default:
        // Step boundaries, tool input streaming, sources, files, raw chunks: nothing the user's stream shows.
        break;
    }
  }
  for (const text of reasoning.values()) if (text && !signal?.aborted) await notifier.thinking(text);
  return { finishReason, usage };
}

function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
}
