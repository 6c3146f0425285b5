import type { UIMessageChunk } from 'ai';
import { assistantMessageId } from '../../history/compaction.js';
import type { StreamEvent } from '../../protocol/types.js';
import type { AssistantMessage } from '../../store/types.js';

/** What agentwire adds to the UI message's metadata (on `start`): the ids its other routes take. */
export interface AgentwireMessageMetadata {
  readonly agentwire: { readonly thread_id: string; readonly run_id: string; readonly agent_name: string };
}

/**
 * The one mapping from agentwire's run events (docs/protocol.md) to the AI SDK's
 * `UIMessageChunk`s, used by both AI SDK transports (docs/ai-sdk.md has it as a table).
 * One mapper follows one run in seq order. The chunks are a pure function of the run's
 * events, so every process derives the same list: a chunk's index in it is its `sequence`
 * (docs/ai-sdk.md, "Resume").
 *
 * The parts it builds are the parts of the run's stored message (src/history/compaction.ts):
 * consecutive thoughts form one reasoning part (joined with a newline), consecutive deltas
 * one text part, each tool call one tool part completed in place. Unknown event types
 * (added by later protocol versions) map to nothing.
 */
export class UiChunkMapper {
  private text: string | undefined;
  private textParts = 0;
  private reasoning: string | undefined;
  private ended = false;

  constructor(private readonly threadId: string) {}

  /** True once the run's terminal event was mapped. */
  get finished(): boolean {
    return this.ended;
  }

  map(event: StreamEvent): UIMessageChunk[] {
    const out: UIMessageChunk[] = [];
    if (this.ended) return out;
    switch (event.type) {
      case 'agent_started':
        out.push(this.start(event.run_id ?? '', event.data.agent_name));
        return out;
      case 'agent_thinking':
        this.thought(out, event.run_id ?? '', event.seq, event.data.text);
        return out;
      case 'agent_message_delta':
        this.delta(out, event.data.message_id, event.data.delta);
        return out;
      case 'tool_executing':
        this.closeOpen(out);
        out.push({ type: 'tool-input-available', toolCallId: event.data.tool_call_id, toolName: event.data.tool_name, input: event.data.args ?? {} });
        return out;
      case 'tool_completed':
        this.closeOpen(out);
        out.push(toolOutput(event.data.tool_call_id, event.data.result, event.data.error));
        return out;
      case 'agent_data':
        this.closeOpen(out);
        out.push(dataChunk(event.data.name, event.data.data));
        return out;
      case 'agent_completed':
        this.end(out, undefined);
        return out;
      case 'agent_error':
        this.end(out, event.data);
        return out;
      default:
        // user_message (the request itself), thread events and types this mapper does not know.
        return out;
    }
  }

  /**
   * The chunks of a stored message, for a run whose first events retention dropped: the
   * parts it has so far, left open as the events would have left them, so that the run's
   * later events continue them, and its end if it has ended (docs/ai-sdk.md, "Resume").
   */
  replayMessage(message: AssistantMessage): UIMessageChunk[] {
    const out: UIMessageChunk[] = [this.start(message.run_id, message.agent_name)];
    message.parts.forEach((part, index) => {
      if (part.type === 'thinking') this.thought(out, message.run_id, index, part.text);
      else if (part.type === 'text') this.delta(out, message.message_id, part.text);
      else if (part.type === 'data') {
        this.closeOpen(out);
        out.push(dataChunk(part.name, part.data));
      } else if (part.type === 'approval') {
        // Not carried over the AI SDK transports (docs/ai-sdk.md, "Protocol 1.2").
      } else {
        this.closeOpen(out);
        out.push({ type: 'tool-input-available', toolCallId: part.tool_call_id, toolName: part.tool_name, input: part.args ?? {} });
        if (part.result !== undefined || part.error !== undefined) out.push(toolOutput(part.tool_call_id, part.result, part.error));
      }
    });
    if (message.status !== 'running') this.end(out, message.status === 'completed' ? undefined : (message.error ?? { code: message.status, message: message.status }));
    return out;
  }

  /** The run's end: completed (no error), stopped (`cancelled`), or failed. */
  private end(out: UIMessageChunk[], error: { readonly code: string; readonly message: string } | undefined): void {
    this.closeOpen(out);
    this.ended = true;
    if (!error) out.push({ type: 'finish', finishReason: 'stop' });
    // A stop is not a failure: the AI SDK's own `abort` chunk, as its streams send on abort.
    else if (error.code === 'cancelled') out.push({ type: 'abort', reason: error.message });
    else out.push({ type: 'error', errorText: `${error.code}: ${error.message}` }, { type: 'finish', finishReason: 'error' });
  }

  private start(runId: string, agentName: string): UIMessageChunk {
    const messageMetadata: AgentwireMessageMetadata = { agentwire: { thread_id: this.threadId, run_id: runId, agent_name: agentName } };
    return { type: 'start', messageId: assistantMessageId(runId), messageMetadata };
  }

  private thought(out: UIMessageChunk[], runId: string, at: number, text: string): void {
    this.closeText(out);
    if (this.reasoning === undefined) {
      this.reasoning = `${runId}-reasoning-${at}`;
      out.push({ type: 'reasoning-start', id: this.reasoning }, { type: 'reasoning-delta', id: this.reasoning, delta: text });
    } else out.push({ type: 'reasoning-delta', id: this.reasoning, delta: `\n${text}` });
  }

  private delta(out: UIMessageChunk[], messageId: string, delta: string): void {
    this.closeReasoning(out);
    if (this.text === undefined) {
      this.textParts++;
      this.text = this.textParts === 1 ? messageId : `${messageId}-${this.textParts}`;
      out.push({ type: 'text-start', id: this.text });
    }
    if (delta) out.push({ type: 'text-delta', id: this.text, delta });
  }

  private closeOpen(out: UIMessageChunk[]): void {
    this.closeText(out);
    this.closeReasoning(out);
  }

  private closeText(out: UIMessageChunk[]): void {
    if (this.text === undefined) return;
    out.push({ type: 'text-end', id: this.text });
    this.text = undefined;
  }

  private closeReasoning(out: UIMessageChunk[]): void {
    if (this.reasoning === undefined) return;
    out.push({ type: 'reasoning-end', id: this.reasoning });
    this.reasoning = undefined;
  }
}

/** `agent_data` as the AI SDK's data part of the same name (`data-<name>`), kept in the message. */
function dataChunk(name: string, data: unknown): UIMessageChunk {
  return { type: `data-${name}`, data };
}

function toolOutput(toolCallId: string, result: unknown, error: string | undefined): UIMessageChunk {
  return error !== undefined ? { type: 'tool-output-error', toolCallId, errorText: error } : { type: 'tool-output-available', toolCallId, output: result ?? null };
}
