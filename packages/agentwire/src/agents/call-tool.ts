import type { AgentContext } from './types.js';

export type ToolCallOutcome = { ok: true; result: unknown } | { ok: false; error: string };

/**
 * Runs one tool through the registry between its `tool_executing` and `tool_completed`
 * events. A tool that throws yields `tool_completed` with `error`, never a broken run.
 */
export async function callTool(context: AgentContext, toolName: string, args: unknown, toolCallId?: string): Promise<ToolCallOutcome> {
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
