import type { StreamEvent } from '../../src/client.js';
import type { AssistantMessage, HistoryMessage, RunStatus } from './history-types.js';

export interface ToolCall {
  id: string;
  name: string;
  args: unknown;
  result?: unknown;
  error?: string;
  durationMs?: number;
}

export type Step = { kind: 'thinking'; text: string } | { kind: 'tool'; call: ToolCall };

export interface Run {
  runId: string;
  userText: string;
  startedAt: string;
  agentName?: string;
  steps: Step[];
  answer: string;
  status: RunStatus;
  error?: { code: string; message: string };
  durationMs?: number;
}

/** Which run status an `agent_error` code means; unknown codes are failures. */
export function statusOfError(code: string): RunStatus {
  return code === 'cancelled' || code === 'timeout' || code === 'shutdown' ? code : 'failed';
}

/**
 * One thread's runs, from a history snapshot plus the stream events after it. The snapshot
 * reflects every event with `seq <= floor` (PROTOCOL.md "Snapshot, then follow"): those are
 * skipped, so a live event is never applied twice. Live events are kept as they arrive, so a
 * snapshot that lands after them (or a refetch) is seeded and the newer ones replayed on top.
 * Without a snapshot (the v1 `/events` route) events are applied at most once, keyed by `seq`.
 */
export class ThreadModel {
  readonly runs = new Map<string, Run>();
  private floor = 0;
  private readonly seen = new Set<number>();
  /** Answer text the snapshot already held, per run; deltas after the floor extend it. */
  private readonly answerBase = new Map<string, string>();
  private readonly deltas = new Map<string, Map<number, string>>();
  private readonly live: StreamEvent[] = [];

  constructor(readonly threadId: string) {}

  /** Replaces what is known with a snapshot at stream position `lastSeq`, then replays newer live events. */
  seed(messages: HistoryMessage[], lastSeq: number): void {
    this.runs.clear();
    this.seen.clear();
    this.answerBase.clear();
    this.deltas.clear();
    this.floor = lastSeq;
    this.prepend(messages);
    for (const event of this.live) this.applyOne(event);
  }

  /** Older messages (a page fetched with `before`): added in front, nothing replayed. */
  prepend(messages: HistoryMessage[]): void {
    // A page boundary may fall between a run's user and assistant messages: the run is then
    // created by its assistant message and completed by the user message of the older page.
    for (const message of messages) {
      const run = this.runs.get(message.run_id) ?? this.newRun(message.run_id, message.created_at);
      if (message.role === 'user') {
        run.userText = message.text;
        run.startedAt = message.created_at;
      } else this.fromAssistant(run, message);
    }
  }

  /** Forgets live events of an earlier stream life (a fresh connection after a restart or a gap). */
  resetLive(): void {
    this.live.length = 0;
  }

  /** An event read from the v1 `/events` route: applied once, not kept as live. */
  applyPast(event: StreamEvent): Run | undefined {
    return event.thread_id === this.threadId ? this.applyOne(event) : undefined;
  }

  /** True while a run of this thread is in flight. */
  running(): Run[] {
    return [...this.runs.values()].filter((run) => run.status === 'running');
  }

  /** Returns the run that changed, or undefined when the event was already reflected. */
  apply(event: StreamEvent): Run | undefined {
    if (event.thread_id !== this.threadId) return undefined;
    this.live.push(event);
    return this.applyOne(event);
  }

  /** Runs in the order they started. */
  ordered(): Run[] {
    return [...this.runs.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  private applyOne(event: StreamEvent): Run | undefined {
    if (event.seq <= this.floor || this.seen.has(event.seq)) return undefined;
    this.seen.add(event.seq);
    if (!event.run_id) return undefined;
    const run = this.runs.get(event.run_id) ?? this.newRun(event.run_id, event.ts);
    switch (event.type) {
      case 'user_message':
        run.userText = event.data.text;
        run.startedAt = event.ts;
        break;
      case 'agent_started':
        run.agentName = event.data.agent_name;
        break;
      case 'agent_thinking':
        run.steps.push({ kind: 'thinking', text: event.data.text });
        break;
      case 'tool_executing':
        run.steps.push({ kind: 'tool', call: { id: event.data.tool_call_id, name: event.data.tool_name, args: event.data.args } });
        break;
      case 'tool_completed': {
        const call = toolCall(run, event.data.tool_call_id);
        if (call) {
          if (event.data.error !== undefined) call.error = event.data.error;
          else call.result = event.data.result;
          call.durationMs = event.data.duration_ms;
        }
        break;
      }
      case 'agent_message_delta': {
        const parts = this.deltas.get(run.runId) ?? new Map<number, string>();
        this.deltas.set(run.runId, parts);
        parts.set(event.seq, event.data.delta);
        const joined = [...parts.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d).join('');
        run.answer = (this.answerBase.get(run.runId) ?? '') + joined;
        break;
      }
      case 'agent_completed':
        run.status = 'completed';
        run.answer = event.data.result.text;
        run.durationMs = event.data.duration_ms;
        break;
      case 'agent_error':
        run.status = statusOfError(event.data.code);
        run.error = { code: event.data.code, message: event.data.message };
        run.durationMs = event.data.duration_ms;
        break;
      default:
        return undefined;
    }
    return run;
  }

  private fromAssistant(run: Run, message: AssistantMessage): void {
    run.agentName = message.agent_name;
    run.status = message.status;
    run.answer = message.text;
    this.answerBase.set(run.runId, message.text);
    if (message.error) run.error = { ...message.error };
    if (message.duration_ms !== undefined) run.durationMs = message.duration_ms;
    run.steps = [];
    for (const part of message.parts) {
      if (part.type === 'thinking') {
        run.steps.push({ kind: 'thinking', text: String(part['text']) });
      } else if (part.type === 'tool_call') {
        const p = part as Extract<AssistantMessage['parts'][number], { type: 'tool_call' }>;
        run.steps.push({
          kind: 'tool',
          call: {
            id: p.tool_call_id,
            name: p.tool_name,
            args: p.args,
            ...('result' in p && { result: p.result }),
            ...(p.error !== undefined && { error: p.error }),
            ...(p.duration_ms !== undefined && { durationMs: p.duration_ms }),
          },
        });
      }
    }
  }

  private newRun(runId: string, startedAt: string): Run {
    const run: Run = { runId, userText: '', startedAt, steps: [], answer: '', status: 'running' };
    this.runs.set(runId, run);
    return run;
  }
}

function toolCall(run: Run, id: string): ToolCall | undefined {
  for (const step of run.steps) if (step.kind === 'tool' && step.call.id === id) return step.call;
  return undefined;
}
