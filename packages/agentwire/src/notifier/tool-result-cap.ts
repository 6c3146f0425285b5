/**
 * What one `tool_completed` may carry. Every event is retained per user and re-read on
 * resume, thread reads and agent memory; one notes search was 498 KB (issue 12), so a tool
 * result past the cap is replaced by an error that says so, and an error text is cut.
 */
export const MAX_TOOL_RESULT_BYTES = 64 * 1024;
export const MAX_TOOL_ERROR_CHARS = 2048;

export type CappedOutcome = { result: unknown } | { error: string };

export function capToolOutcome(outcome: CappedOutcome, maxBytes = MAX_TOOL_RESULT_BYTES): CappedOutcome {
  if ('error' in outcome) {
    const error = String(outcome.error);
    return error.length > MAX_TOOL_ERROR_CHARS ? { error: `${error.slice(0, MAX_TOOL_ERROR_CHARS)}… (truncated)` } : { error };
  }
  let bytes: number;
  try {
    // undefined serialises to nothing: the event simply carries no result.
    bytes = Buffer.byteLength(JSON.stringify(outcome.result) ?? '', 'utf8');
  } catch {
    // Cycles, BigInt, a throwing toJSON: the event could not be written anyway.
    return { error: 'tool result could not be serialised as JSON' };
  }
  if (bytes <= maxBytes) return outcome;
  return { error: `tool result too large: ${bytes} bytes serialised, limit ${maxBytes}; the result was dropped` };
}
