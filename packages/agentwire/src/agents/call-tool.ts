import { newId } from '../ids.js';
import type { AgentContext } from './types.js';

export type ToolCallOutcome =
  | { ok: true; result: unknown }
  /** `notApproved`: the tool asked for approval (protocol 1.2) and did not run. */
  | { ok: false; error: string; notApproved?: 'denied' | 'expired' };

/**
 * Runs one tool through the registry between its `tool_executing` and `tool_completed`
 * events. A tool that throws yields `tool_completed` with `error`, never a broken run.
 * A tool declared `needsApproval` is asked about first (protocol 1.2): denied or expired,
 * it does not run and the outcome says so.
 */
export async function callTool(context: AgentContext, toolName: string, args: unknown, toolCallId: string = newId('call')): Promise<ToolCallOutcome> {
  if (context.tools.get(toolName)?.needsApproval === true) {
    const decision = await context.interactions.requestApproval({ toolName, args, toolCallId });
    if (!decision.approved) {
      return { ok: false, error: notApproved(toolName, decision), notApproved: decision.resolution === 'expired' ? 'expired' : 'denied' };
    }
  }
  const executing = await context.notifier.toolExecuting(toolName, args, toolCallId);
  const id = executing.data.tool_call_id;
  try {
    const result = await context.tools.execute(toolName, args, context.toolContext);
    await context.notifier.toolCompleted(id, { result });
    return { ok: true, result };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (!context.notifier.ended) await context.notifier.toolCompleted(id, { error: message });
    return { ok: false, error: message };
  }
}

/** What the agent is told when a tool it asked about did not run. */
function notApproved(toolName: string, decision: { resolution: string; reason?: string | undefined }): string {
  const why = decision.resolution === 'expired' ? 'the approval request expired' : 'the user denied it';
  return `${toolName} did not run: ${why}${decision.reason ? ` (${decision.reason})` : ''}`;
}
