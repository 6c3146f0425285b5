import { EventType, type AGUIEvent } from '@ag-ui/core';
import type { StreamEvent } from '../../protocol/types.js';
import { isTerminalType } from '../../protocol/terminal.js';

/**
 * The one mapping from agentwire's run events (docs/protocol.md) to AG-UI events (docs/agents.md
 * has it as a table). One mapper follows one run, in seq order, because AG-UI needs
 * opening and closing events that agentwire leaves implicit:
 *
 * - `agent_started` → RUN_STARTED.
 * - `agent_thinking` → one REASONING_MESSAGE_START/CONTENT/END each, inside a REASONING_START
 *   … REASONING_END span that groups consecutive thoughts.
 * - `agent_message_delta` → TEXT_MESSAGE_CONTENT, opened by TEXT_MESSAGE_START. The answer is
 *   one agentwire message; where thoughts or tool calls interrupt it, the text message is
 *   closed and the rest continues as a new one (`<message_id>-2`, ...), so all AG-UI text
 *   joined is `agent_completed.result.text`.
 * - `tool_executing` → TOOL_CALL_START, one TOOL_CALL_ARGS with the arguments as JSON, TOOL_CALL_END.
 * - `tool_completed` → TOOL_CALL_RESULT (the result as JSON, or `{"error": ...}`).
 * - `agent_completed` → RUN_FINISHED (outcome success, result `{ text }`).
 * - `agent_error` → RUN_ERROR (`code`, `message`), except `cancelled` (a stop, not a failure)
 *   → RUN_FINISHED with outcome cancelled.
 * - `agent_data` → CUSTOM (`name`, `value` = its data).
 * - `user_message` → nothing: it is the run's input, which the AG-UI client sent itself.
 * - any type without a row here (added by a later protocol version) → nothing.
 *
 * Open text or reasoning is closed before every other kind of event.
 */
export class AguiEventMapper {
  private text: { id: string; start: AGUIEvent } | undefined;
  private textSegments = 0;
  private reasoning: { id: string; start: AGUIEvent } | undefined;
  private runStarted: AGUIEvent | undefined;

  /** `threadId`/`runId` are the AG-UI client's own (its RunAgentInput), echoed on run events. */
  constructor(private readonly ids: { threadId: string; runId: string }) {}

  map(event: StreamEvent): AGUIEvent[] {
    const timestamp = Date.parse(event.ts);
    const out: AGUIEvent[] = [];
    switch (event.type) {
      case 'user_message':
      case 'thread_updated':
      case 'thread_deleted':
        return out;
      // AG-UI has no approval events; its clients see the tool call once it runs (docs/protocol.md, "Approvals").
      case 'tool_approval_requested':
      case 'tool_approval_resolved':
        return out;
      case 'agent_started':
        this.runStarted = {
          type: EventType.RUN_STARTED,
          timestamp,
          ...this.ids,
          // Lets an AG-UI client match the run on agentwire's side (stop_agent, GET /threads/:id/events).
          metadata: { agentwire: { run_id: event.run_id, thread_id: event.thread_id, agent_name: event.data.agent_name } },
        };
        out.push(this.runStarted);
        return out;
      case 'agent_thinking': {
        this.closeText(out, timestamp);
        if (!this.reasoning) {
          const id = `${event.run_id}-reasoning-${event.seq}`;
          this.reasoning = { id, start: { type: EventType.REASONING_START, timestamp, messageId: id } };
          out.push(this.reasoning.start);
        }
        const messageId = `${event.run_id}-thought-${event.seq}`;
        out.push(
          { type: EventType.REASONING_MESSAGE_START, timestamp, messageId, role: 'reasoning' },
          { type: EventType.REASONING_MESSAGE_CONTENT, timestamp, messageId, delta: event.data.text },
          { type: EventType.REASONING_MESSAGE_END, timestamp, messageId },
        );
        return out;
      }
      case 'agent_message_delta': {
        this.closeReasoning(out, timestamp);
        if (!this.text) {
          this.textSegments++;
          const id = this.textSegments === 1 ? event.data.message_id : `${event.data.message_id}-${this.textSegments}`;
          this.text = { id, start: { type: EventType.TEXT_MESSAGE_START, timestamp, messageId: id, role: 'assistant' } };
          out.push(this.text.start);
        }
        if (event.data.delta) out.push({ type: EventType.TEXT_MESSAGE_CONTENT, timestamp, messageId: this.text.id, delta: event.data.delta });
        return out;
      }
      case 'tool_executing': {
        this.closeOpen(out, timestamp);
        const toolCallId = event.data.tool_call_id;
        out.push(
          { type: EventType.TOOL_CALL_START, timestamp, toolCallId, toolCallName: event.data.tool_name },
          { type: EventType.TOOL_CALL_ARGS, timestamp, toolCallId, delta: JSON.stringify(event.data.args ?? {}) },
          { type: EventType.TOOL_CALL_END, timestamp, toolCallId },
        );
        return out;
      }
      case 'tool_completed': {
        this.closeOpen(out, timestamp);
        const { tool_call_id: toolCallId, result, error } = event.data;
        const content = error !== undefined ? JSON.stringify({ error }) : typeof result === 'string' ? result : JSON.stringify(result ?? null);
        out.push({ type: EventType.TOOL_CALL_RESULT, timestamp, messageId: `${toolCallId}-result`, toolCallId, content, role: 'tool' });
        return out;
      }
      case 'agent_data':
        out.push({ type: EventType.CUSTOM, timestamp, name: event.data.name, value: event.data.data });
        return out;
      case 'agent_completed':
        this.closeOpen(out, timestamp);
        out.push({ type: EventType.RUN_FINISHED, timestamp, ...this.ids, result: { text: event.data.result.text }, outcome: { type: 'success' } });
        return out;
      case 'agent_error':
        this.closeOpen(out, timestamp);
        if (event.data.code === 'cancelled') out.push({ type: EventType.RUN_FINISHED, timestamp, ...this.ids, outcome: { type: 'cancelled' } });
        else out.push({ type: EventType.RUN_ERROR, timestamp, code: event.data.code, message: event.data.message });
        return out;
      default:
        // Types this table has no row for (later protocol versions): nothing, and what is open stays open.
        return out;
    }
  }

  /**
   * What a client rejoining after the events mapped so far needs before the rest
   * (docs/agents.md, "Rejoining"): AG-UI clients check that a run starts with RUN_STARTED
   * and that content belongs to an open message, so the run's RUN_STARTED and the starts of
   * what is still open are sent again; the content already sent is not.
   */
  rejoinPrologue(): AGUIEvent[] {
    const out: AGUIEvent[] = [];
    if (this.runStarted) out.push(this.runStarted);
    if (this.reasoning) out.push(this.reasoning.start);
    if (this.text) out.push(this.text.start);
    return out;
  }

  private closeOpen(out: AGUIEvent[], timestamp: number): void {
    this.closeText(out, timestamp);
    this.closeReasoning(out, timestamp);
  }

  private closeText(out: AGUIEvent[], timestamp: number): void {
    if (!this.text) return;
    out.push({ type: EventType.TEXT_MESSAGE_END, timestamp, messageId: this.text.id });
    this.text = undefined;
  }

  private closeReasoning(out: AGUIEvent[], timestamp: number): void {
    if (!this.reasoning) return;
    out.push({ type: EventType.REASONING_END, timestamp, messageId: this.reasoning.id });
    this.reasoning = undefined;
  }
}

/** True for the agentwire events that end a run (and so its AG-UI stream). */
export function endsRun(event: StreamEvent): boolean {
  return isTerminalType(event.type);
}
