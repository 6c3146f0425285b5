import type { RunErrorCode, RunUsage, StreamEvent } from '../protocol/types.js';
import type { ApprovalStatus, AssistantMessage, AssistantStatus, MessagePart, UserMessage } from '../store/types.js';

type ToolCallPart = Extract<MessagePart, { type: 'tool_call' }>;
type ApprovalPart = Extract<MessagePart, { type: 'approval' }>;
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The assistant message's id for a run: derived, so every process names it alike. */
export const assistantMessageId = (runId: string): string => `msg_${runId.replace(/^run_/, '')}`;
/** The user message's id for a run. */
export const userMessageId = (runId: string): string => `umsg_${runId.replace(/^run_/, '')}`;

const STATUS_OF_ERROR: Record<RunErrorCode, AssistantStatus> = {
  failed: 'failed',
  cancelled: 'cancelled',
  timeout: 'timeout',
  shutdown: 'shutdown',
};

/**
 * Folds one run's stream events into its assistant message, the compaction rules of
 * docs/protocol.md ("History"): parts in append order, consecutive thinking merged with a
 * newline, consecutive deltas concatenated, each tool call one part completed in place,
 * the answer text every delta joined, also when the run ends in error. The same fold
 * serves the live run (its recorder), a snapshot (a stored checkpoint plus the events
 * after it) and an orphaned run closed by another process, so they can never disagree.
 */
export class MessageCompactor {
  private readonly parts: Array<Mutable<MessagePart>>;
  private readonly openCalls = new Map<string, Mutable<ToolCallPart>>();
  private readonly openApprovals = new Map<string, Mutable<ApprovalPart>>();
  private text: string;
  private agentName: string;
  private status: AssistantStatus;
  private error: { code: string; message: string } | undefined;
  private completedAt: string | undefined;
  private durationMs: number | undefined;
  private usage: RunUsage | undefined;
  private readonly createdAt: string;
  private readonly startedAtMs: number;
  private readonly messageId: string;

  private constructor(
    readonly runId: string,
    base: AssistantMessage,
  ) {
    this.parts = base.parts.map((part) => ({ ...part }) as Mutable<MessagePart>);
    for (const part of this.parts) {
      if (part.type === 'tool_call' && part.result === undefined && part.error === undefined) this.openCalls.set(part.tool_call_id, part);
      if (part.type === 'approval' && part.status === 'pending') this.openApprovals.set(part.tool_call_id, part);
    }
    this.text = base.text;
    this.agentName = base.agent_name;
    this.status = base.status;
    this.error = base.error && { ...base.error };
    this.completedAt = base.completed_at;
    this.durationMs = base.duration_ms;
    this.usage = base.usage && { ...base.usage };
    this.createdAt = base.created_at;
    this.startedAtMs = Date.parse(base.created_at);
    this.messageId = assistantMessageId(runId);
  }

  /** A run with nothing folded yet. */
  static start(runId: string, agentName: string, createdAt: string): MessageCompactor {
    return new MessageCompactor(runId, {
      message_id: assistantMessageId(runId),
      role: 'assistant',
      run_id: runId,
      agent_name: agentName,
      status: 'running',
      parts: [],
      text: '',
      created_at: createdAt,
    });
  }

  /** Continues from a stored message (a checkpoint). */
  static from(message: AssistantMessage): MessageCompactor {
    return new MessageCompactor(message.run_id, message);
  }

  get ended(): boolean {
    return this.status !== 'running';
  }

