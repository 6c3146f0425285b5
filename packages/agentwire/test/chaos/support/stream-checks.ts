import type { StreamEvent } from '../../../src/protocol/types.js';

/** Seqs that break "each one the previous + 1, starting right after `afterSeq`", as readable text. */
export function seqProblems(events: readonly StreamEvent[], afterSeq: number): string[] {
  const problems: string[] = [];
  let expected = afterSeq + 1;
  for (const event of events) {
    if (event.seq !== expected) problems.push(`expected seq ${expected}, got ${event.seq} (${event.type})`);
    expected = event.seq + 1;
  }
  return problems;
}

/**
 * Breaks of docs/guarantees.md "The golden path of a run" in a stream: per run, `user_message`
 * then `agent_started` first, every `tool_executing` completed once, exactly one terminal
 * event and nothing after it.
 */
export function goldenPathProblems(events: readonly StreamEvent[]): string[] {
  const problems: string[] = [];
  const runs = new Map<string, StreamEvent[]>();
  for (const event of events) {
    if (event.run_id === undefined) continue;
    let run = runs.get(event.run_id);
    if (!run) runs.set(event.run_id, (run = []));
    run.push(event);
  }
  for (const [runId, run] of runs) {
    const types = run.map((e) => e.type);
    const say = (what: string) => problems.push(`${runId}: ${what} in [${types.join(', ')}]`);
    const agentEvents = run.filter((e) => e.type !== 'user_message');
    if (agentEvents[0]?.type !== 'agent_started') say('agent_started is not the first agent event');
    if (types.filter((t) => t === 'agent_started').length !== 1) say('not exactly one agent_started');
    if (run[0]?.type === 'user_message' && types.lastIndexOf('user_message') !== 0) say('user_message not first');
    const terminals = run.filter((e) => e.type === 'agent_completed' || e.type === 'agent_error');
    if (terminals.length !== 1) say(`${terminals.length} terminal events`);
    else if (run[run.length - 1] !== terminals[0]) say('events after the terminal event');
    const open = new Set<string>();
    for (const event of run) {
      if (event.type === 'tool_executing') {
        if (open.has(event.data.tool_call_id)) say(`tool call ${event.data.tool_call_id} opened twice`);
        open.add(event.data.tool_call_id);
      }
      if (event.type === 'tool_completed' && !open.delete(event.data.tool_call_id)) say(`tool_completed without tool_executing`);
    }
    if (open.size > 0) say(`tool calls never completed: ${[...open].join(', ')}`);
  }
  return problems;
}

/** The events of `frames` in arrival order, deduplicated by seq (what a tab shows). */
export function dedupeBySeq(lists: ReadonlyArray<readonly StreamEvent[]>): StreamEvent[] {
  const bySeq = new Map<number, StreamEvent>();
  for (const list of lists) for (const event of list) if (!bySeq.has(event.seq)) bySeq.set(event.seq, event);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
