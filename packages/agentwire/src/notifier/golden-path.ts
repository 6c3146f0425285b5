import { AgentwireError } from '../errors.js';
import type { StreamEventType } from '../protocol/types.js';

export interface GoldenPathState {
  readonly started: boolean;
  readonly openToolCalls: readonly string[];
  /** `tool_approval_requested` without its `tool_approval_resolved` yet (protocol 1.2). */
  readonly openApprovals: readonly string[];
  readonly terminal: 'agent_completed' | 'agent_error' | null;
  /** Started, every tool call completed, every approval resolved, exactly one terminal event. */
  readonly complete: boolean;
}

/**
 * The order rules of one run (docs/guarantees.md, "The golden path of a run"), checked before an
 * event is appended so that a misbehaving agent can never put a malformed run on a
 * user's stream.
 */
export class GoldenPath {
  private started = false;
  private terminal: GoldenPathState['terminal'] = null;
  private readonly openCalls = new Map<string, string>();
  private readonly usedCallIds = new Set<string>();
  private readonly openAsks = new Set<string>();
  private readonly askedCallIds = new Set<string>();

  /** Throws a coded error if `type` may not come next; records it otherwise. */
  admit(type: StreamEventType, toolCallId?: string): void {
    if (this.terminal) throw new AgentwireError('AW_ERR_NOTIFIER_ENDED', `${type} after ${this.terminal}`);
    if (type === 'agent_started') {
      if (this.started) throw new AgentwireError('AW_ERR_NOTIFIER_ALREADY_STARTED');
      this.started = true;
      return;
    }
    if (!this.started) throw new AgentwireError('AW_ERR_NOTIFIER_NOT_STARTED', type);
    switch (type) {
      case 'tool_executing':
        if (toolCallId === undefined || this.usedCallIds.has(toolCallId)) {
          throw new AgentwireError('AW_ERR_NOTIFIER_DUPLICATE_TOOL_CALL', String(toolCallId));
        }
        this.usedCallIds.add(toolCallId);
        this.openCalls.set(toolCallId, type);
        return;
      case 'tool_completed':
        if (toolCallId === undefined || !this.openCalls.delete(toolCallId)) {
          throw new AgentwireError('AW_ERR_NOTIFIER_UNKNOWN_TOOL_CALL', String(toolCallId));
        }
        return;
      // protocol 1.2: one request per tool_call_id, and exactly one resolution of it.
      case 'tool_approval_requested':
        if (toolCallId === undefined || this.askedCallIds.has(toolCallId)) {
          throw new AgentwireError('AW_ERR_NOTIFIER_DUPLICATE_APPROVAL', String(toolCallId));
        }
        this.askedCallIds.add(toolCallId);
        this.openAsks.add(toolCallId);
        return;
      case 'tool_approval_resolved':
        if (toolCallId === undefined || !this.openAsks.delete(toolCallId)) {
          throw new AgentwireError('AW_ERR_NOTIFIER_UNKNOWN_APPROVAL', String(toolCallId));
        }
        return;
      case 'agent_completed':
      case 'agent_error':
        if (this.openCalls.size > 0) {
          throw new AgentwireError('AW_ERR_NOTIFIER_TOOL_CALLS_OPEN', [...this.openCalls.keys()].join(', '));
        }
        // Every request is resolved before the terminal event (docs/protocol.md, "Approvals").
        if (this.openAsks.size > 0) throw new AgentwireError('AW_ERR_NOTIFIER_APPROVALS_OPEN', [...this.openAsks].join(', '));
        this.terminal = type;
        return;
      default:
        return;
    }
  }

  openToolCalls(): string[] {
    return [...this.openCalls.keys()];
  }

  openApprovals(): string[] {
    return [...this.openAsks];
  }

  isApprovalOpen(toolCallId: string): boolean {
    return this.openAsks.has(toolCallId);
  }

  get ended(): boolean {
    return this.terminal !== null;
  }

  get hasStarted(): boolean {
    return this.started;
  }

  state(): GoldenPathState {
    return {
      started: this.started,
      openToolCalls: this.openToolCalls(),
      openApprovals: this.openApprovals(),
      terminal: this.terminal,
      complete: this.started && this.terminal !== null && this.openCalls.size === 0 && this.openAsks.size === 0,
    };
  }
}
