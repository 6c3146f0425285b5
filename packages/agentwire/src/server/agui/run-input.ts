import type { Message, RunAgentInput } from '@ag-ui/core';
import { RunAgentInputSchema } from '@ag-ui/core/schemas';
import { clientThreadIdProblem } from '../client-thread-ids.js';

/** What `POST /agui` runs: the client's ids, the text of its last user message, the agent it picked. */
export interface AguiRunRequest {
  readonly input: RunAgentInput;
  readonly text: string;
  readonly agent: string | undefined;
}

export type AguiInputResult = { ok: true; request: AguiRunRequest } | { ok: false; message: string };

/** The run id is kept as the run's `client_msg_id` (`agui:<runId>`, at most 128 characters). */
const MAX_RUN_ID = 100;

/**
 * Validates an AG-UI RunAgentInput with `@ag-ui/core`'s own schema, then what agentwire
 * needs of it. Messages other than the last user message are not re-sent to the agent:
 * the thread's memory is agentwire's own (the thread's retained turns).
 */
export function parseRunInput(body: unknown): AguiInputResult {
  const parsed = RunAgentInputSchema.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue?.path.join('.') || 'body';
    return { ok: false, message: `${field}: ${issue?.message ?? 'invalid'} (expected an AG-UI RunAgentInput)` };
  }
  const input = parsed.data as RunAgentInput;
  const badThread = clientThreadIdProblem('threadId', input.threadId);
  if (badThread) return { ok: false, message: badThread };
  if (input.runId.length === 0 || input.runId.length > MAX_RUN_ID) return { ok: false, message: `runId: 1 to ${MAX_RUN_ID} characters` };
  const last = input.messages.findLast((m) => m.role === 'user');
  const text = last ? textOf(last).trim() : '';
  if (!text) return { ok: false, message: 'messages: needs a last user message with text' };
  const agent: unknown = (input.forwardedProps as { agent?: unknown } | undefined)?.agent;
  if (agent !== undefined && typeof agent !== 'string') return { ok: false, message: 'forwardedProps.agent: must be an agent name' };
  return { ok: true, request: { input, text, agent } };
}

function textOf(message: Message): string {
  const { content } = message as { content?: unknown };
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part): part is { type: 'text'; text: string } => (part as { type?: unknown }).type === 'text')
    .map((part) => part.text)
    .join('\n');
}
