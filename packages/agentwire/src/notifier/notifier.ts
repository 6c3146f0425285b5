import type { AppendedEvent, EventLog } from '../bus/types.js';
import type { RunRecorder, TerminalDraft } from '../history/run-recorder.js';
import { newId } from '../ids.js';
import type {
  ApprovalResolution,
  RunErrorCode,
  StreamEvent,
  StreamEventDataMap,
  StreamEventDraft,
  StreamEventType,
  ToolExecutor,
} from '../protocol/types.js';
import { GoldenPath, type GoldenPathState } from './golden-path.js';
import { capToolOutcome } from './tool-result-cap.js';

export interface NotifierTarget {
  readonly userId: string;
  readonly threadId: string;
  readonly runId: string;
}

export type ToolOutcome = { result: unknown } | { error: string };

/** What an agent asks the user about (protocol 1.2, "Approvals"). */
export interface ApprovalAsk {
  readonly toolCallId: string;
  readonly toolName: string;
  readonly args: unknown;
  readonly reason?: string | undefined;
  readonly expiresAt: Date;
}

/** How an approval request was settled. */
export interface ApprovalDecision {
  readonly approved: boolean;
  readonly resolution: ApprovalResolution;
  readonly reason?: string | undefined;
}

/**
 * Reports one run's progress on its user's stream. Every call is checked against the
 * golden path first (a misuse throws a coded error and appends nothing), then appended
 * to the user's stream, which gives it the next seq, retains it and fans it out.
 * Calls are appended in call order, awaited or not. With a recorder, the run's assistant
 * message is kept in the store as it goes and written in full before the terminal event
 * is appended (docs/protocol.md, "What the stream showed, history shows").
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
    private readonly recorder?: RunRecorder,
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

  /** `executor: 'client'` marks a call the user's front end runs (protocol 1.2, "Client tools"). */
  toolExecuting(
    toolName: string,
    args: unknown,
    toolCallId: string = newId('call'),
    executor?: ToolExecutor,
  ): Promise<StreamEvent<'tool_executing'>> {
    this.path.admit('tool_executing', toolCallId);
    this.toolStarts.set(toolCallId, { name: toolName, at: performance.now() });
    return this.emit('tool_executing', { tool_call_id: toolCallId, tool_name: toolName, args, ...(executor && { executor }) });
  }

  /**
   * Asks the user before a tool runs (protocol 1.2). Only the event: waiting for the
   * answer is the run's interactions' job (src/interaction/run-interactions.ts).
   */
  approvalRequested(ask: ApprovalAsk): Promise<StreamEvent<'tool_approval_requested'>> {
    this.path.admit('tool_approval_requested', ask.toolCallId);
    return this.emit('tool_approval_requested', {
      tool_call_id: ask.toolCallId,
      tool_name: ask.toolName,
      args: ask.args,
      ...(ask.reason !== undefined && { reason: ask.reason }),
      expires_at: ask.expiresAt.toISOString(),
    });
  }

  /** Exactly one per request, before the terminal event (enforced by the golden path). */
  approvalResolved(toolCallId: string, decision: ApprovalDecision): Promise<StreamEvent<'tool_approval_resolved'>> {
    this.path.admit('tool_approval_resolved', toolCallId);
    return this.emit('tool_approval_resolved', {
      tool_call_id: toolCallId,
      approved: decision.approved,
      ...(decision.reason !== undefined && { reason: decision.reason }),
      resolution: decision.resolution,
    });
  }

  /** A request still waiting for its answer, so a late answer is not reported twice. */
  isApprovalOpen(toolCallId: string): boolean {
    return this.path.isApprovalOpen(toolCallId);
  }

  toolCompleted(toolCallId: string, outcome: ToolOutcome): Promise<StreamEvent<'tool_completed'>> {
    this.path.admit('tool_completed', toolCallId);
    const start = this.toolStarts.get(toolCallId);
    this.toolStarts.delete(toolCallId);
    return this.emit('tool_completed', {
      tool_call_id: toolCallId,
      tool_name: start?.name ?? 'unknown',
      // Capped here, not in callTool, so that every agent's tool results are bounded.
      ...capToolOutcome(outcome),
      duration_ms: start ? elapsed(start.at) : 0,
    });
  }

  /**
   * Ends the run with its answer: every delta streamed so far, joined in order. Resolves
   * with the terminal event appended: `agent_error` instead when the answer could not be
   * stored in time (the store unreachable), since the stream must not show what history cannot.
   */
  completed(): Promise<StreamEvent<'agent_completed' | 'agent_error'>> {
    this.path.admit('agent_completed');
    return this.emitTerminal('agent_completed', { result: { text: this.answer() }, duration_ms: this.runDuration() });
  }

  /**
   * Ends the run with an error. Approval requests still open are resolved `cancelled` and
   * tool calls still open get their `tool_completed` with the same error first, so every
   * request and every `tool_executing` keeps its pair (docs/protocol.md, "Approvals").
   */
  failed(code: RunErrorCode, message: string): Promise<StreamEvent<'agent_completed' | 'agent_error'>> {
    const before: Promise<unknown>[] = [];
    if (!this.path.hasStarted) before.push(this.started('unknown'));
    for (const id of this.path.openApprovals()) before.push(this.approvalResolved(id, { approved: false, resolution: 'cancelled' }));
    for (const id of this.path.openToolCalls()) before.push(this.toolCompleted(id, { error: `${code}: ${message}` }));
    this.path.admit('agent_error');
    const terminal = this.emitTerminal('agent_error', { code, message, duration_ms: this.runDuration() });
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
      this.recorder?.track(appended);
      return appended.then(eventOf) as Promise<StreamEvent<T>>;
    } catch (error) {
      return Promise.reject(error as Error);
    }
  }

  /** The terminal event goes to the stream only once the run's final message is stored. */
  private async emitTerminal<T extends 'agent_completed' | 'agent_error'>(
    type: T,
    data: StreamEventDataMap[T],
  ): Promise<StreamEvent<'agent_completed' | 'agent_error'>> {
    const { recorder } = this;
    if (!recorder) return this.emit(type, data);
    const planned = { type, seq: 0, ts: new Date().toISOString(), thread_id: this.threadId, run_id: this.runId, data } as TerminalDraft;
    const terminal = await recorder.finish(planned);
    const draft = { type: terminal.type, thread_id: this.threadId, run_id: this.runId, data: terminal.data } as StreamEventDraft;
    const appended = await this.log.append(this.userId, draft);
    recorder.terminalAppended(appended);
    return appended.event as StreamEvent<'agent_completed' | 'agent_error'>;
  }
}

const eventOf = (appended: AppendedEvent): StreamEvent => appended.event;

const elapsed = (since: number): number => Math.round(performance.now() - since);
