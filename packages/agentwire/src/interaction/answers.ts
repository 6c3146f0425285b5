import type { Bus, PendingAnswer, PendingRef } from '../bus/types.js';

/** How a user's `approve_tool` or `tool_result` was taken (docs/protocol.md, protocol 1.2). */
export type AnswerOutcome = 'accepted' | 'already_resolved' | 'forbidden';

/**
 * The user's side of a pending request: refused unless the run is the user's own and has
 * a request of that kind under that id (`forbidden`, revealing nothing, as for `stop_agent`);
 * then the first answer on any process wins and the run's process is told of it.
 */
export async function answerPending(bus: Bus, userId: string, ref: PendingRef, value: unknown): Promise<AnswerOutcome> {
  const run = await bus.runs.get(ref.runId);
  if (!run || run.userId !== userId) return 'forbidden';
  const answer: PendingAnswer = { by: 'user', value };
  const settled = await bus.pending.settle(ref, answer);
  if (settled.outcome === 'unknown') return 'forbidden';
  return settled.outcome === 'won' ? 'accepted' : 'already_resolved';
}
