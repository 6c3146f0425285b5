import type { StreamEvent } from '../../../src/protocol/types.js';

/**
 * What a client shows of a thread, rebuilt the way a careful client does it: a snapshot's
 * messages, then every followed event applied once. Written independently of the server's
 * compaction on purpose (the oracle must not share the code it checks): it keeps only what
 * a doubled or missing event would change.
 */
export interface ShownMessage {
  role: 'user' | 'assistant';
  run_id: string;
  text: string;
  status?: string;
  tools?: Record<string, { result?: unknown; error?: string | undefined }>;
}

interface MessageLike {
  role: 'user' | 'assistant';
  run_id: string;
  text: string;
  status?: string;
  parts?: ReadonlyArray<{ type: string; tool_call_id?: string; result?: unknown; error?: string }>;
}

export function shown(messages: readonly MessageLike[]): ShownMessage[] {
  return messages.map((m) => {
    if (m.role === 'user') return { role: 'user', run_id: m.run_id, text: m.text };
    const tools: ShownMessage['tools'] = {};
    for (const p of m.parts ?? []) if (p.type === 'tool_call') tools[p.tool_call_id!] = { result: p.result, error: p.error };
    return { role: 'assistant', run_id: m.run_id, text: m.text, status: m.status, tools };
  });
}

export function applyEvents(start: readonly ShownMessage[], threadId: string, events: readonly StreamEvent[]): ShownMessage[] {
  const out: ShownMessage[] = start.map((m) => ({ ...m, ...(m.tools && { tools: { ...m.tools } }) }));
  const assistantOf = (runId: string) => out.find((m) => m.role === 'assistant' && m.run_id === runId);
  for (const e of events) {
    if (e.thread_id !== threadId || e.run_id === undefined) continue;
    switch (e.type) {
      case 'user_message':
        out.push({ role: 'user', run_id: e.run_id, text: e.data.text });
        break;
      case 'agent_started': {
        // Conversation order (docs/protocol.md, "agentwire's choices"): right after its run's user message.
        const userAt = out.findIndex((m) => m.role === 'user' && m.run_id === e.run_id);
        out.splice(userAt >= 0 ? userAt + 1 : out.length, 0, { role: 'assistant', run_id: e.run_id, text: '', status: 'running', tools: {} });
        break;
      }
      case 'agent_message_delta':
        assistantOf(e.run_id)!.text += e.data.delta;
        break;
      case 'tool_executing':
        assistantOf(e.run_id)!.tools![e.data.tool_call_id] = {};
        break;
      case 'tool_completed':
        assistantOf(e.run_id)!.tools![e.data.tool_call_id] = { result: e.data.result, error: e.data.error };
        break;
      case 'agent_completed':
        assistantOf(e.run_id)!.status = 'completed';
        break;
      case 'agent_error':
        assistantOf(e.run_id)!.status = e.data.code;
        break;
      default:
        break;
    }
  }
  return out;
}
