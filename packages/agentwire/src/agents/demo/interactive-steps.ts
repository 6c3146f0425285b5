import { callTool } from '../call-tool.js';
import type { AgentContext, AgentInput } from '../types.js';
import { errorDetail, hasField, shorten } from './phrasing.js';

/** The client tool the demo agent calls for "what time is it here?" (docs/protocol.md, demo agent). */
export const LOCAL_TIME_TOOL = 'local_time';

/**
 * "forget what I noted about ...": finds the matching notes, asks approval for
 * `notes_forget` naming them (the tool is declared `needsApproval`, so `callTool` asks),
 * and deletes them only when approved. Denied or expired, nothing is deleted and it says so.
 */
export async function forgetNotes(query: string, context: AgentContext): Promise<string> {
  const found = await context.toolContext.notebook.search(query);
  if (found.length === 0) return `I found no notes about "${shorten(query)}", so there was nothing to forget.`;
  const notes = found.map((note) => ({ id: note.id, text: note.text }));
  const outcome = await callTool(context, 'notes_forget', { query, notes });
  if (outcome.ok) {
    const count = hasField(outcome.result, 'forgotten', 'number') ? outcome.result.forgotten : notes.length;
    return `Forgotten: ${count} ${count === 1 ? 'note' : 'notes'} about "${shorten(query)}".`;
  }
  if (outcome.notApproved === 'denied') return `You did not approve, so nothing was deleted: your notes about "${shorten(query)}" stay.`;
  if (outcome.notApproved === 'expired') return `No one answered the approval request in time, so nothing was deleted.`;
  return `I couldn't forget those notes: ${errorDetail(outcome.error)}; nothing was deleted.`;
}

/**
 * "what time is it here?": only the user's front end knows, so the answer comes from the
 * client tool `local_time` when the message offered it (`client_tools`); without it, the
 * agent says it cannot know.
 */
export async function localTime(input: AgentInput, context: AgentContext): Promise<string> {
  if (!input.clientTools.some((tool) => tool.name === LOCAL_TIME_TOOL)) {
    return "I can't know your local time: your app did not offer the local_time tool, and I only know the server's clock.";
  }
  const outcome = await context.interactions.callClientTool(LOCAL_TIME_TOOL, {});
  if (!outcome.ok) return `I couldn't get your local time: ${errorDetail(outcome.error)}.`;
  return `Your local time is ${describeLocalTime(outcome.result)}.`;
}

/** A front end may answer a string or an object such as `{ local, timezone }`. */
function describeLocalTime(result: unknown): string {
  if (typeof result === 'string') return shorten(result);
  if (hasField(result, 'local', 'string')) {
    return hasField(result, 'timezone', 'string') ? `${shorten(result.local)} (${shorten(result.timezone)})` : shorten(result.local);
  }
  return shorten(JSON.stringify(result) ?? 'unknown');
}
