import type { ThreadTurn, TurnToolCall } from './thread-turn.js';
import type { MessageStore, ThreadMessage } from '../store/types.js';

/** What one turn costs against the history budget: its text and its tool calls' JSON. */
function cost(turn: ThreadTurn): number {
  if (turn.role === 'user') return turn.text.length;
  let size = turn.text.length;
  for (const call of turn.toolCalls) size += call.name.length + JSON.stringify(call.args ?? null).length + JSON.stringify(call.result ?? call.error ?? null).length;
  return size;
}

function turnOf(message: ThreadMessage): ThreadTurn | undefined {
  if (message.role === 'user') return { role: 'user', text: message.text };
  const toolCalls: TurnToolCall[] = [];
  for (const part of message.parts) {
    // A call that never completed has nothing to show the model (its run ended without it).
    if (part.type !== 'tool_call' || (part.result === undefined && part.error === undefined)) continue;
    toolCalls.push({ id: part.tool_call_id, name: part.tool_name, args: part.args, ...(part.error !== undefined ? { error: part.error } : { result: part.result }) });
  }
  if (!message.text && toolCalls.length === 0) return undefined;
  return { role: 'assistant', text: message.text, toolCalls };
}

/**
 * A thread's conversation memory (docs/agents.md, "Conversation memory"): its stored
 * messages as turns, oldest first, the current run's own messages left out (and those
 * after them: messages queued behind this run, protocol 1.2 "Busy threads"), trimmed from
 * the oldest end so that the turns kept cost at most `budgetChars` (the newest turn is
 * always kept whole, so a budget smaller than it still gives the model that turn).
 */
export function turnsWithinBudget(messages: readonly ThreadMessage[], excludeRunId: string, budgetChars: number): ThreadTurn[] {
  const kept: ThreadTurn[] = [];
  let spent = 0;
  const own = messages.findIndex((m) => m.run_id === excludeRunId);
  for (let i = (own >= 0 ? own : messages.length) - 1; i >= 0; i--) {
    const message = messages[i]!;
    if (message.run_id === excludeRunId) continue;
    const turn = turnOf(message);
    if (!turn) continue;
    spent += cost(turn);
    if (spent > budgetChars && kept.length > 0) break;
    kept.push(turn);
  }
  return kept.reverse();
}

/** Messages read per page while gathering a thread's memory. */
const MEMORY_PAGE = 200;

/**
 * Reads a thread's memory from the store, newest pages first, until the budget is spent
 * or the thread's beginning is reached, so a long thread costs only what the model sees.
 */
export async function loadTurns(messages: MessageStore, threadId: string, excludeRunId: string, budgetChars: number): Promise<ThreadTurn[]> {
  const gathered: ThreadMessage[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await messages.page(threadId, { limit: MEMORY_PAGE, ...(before !== undefined && { before }) });
    gathered.unshift(...page.messages.map((m) => m.message));
    const turns = turnsWithinBudget(gathered, excludeRunId, budgetChars);
    if (page.nextBefore === null || turns.length < gathered.filter((m) => m.run_id !== excludeRunId).length) return turns;
    before = page.nextBefore;
  }
}
