import type { ThreadTurn } from '../history/thread-turn.js';
import type { RunInteractions } from '../interaction/run-interactions.js';
import type { Notifier } from '../notifier/notifier.js';
import type { ClientToolSpec } from '../protocol/types.js';
import type { ToolContext, ToolRegistry } from './tools/registry.js';

// Defined in history/ (which builds them from the store), part of the agent's contract.
export type { ThreadTurn, TurnToolCall } from '../history/thread-turn.js';

export interface AgentInput {
  /** The user's message that started this run; empty for an agent-initiated run (no user message). */
  readonly text: string;
  readonly userId: string;
  readonly threadId: string;
  readonly runId: string;
  /**
   * Tools the user's front end offered with this message (`user_message.client_tools`,
   * protocol 1.2); call them with `context.interactions.callClientTool`. Empty when none.
   */
  readonly clientTools: readonly ClientToolSpec[];
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
   * Questions to the user (protocol 1.2): `requestApproval` before a tool runs (a tool
   * declared `needsApproval` goes through it in `callTool`), `callClientTool` for a tool the
   * front end runs. Both wait for the first answer from any tab, on any process.
   */
  readonly interactions: RunInteractions;
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
  /**
   * False: every delta is its own `agent_message_delta`, as the agent sent it, never gathered
   * with the next (docs/protocol.md, "Data, usage and coalescing"). For agents whose deltas
   * carry their own identity, as the producer API's events carry idempotency keys. Default true.
   */
  readonly coalesceDeltas?: boolean;
  run(input: AgentInput, context: AgentContext): Promise<void>;
}
