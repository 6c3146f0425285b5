// A thread's earlier turns as an agent sees them (docs/agents.md, "Conversation memory").
// History builds them from the store (turns.ts) and agents read them (agents/types.ts
// re-exports them), so they live here, below both: history never imports agents/.

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