  /** Folds one event of this run; events of other runs and `user_message` are ignored. */
  fold(event: StreamEvent): void {
    if (event.run_id !== this.runId || this.ended) return;
    switch (event.type) {
      case 'agent_started':
        this.agentName = event.data.agent_name;
        return;
      case 'agent_thinking': {
        const last = this.parts.at(-1);
        if (last?.type === 'thinking') last.text = `${last.text}\n${event.data.text}`;
        else this.parts.push({ type: 'thinking', text: event.data.text });
        return;
      }
      case 'agent_message_delta': {
        const last = this.parts.at(-1);
        if (last?.type === 'text') last.text += event.data.delta;
        else this.parts.push({ type: 'text', text: event.data.delta });
        this.text += event.data.delta;
        return;
      }
      case 'tool_executing': {
        const part: Mutable<ToolCallPart> = {
          type: 'tool_call',
          tool_call_id: event.data.tool_call_id,
          tool_name: event.data.tool_name,
          args: event.data.args,
        };
        this.parts.push(part);
        this.openCalls.set(part.tool_call_id, part);
        return;
      }
      case 'tool_completed': {
        const part = this.openCalls.get(event.data.tool_call_id);
        if (!part) return;
        this.openCalls.delete(event.data.tool_call_id);
        if (event.data.error !== undefined) part.error = event.data.error;
        else part.result = event.data.result;
        part.duration_ms = event.data.duration_ms;
        return;
      }
      case 'agent_data':
        this.parts.push({ type: 'data', name: event.data.name, data: event.data.data });
        return;
      // protocol 1.2: one part per request, pending until resolved in place.
      case 'tool_approval_requested': {
        const part: Mutable<ApprovalPart> = {
          type: 'approval',
          tool_call_id: event.data.tool_call_id,
          tool_name: event.data.tool_name,
          args: event.data.args,
          status: 'pending',
        };
        this.parts.push(part);
        this.openApprovals.set(part.tool_call_id, part);
        return;
      }
      case 'tool_approval_resolved': {
        const part = this.openApprovals.get(event.data.tool_call_id);
        if (!part) return;
        this.openApprovals.delete(event.data.tool_call_id);
        part.status = approvalStatus(event.data.approved, event.data.resolution);
        return;
      }
      case 'agent_completed':
        // The answer of record is the terminal event's: it equals every delta joined.
        this.text = event.data.result.text;
        this.finish('completed', event.ts, event.data.duration_ms, event.data.usage);
        return;
      case 'agent_error':
        this.error = { code: event.data.code, message: event.data.message };
        this.finish(STATUS_OF_ERROR[event.data.code], event.ts, event.data.duration_ms, event.data.usage);
        return;
      default:
        return;
    }
  }

  /**
   * A copy of the message as folded so far (the store may keep it while this one goes on).
   * Built with one shape and no spread of optional fields: a running run's recorder takes one
   * per checkpoint.
   */
  message(): AssistantMessage {
    const message: Mutable<AssistantMessage> = {
      message_id: this.messageId,
      role: 'assistant',
      run_id: this.runId,
      agent_name: this.agentName,
      status: this.status,
      parts: this.parts.map(copyPart),
      text: this.text,
      created_at: this.createdAt,
    };
    if (this.error) message.error = { code: this.error.code, message: this.error.message };
    if (this.completedAt !== undefined) message.completed_at = this.completedAt;
    if (this.durationMs !== undefined) message.duration_ms = this.durationMs;
    if (this.usage) message.usage = { ...this.usage };
    return message;
  }

  private finish(status: AssistantStatus, at: string, durationMs: number, usage: RunUsage | undefined): void {
    this.status = status;
    if (usage) this.usage = { ...usage };
    this.completedAt = at;
    this.durationMs = Number.isFinite(durationMs) ? durationMs : Math.max(0, Date.parse(at) - this.startedAtMs);
  }
}

const copyPart = (part: Mutable<MessagePart>): MessagePart => ({ ...part });

function approvalStatus(approved: boolean, resolution: 'user' | 'expired' | 'cancelled'): ApprovalStatus {
  if (resolution !== 'user') return resolution;
  return approved ? 'approved' : 'denied';
}

/** A final message shown as the stream still saw it: running, before its terminal event. */
export function asRunning(message: AssistantMessage): AssistantMessage {
  const { error: _error, completed_at: _completedAt, duration_ms: _duration, usage: _usage, ...rest } = message;
  return { ...rest, status: 'running' };
}

/**
 * A user message is `queued` (protocol 1.2) only until its run starts: from then on its
 * run's assistant message follows it, so the flag is dropped (docs/protocol.md, "Busy
 * threads"). History (snapshot.ts) and the browser-side fold (react/thread-fold.ts) both
 * apply it, so a tab shows what history says.
 */
export function startedUserMessage(message: UserMessage): UserMessage {
  if (!message.queued) return message;
  const { queued: _queued, ...rest } = message;
  return rest;
}
