import type { StreamEvent } from '../../src/client.js';

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
  status: 'running' | 'completed' | 'failed';
  error?: { code: string; message: string };
  durationMs?: number;
}

/**
 * One thread's runs, built from stream events. Events are applied at most once, keyed by
 * `seq`, so the HTTP history and the live stream can overlap in any order without a
 * duplicated line or a doubled answer; deltas are kept by seq and joined in seq order.
 */
export class ThreadModel {
  readonly runs = new Map<string, Run>();
  private readonly seen = new Set<number>();
  private readonly deltas = new Map<string, Map<number, string>>();

  constructor(readonly threadId: string) {}

  /** Returns the run that changed, or undefined when the event was already applied. */
  apply(event: StreamEvent): Run | undefined {
    if (event.thread_id !== this.threadId || this.seen.has(event.seq)) return undefined;
    this.seen.add(event.seq);
    const run = this.runFor(event);
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
        const call = this.toolCall(run, event.data.tool_call_id);
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
        run.answer = [...parts.entries()].sort((a, b) => a[0] - b[0]).map(([, d]) => d).join('');
        break;
      }
      case 'agent_completed':
        run.status = 'completed';
        run.answer = event.data.result.text;
        run.durationMs = event.data.duration_ms;
        break;
      case 'agent_error':
        run.status = 'failed';
        run.error = { code: event.data.code, message: event.data.message };
        run.durationMs = event.data.duration_ms;
        break;
    }
    return run;
  }

  /** Runs in the order they started. */
  ordered(): Run[] {
    return [...this.runs.values()].sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  }

  private runFor(event: StreamEvent): Run {
    let run = this.runs.get(event.run_id);
    if (!run) {
      run = { runId: event.run_id, userText: '', startedAt: event.ts, steps: [], answer: '', status: 'running' };
      this.runs.set(event.run_id, run);
    }
    return run;
  }

  private toolCall(run: Run, id: string): ToolCall | undefined {
    for (const step of run.steps) if (step.kind === 'tool' && step.call.id === id) return step.call;
    return undefined;
  }
}
