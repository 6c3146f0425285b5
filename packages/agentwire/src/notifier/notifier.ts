import type { AppendedEvent, EventLog } from '../bus/types.js';
import { newId } from '../ids.js';
import type { RunErrorCode, StreamEvent, StreamEventDataMap, StreamEventType } from '../protocol/types.js';
import { GoldenPath, type GoldenPathState } from './golden-path.js';

export interface NotifierTarget {
  readonly userId: string;
  readonly threadId: string;
  readonly runId: string;
}

export type ToolOutcome = { result: unknown } | { error: string };

/**
 * Reports one run's progress on its user's stream. Every call is checked against the
 * golden path first (a misuse throws a coded error and appends nothing), then appended
 * to the user's stream, which gives it the next seq, retains it and fans it out.
 * Calls are appended in call order, awaited or not.
 */
export class Notifier {
  readonly userId: string;
  readonly threadId: string;
  readonly runId: string;
  readonly messageId: string;
  private readonly path = new GoldenPath();
  private readonly toolStarts = new Map<string, { name: string; at: number }>();
  private readonly deltas: string[] = [];
  private startedAt = 0;

  constructor(
    private readonly log: EventLog,
    target: NotifierTarget,
  ) {
    this.userId = target.userId;
    this.threadId = target.threadId;
    this.runId = target.runId;
    this.messageId = `msg_${target.runId.replace(/^run_/, '')}`;
  }

  started(agentName: string): Promise<StreamEvent<'agent_started'>> {
    this.path.admit('agent_started');
    this.startedAt = performance.now();
    return this.emit('agent_started', { agent_name: agentName });
  }

  thinking(text: string): Promise<StreamEvent<'agent_thinking'>> {
    this.path.admit('agent_thinking');
    return this.emit('agent_thinking', { text });
  }

  /** Streams a part of the answer; `agent_completed` carries all parts joined. */
  delta(delta: string): Promise<StreamEvent<'agent_message_delta'>> {
    this.path.admit('agent_message_delta');
    this.deltas.push(delta);
    return this.emit('agent_message_delta', { message_id: this.messageId, delta });
  }

  toolExecuting(toolName: string, args: unknown, toolCallId: string = newId('call')): Promise<StreamEvent<'tool_executing'>> {
    this.path.admit('tool_executing', toolCallId);
    this.toolStarts.set(toolCallId, { name: toolName, at: performance.now() });
    return this.emit('tool_executing', { tool_call_id: toolCallId, tool_name: toolName, args });
  }

  toolCompleted(toolCallId: string, outcome: ToolOutcome): Promise<StreamEvent<'tool_completed'>> {
    this.path.admit('tool_completed', toolCallId);
    const start = this.toolStarts.get(toolCallId);
    this.toolStarts.delete(toolCallId);
    return this.emit('tool_completed', {
      tool_call_id: toolCallId,
      tool_name: start?.name ?? 'unknown',
      ...outcome,
      duration_ms: start ? elapsed(start.at) : 0,
    });
  }

  /** Ends the run with its answer: every delta streamed so far, joined in order. */
  completed(): Promise<StreamEvent<'agent_completed'>> {
    this.path.admit('agent_completed');
    return this.emit('agent_completed', { result: { text: this.answer() }, duration_ms: this.runDuration() });
  }

  /**
   * Ends the run with an error. Tool calls still open get their `tool_completed` with
   * the same error first, so every `tool_executing` keeps its pair.
   */
  failed(code: RunErrorCode, message: string): Promise<StreamEvent<'agent_error'>> {
    const before: Promise<unknown>[] = [];
    if (!this.path.hasStarted) before.push(this.started('unknown'));
    for (const id of this.path.openToolCalls()) before.push(this.toolCompleted(id, { error: `${code}: ${message}` }));
    this.path.admit('agent_error');
    const terminal = this.emit('agent_error', { code, message, duration_ms: this.runDuration() });
    // `terminal` is in the list so that its failure is observed even when an earlier one fails first.
    return Promise.all([...before, terminal]).then(() => terminal);
  }

  answer(): string {
    return this.deltas.join('');
  }

  get ended(): boolean {
    return this.path.ended;
  }

  goldenPath(): GoldenPathState {
    return this.path.state();
  }

  private runDuration(): number {
    return this.startedAt === 0 ? 0 : elapsed(this.startedAt);
  }

  // Not `async`: one promise per event instead of three on the hottest call of a run.
  private emit<T extends StreamEventType>(type: T, data: StreamEventDataMap[T]): Promise<StreamEvent<T>> {
    try {
      const appended = this.log.append(this.userId, { type, thread_id: this.threadId, run_id: this.runId, data } as never);
      return appended.then(eventOf) as Promise<StreamEvent<T>>;
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }
}

const eventOf = (appended: AppendedEvent): StreamEvent => appended.event;

const elapsed = (since: number): number => Math.round(performance.now() - since);
