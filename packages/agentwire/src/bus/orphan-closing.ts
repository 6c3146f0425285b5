import type { StreamEvent, StreamEventDraft } from '../protocol/types.js';
import type { PendingRef } from './types.js';
import { isTerminalType } from '../protocol/terminal.js';

export const ORPHAN_MESSAGE = 'the server running this agent stopped unexpectedly; please retry';

/**
 * The events that end a run whose process died, from what its retained events show:
 * nothing if it already ended; otherwise `agent_started` if it never started (agent
 * "unknown"), a `tool_approval_resolved` `cancelled` for every approval request still open
 * (protocol 1.2), a `tool_completed` with an error for every call still open (in call order),
 * then `agent_error` code `failed`. The same golden path the runner's own failure follows.
 */
export function closingDrafts(runEvents: readonly StreamEvent[], run: { threadId: string; runId: string }, nowMs: number): StreamEventDraft[] {
  if (runEvents.some((e) => isTerminalType(e.type))) return [];
  const base = { thread_id: run.threadId, run_id: run.runId };
  const drafts: StreamEventDraft[] = [];
  const started = runEvents.find((e) => e.type === 'agent_started');
  if (!started) drafts.push({ ...base, type: 'agent_started', data: { agent_name: 'unknown' } });

  const asked = new Set<string>();
  for (const event of runEvents) {
    if (event.type === 'tool_approval_requested') asked.add(event.data.tool_call_id);
    else if (event.type === 'tool_approval_resolved') asked.delete(event.data.tool_call_id);
  }
  for (const id of asked) {
    drafts.push({ ...base, type: 'tool_approval_resolved', data: { tool_call_id: id, approved: false, resolution: 'cancelled' } });
  }

  const open = new Map<string, { name: string; atMs: number }>();
  for (const event of runEvents) {
    if (event.type === 'tool_executing') open.set(event.data.tool_call_id, { name: event.data.tool_name, atMs: Date.parse(event.ts) });
    else if (event.type === 'tool_completed') open.delete(event.data.tool_call_id);
  }
  for (const [id, call] of open) {
    drafts.push({
      ...base,
      type: 'tool_completed',
      data: { tool_call_id: id, tool_name: call.name, error: `failed: ${ORPHAN_MESSAGE}`, duration_ms: since(call.atMs, nowMs) },
    });
  }
  const duration = started ? since(Date.parse(started.ts), nowMs) : 0;
  drafts.push({ ...base, type: 'agent_error', data: { code: 'failed', message: ORPHAN_MESSAGE, duration_ms: duration } });
  return drafts;
}

const since = (atMs: number, nowMs: number): number => (Number.isFinite(atMs) ? Math.max(0, Math.round(nowMs - atMs)) : 0);

/**
 * The requests an orphaned run was still waiting on (protocol 1.2): open approvals and
 * client tool calls. The reaper settles them `cancelled`, so an answer sent after the run
 * ended gets `already_resolved`, as it does for a run stopped by its own process.
 */
export function openPendingRefs(runEvents: readonly StreamEvent[], runId: string): PendingRef[] {
  const open = new Map<string, PendingRef>();
  for (const event of runEvents) {
    if (event.type === 'tool_approval_requested') open.set(`a:${event.data.tool_call_id}`, { runId, toolCallId: event.data.tool_call_id, kind: 'approval' });
    else if (event.type === 'tool_approval_resolved') open.delete(`a:${event.data.tool_call_id}`);
    else if (event.type === 'tool_executing' && event.data.executor === 'client') {
      open.set(`c:${event.data.tool_call_id}`, { runId, toolCallId: event.data.tool_call_id, kind: 'client_tool' });
    } else if (event.type === 'tool_completed') open.delete(`c:${event.data.tool_call_id}`);
  }
  return [...open.values()];
}
