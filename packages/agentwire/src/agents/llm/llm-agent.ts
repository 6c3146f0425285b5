import OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { DEFAULTS } from '../../defaults.js';
import { AgentwireError } from '../../errors.js';
import { newId } from '../../ids.js';
import { callTool, type ToolCallOutcome } from '../call-tool.js';
import { ToolRegistry } from '../tools/registry.js';
import type { Agent, AgentContext } from '../types.js';
import { usageFromCounts } from '../../notifier/run-extras.js';
import { explainEndpointError, idleTimeoutError, LlmError, maxStepsError } from './errors.js';
import { IdleTimer } from './idle-timer.js';
import { assistantToolCalls, clientToolDefinitions, conversation, toolDefinitions, toolResult } from './messages.js';
import { ToolCallAssembler, type AssembledToolCall, type ToolCallDelta } from './stream-assembler.js';
import { ThinkingBuffer } from './thinking-buffer.js';

export interface LlmAgentOptions {
  /** Where the chat completions API lives, e.g. `http://localhost:11434/v1` (default: OpenAI's). */
  baseURL?: string;
  /** Sent as the Bearer token; local servers usually need none. */
  apiKey?: string;
  model: string;
  /** Names of the registry's tools offered to the model (default: every registered tool). */
  tools?: readonly string[];
  /** Model requests per run; a model still calling tools after this many ends the run (default 8). */
  maxSteps?: number;
  systemPrompt?: string;
  /** Longest wait for the endpoint's answer to begin, or for the next streamed chunk (default 60 s). */
  requestTimeoutMs?: number;
  /** Retries of a refused request (429, 5xx, connection failure) by the `openai` client (default 2). */
  maxRetries?: number;
  /**
   * Ask the endpoint for token counts (`stream_options.include_usage`) and report them on
   * the run's terminal event (protocol 1.2, `usage`); default true. Turn off for an endpoint
   * that refuses the option.
   */
  includeUsage?: boolean;
  /** Agent name (default `llm`). */
  name?: string;
  description?: string;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';
const DEFAULT_SYSTEM_PROMPT =
  'You are a helpful assistant. Use the tools you are given whenever they help (arithmetic, the time, the user\'s notes), then answer briefly and state the results.';

/** The parts of a streamed delta this agent reads; reasoning fields are not in OpenAI's types. */
interface StreamedDelta {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
  tool_calls?: ToolCallDelta[];
}

interface Turn {
  readonly content: string;
  readonly calls: AssembledToolCall[];
}

/**
 * An agent that drives any OpenAI-compatible chat completions endpoint (OpenAI, vLLM,
 * Ollama, llama.cpp, LM Studio) through the official `openai` client: streamed answer
 * text, reasoning as thinking, tool calls executed with the gateway's tool registry and
 * fed back until the model answers. Endpoint failures end the run with an `agent_error`
 * whose message is a short sentence for the end user with a reference; what to check goes
 * to the server log under the same reference.
 */
export function createLlmAgent(options: LlmAgentOptions): Agent {
  const settings = validate(options);
  const client = new OpenAI({ baseURL: settings.baseURL, apiKey: options.apiKey || 'none', maxRetries: settings.maxRetries });

  return {
    name: options.name ?? 'llm',
    description: options.description ?? `Answers with the language model "${settings.model}", using the tools.`,
    async run(input, context) {
      const registry = offeredTools(context.tools, options.tools);
      const scoped: AgentContext = { ...context, tools: registry };
      const serverTools = new Set(registry.list().map((tool) => tool.name));
      // Client tools run in the user's front end (protocol 1.2); a registry tool of the same name wins.
      const clientTools = new Set(input.clientTools.map((tool) => tool.name).filter((name) => !serverTools.has(name)));
      const definitions = [...toolDefinitions(registry.list()), ...clientToolDefinitions(input.clientTools, serverTools)];
      const messages = conversation(options.systemPrompt ?? DEFAULT_SYSTEM_PROMPT, await context.history(), input.text);
      try {
        for (let step = 1; ; step++) {
          const turn = await streamTurn(client, settings, scoped, messages, definitions);
          if (turn.calls.length === 0) return;
          if (step >= settings.maxSteps) throw maxStepsError(settings.maxSteps);
          messages.push(assistantToolCalls(turn.content, turn.calls));
          for (const call of turn.calls) messages.push(toolResult(call, await executeCall(scoped, call, clientTools)));
        }
      } catch (error) {
        // A stop, timeout or shutdown of the run is the runner's to report.
        if (context.signal.aborted || !(error instanceof LlmError)) throw error;
        // The user gets the short sentence and a reference; the detail (URL, variable, what the
        // endpoint said) is the error's message, which only the runner's log line carries.
        if (!context.notifier.ended) await context.notifier.failed(error.runCode, error.userMessage);
        // Rethrown so the runner counts and logs the run as failed (with `reference`); it ended already.
        throw error;
      }
    },
  };
}

type Settings = Required<Pick<LlmAgentOptions, 'baseURL' | 'model' | 'maxSteps' | 'requestTimeoutMs' | 'maxRetries' | 'includeUsage'>>;

async function streamTurn(
  client: OpenAI,
  settings: Settings,
  context: AgentContext,
  messages: ChatCompletionMessageParam[],
  tools: ChatCompletionTool[],
): Promise<Turn> {
  const { notifier } = context;
  const idle = new IdleTimer(settings.requestTimeoutMs);
  const facts = { baseURL: settings.baseURL, model: settings.model, streaming: false };
  try {
    const stream = await client.chat.completions.create(
      {
        model: settings.model,
        messages,
        stream: true,
        ...(settings.includeUsage && { stream_options: { include_usage: true } }),
        ...(tools.length > 0 && { tools }),
      },
      // The run's signal aborts the HTTP request itself on stop_agent, not just the loop.
      { signal: AbortSignal.any([context.signal, idle.signal]) },
    );
    facts.streaming = true;
    const calls = new ToolCallAssembler();
    const thinking = new ThinkingBuffer((text) => notifier.thinking(text));
    let content = '';
    let finished = false;
    for await (const chunk of stream) {
      idle.reset();
      // Sent once, on a last chunk without choices, when the endpoint honours include_usage.
      if (chunk.usage) notifier.reportUsage(usageFromCounts({ input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens, total: chunk.usage.total_tokens }));
      const choice = chunk.choices[0];
      if (!choice) continue;
      const delta = choice.delta as StreamedDelta;
      const reasoning = delta.reasoning_content ?? delta.reasoning;
      if (reasoning) await thinking.add(reasoning);
      if (delta.content) {
        await thinking.flush();
        content += delta.content;
        // Not awaited: waiting for each append would pace the model to one chunk per coalescing
        // window (Notifier.delta); the order is kept and the terminal event waits for them all.
        void notifier.delta(delta.content);
      }
      for (const call of delta.tool_calls ?? []) calls.add(call);
      if (choice.finish_reason) finished = true;
    }
    await thinking.flush();
    // A stream cut short can end without an error; only a finish_reason says the answer is whole.
    if (!finished) throw new Error('the stream ended without a finish_reason');
    return { content, calls: calls.finish(() => newId('call')) };
  } catch (error) {
    if (context.signal.aborted) throw error;
    if (idle.fired) throw idleTimeoutError(settings.requestTimeoutMs, facts);
    throw explainEndpointError(error, facts);
  } finally {
    idle.clear();
  }
}

/**
 * Runs one requested call; arguments that are not a JSON object fail the call, not the run.
 * A client tool is delegated to the user's front end; a registry tool declared
 * `needsApproval` is asked about first (callTool), and a denial is fed back to the model.
 */
async function executeCall(context: AgentContext, call: AssembledToolCall, clientTools: ReadonlySet<string>): Promise<ToolCallOutcome> {
  let args: unknown;
  try {
    args = JSON.parse(call.arguments.trim() || '{}');
  } catch {
    const error = `the arguments for ${call.name} are not valid JSON: ${call.arguments.slice(0, 200)}`;
    const executing = await context.notifier.toolExecuting(call.name, call.arguments);
    await context.notifier.toolCompleted(executing.data.tool_call_id, { error });
    return { ok: false, error };
  }
  // Fresh ids on the stream, as for every call: a model's own ids may repeat across steps.
  if (clientTools.has(call.name)) return context.interactions.callClientTool(call.name, args);
  return callTool(context, call.name, args);
}

/** The registry narrowed to the tools this agent offers, so the model can call no other. */
function offeredTools(registry: ToolRegistry, names: readonly string[] | undefined): ToolRegistry {
  if (names === undefined) return registry;
  return new ToolRegistry(registry.list().filter((tool) => names.includes(tool.name)));
}

function validate(options: LlmAgentOptions): Settings {
  const config = (detail: string) => new AgentwireError('AW_ERR_CONFIG', `llm agent: ${detail}`);
  if (!options || typeof options.model !== 'string' || options.model.trim() === '') throw config('model is required');
  const baseURL = options.baseURL ?? DEFAULT_BASE_URL;
  if (!URL.canParse(baseURL) || !/^https?:$/.test(new URL(baseURL).protocol)) throw config(`baseURL must be an http(s) URL, got "${baseURL}"`);
  const maxSteps = options.maxSteps ?? 8;
  if (!Number.isInteger(maxSteps) || maxSteps < 1) throw config(`maxSteps must be a whole number of at least 1, got ${maxSteps}`);
  const requestTimeoutMs = options.requestTimeoutMs ?? DEFAULTS.llmTimeoutMs.value;
  if (!Number.isFinite(requestTimeoutMs) || requestTimeoutMs <= 0) throw config(`requestTimeoutMs must be a positive number, got ${requestTimeoutMs}`);
  const maxRetries = options.maxRetries ?? 2;
  if (!Number.isInteger(maxRetries) || maxRetries < 0) throw config(`maxRetries must be a whole number of at least 0, got ${maxRetries}`);
  return { baseURL, model: options.model, maxSteps, requestTimeoutMs, maxRetries, includeUsage: options.includeUsage ?? true };
}
