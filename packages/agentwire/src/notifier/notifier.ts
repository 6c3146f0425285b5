import type { AppendedEvent, EventLog } from '../bus/types.js';
import type { RunRecorder, TerminalDraft } from '../history/run-recorder.js';
import { AgentwireError } from '../errors.js';
import { newId } from '../ids.js';
import type {
  ApprovalResolution,
  RunErrorCode,
  RunUsage,
  StreamEvent,
  StreamEventDataMap,
  StreamEventDraft,
  StreamEventType,
  ToolExecutor,
} from '../protocol/types.js';
import { DeltaCoalescer, timerScheduler, type Scheduler } from './coalesce.js';
import { GoldenPath, type GoldenPathState } from './golden-path.js';
import { addUsage, checkedData } from './run-extras.js';
import { capToolOutcome } from './tool-result-cap.js';

export interface NotifierTarget {
  readonly userId: string;
  readonly threadId: string;
  readonly runId: string;
}

export type ToolOutcome = { result: unknown } | { error: string };

export interface NotifierOptions {
  /**
   * Consecutive deltas within this window go out as one event (docs/protocol.md,
   * "Coalesced deltas"); 0 sends each delta as its own event. Default 0 here; the gateway
   * passes its `coalesceDeltasMs` (default DEFAULTS.coalesceDeltasMs).
   */
  readonly coalesceMs?: number;
  /** Timer of the coalescing window, injectable so tests drive time. */
  readonly schedule?: Scheduler;
}

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
  private readonly coalescer: DeltaCoalescer<StreamEvent<'agent_message_delta'>>;
  private usageTotal: RunUsage | undefined;
  private startedAt = 0;

  constructor(
    private readonly log: EventLog,
    target: NotifierTarget,
    private readonly recorder?: RunRecorder,
    options: NotifierOptions = {},
  ) {
    this.userId = target.userId;
    this.threadId = target.threadId;
    this.runId = target.runId;
    this.messageId = `msg_${target.runId.replace(/^run_/, '')}`;
    this.coalescer = new DeltaCoalescer(
      options.coalesceMs ?? 0,
      (text) => this.emit('agent_message_delta', { message_id: this.messageId, delta: text }),
      options.schedule ?? timerScheduler,
    );
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

  /**
   * Streams a part of the answer; `agent_completed` carries all parts joined. With a
   * coalescing window the part may travel together with its neighbours: the promise then
   * resolves, once that shared event is appended, with it (its `delta` holds this part and
   * the ones coalesced with it), and rejects if that append fails. Either way the part is
   * on the stream before any later event of the run (docs/protocol.md, "Coalesced deltas").
   * Awaiting each delta therefore paces an agent to one delta per window: an agent that
   * streams fast may leave the promise (an ignored failure never goes unhandled; the
   * terminal event waits for every delta and fails with them).
   */
  delta(delta: string): Promise<StreamEvent<'agent_message_delta'>> {
    this.path.admit('agent_message_delta');
    this.deltas.push(delta);
    return this.coalescer.add(delta);
  }

  /**
   * Sends typed extras a front end renders (protocol 1.2, `agent_data`): a plan, citations,
   * progress. Throws `AW_ERR_NOTIFIER_DATA` (appending nothing) when `name` is not 1 to 64
   * characters or `data` is not JSON of at most 16 KiB.
   */
  data(name: string, data: unknown): Promise<StreamEvent<'agent_data'>> {
    const checked = checkedData(name, data);
    this.path.admit('agent_data');
    return this.emit('agent_data', checked);
  }

  /**
   * Reports the tokens one model call used; the run's terminal event carries the sum of
   * every report (protocol 1.2, `usage`). Throws `AW_ERR_NOTIFIER_USAGE` for counts that
   * are not non-negative whole numbers, `AW_ERR_NOTIFIER_ENDED` once the run has ended.
   */
  reportUsage(usage: RunUsage): void {
    if (this.path.ended) throw new AgentwireError('AW_ERR_NOTIFIER_ENDED', 'usage after the terminal event');
    this.usageTotal = addUsage(this.usageTotal, usage);
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
    return this.emitTerminal('agent_completed', { result: { text: this.answer() }, duration_ms: this.runDuration(), ...this.usageField() });
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
    const terminal = this.emitTerminal('agent_error', { code, message, duration_ms: this.runDuration(), ...this.usageField() });
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

  private usageField(): { usage?: RunUsage } {
    return this.usageTotal ? { usage: this.usageTotal } : {};
  }

  private runDuration(): number {
    return this.startedAt === 0 ? 0 : elapsed(this.startedAt);
  }

  // Not `async`: one promise per event instead of three on the hottest call of a run.
  private emit<T extends StreamEventType>(type: T, data: StreamEventDataMap[T]): Promise<StreamEvent<T>> {
    // Deltas still gathered go first: nothing of the run may overtake them.
    if (type !== 'agent_message_delta') this.coalescer.flush();
    const draft = { type, thread_id: this.threadId, run_id: this.runId, data } as StreamEventDraft;
    try {
      const { log } = this;
      if (log.appendNow) {
        // The memory engine appends at once: one settled promise per event, no reaction.
        const appended = log.appendNow(this.userId, draft);
        this.recorder?.trackNow(appended);
        return Promise.resolve(appended.event as StreamEvent<T>);
      }
      const appended = log.append(this.userId, draft);
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
    // Synchronously, before the recorder waits for the run's appends: they include these deltas.
    this.coalescer.flush();
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
