import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import type { ToolCallOutcome } from '../call-tool.js';
import type { ClientToolSpec } from '../../protocol/types.js';
import type { Tool } from '../tools/registry.js';
import type { ThreadTurn } from '../types.js';
import type { AssembledToolCall } from './stream-assembler.js';

/**
 * The conversation sent to the model: the system prompt, the thread's earlier turns
 * (conversation memory: what the user asked and what was answered), then the new message.
 */
export function conversation(systemPrompt: string | undefined, history: readonly ThreadTurn[], text: string): ChatCompletionMessageParam[] {
  const messages: ChatCompletionMessageParam[] = [];
  if (systemPrompt) messages.push({ role: 'system', content: systemPrompt });
  for (const turn of history) {
    if (turn.role === 'user') {
      messages.push({ role: 'user', content: turn.text });
      continue;
    }
    // Earlier tool calls are replayed as the endpoint produced them: the call, then each result.
    if (turn.toolCalls.length > 0) {
      messages.push({
        role: 'assistant',
        content: null,
        tool_calls: turn.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) } })),
      });
      for (const call of turn.toolCalls) {
        const content = call.error !== undefined ? JSON.stringify({ error: call.error }) : JSON.stringify(call.result ?? null);
        messages.push({ role: 'tool', tool_call_id: call.id, content });
      }
    }
    if (turn.text) messages.push({ role: 'assistant', content: turn.text });
  }
  messages.push({ role: 'user', content: text });
  return messages;
}

/** The model's own turn that asked for tools, as the endpoint expects to see it again. */
export function assistantToolCalls(content: string, calls: readonly AssembledToolCall[]): ChatCompletionMessageParam {
  return {
    role: 'assistant',
    content: content || null,
    tool_calls: calls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } })),
  };
}

/** A tool's outcome fed back to the model; failures too, so it can correct itself. */
export function toolResult(call: AssembledToolCall, outcome: ToolCallOutcome): ChatCompletionMessageParam {
  const content = outcome.ok ? JSON.stringify(outcome.result ?? null) : JSON.stringify({ error: outcome.error });
  return { role: 'tool', tool_call_id: call.id, content };
}

/** The registry's tools in the endpoint's function-calling format (JSON Schema parameters). */
export function toolDefinitions(tools: readonly Tool[]): ChatCompletionTool[] {
  return tools.map((tool) => ({
    type: 'function',
    function: { name: tool.name, description: tool.description, parameters: { ...tool.parameters } },
  }));
}

/**
 * The front end's tools (`user_message.client_tools`, protocol 1.2) in the same format; a
 * name the registry already has is left out, so the model sees one tool per name.
 */
export function clientToolDefinitions(tools: readonly ClientToolSpec[], taken: ReadonlySet<string>): ChatCompletionTool[] {
  return tools
    .filter((tool) => !taken.has(tool.name))
    .map((tool) => ({ type: 'function', function: { name: tool.name, description: tool.description, parameters: { ...tool.parameters } } }));
}
