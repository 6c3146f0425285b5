import type { Notifier } from '../notifier/notifier.js';
import type { ToolContext, ToolRegistry } from './tools/registry.js';

/** A tool call of an earlier assistant turn, with what it returned. */
export interface TurnToolCall {
  readonly id: string;
  readonly name: string;
  readonly args: unknown;
  readonly result?: unknown;
  readonly error?: string;
}

/** One earlier turn of a thread, for agents that keep conversation memory. */
export type ThreadTurn =
  | { readonly role: 'user'; readonly text: string }
  | { readonly role: 'assistant'; readonly text: string; readonly toolCalls: readonly TurnToolCall[] };

export interface AgentInput {
  /** The user's message that started this run. */
  readonly text: string;
  readonly userId: string;
  readonly threadId: string;
  readonly runId: string;
}

export interface AgentContext {
  /** Where the agent reports its progress. The runner has already emitted `agent_started`. */
  readonly notifier: Notifier;
  /** Aborted on `stop_agent`, timeout or shutdown; stop work promptly when it fires. */
  readonly signal: AbortSignal;
  readonly tools: ToolRegistry;
  /** What a tool may touch: the acting user's own resources only. */
  readonly toolContext: ToolContext;
  /**
   * The thread's earlier turns from the store, oldest first, without the current message,
   * trimmed from the oldest end to the gateway's history budget (`historyBudgetChars`).
   */
  history(): Promise<ThreadTurn[]>;
}

/**
 * User code that turns a message into events. The runner owns the run's frame: it emits
 * `agent_started` before `run` and the terminal event after it (`agent_completed` with
 * the streamed deltas when `run` resolves, `agent_error` when it throws or is aborted),
 * unless the agent ended the run itself through the notifier.
 */
export interface Agent {
  readonly name: string;
  readonly description?: string;
  run(input: AgentInput, context: AgentContext): Promise<void>;
}
