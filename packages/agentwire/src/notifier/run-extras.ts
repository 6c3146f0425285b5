import { AgentwireError } from '../errors.js';
import type { RunUsage } from '../protocol/types.js';

/** docs/protocol.md, "Data and usage": an `agent_data` name is 1 to 64 characters. */
export const MAX_DATA_NAME_LENGTH = 64;
/** docs/protocol.md, "Data and usage": an `agent_data` value is at most 16 KiB of JSON. */
export const MAX_DATA_BYTES = 16 * 1024;

/**
 * Checks one `agent_data` against the protocol's limits and returns a JSON copy of the
 * value, so what the stream carries is the value as it was at the call, not whatever the
 * agent's object becomes later. Throws `AW_ERR_NOTIFIER_DATA` naming what is wrong.
 */
export function checkedData(name: unknown, data: unknown): { name: string; data: unknown } {
  if (typeof name !== 'string' || name.length === 0 || name.length > MAX_DATA_NAME_LENGTH) {
    throw new AgentwireError('AW_ERR_NOTIFIER_DATA', `name must be a string of 1 to ${MAX_DATA_NAME_LENGTH} characters`);
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(data);
  } catch (error) {
    throw new AgentwireError('AW_ERR_NOTIFIER_DATA', `data of "${name}" is not JSON-serialisable`, { cause: error });
  }
  if (json === undefined) throw new AgentwireError('AW_ERR_NOTIFIER_DATA', `data of "${name}" is not JSON-serialisable`);
  const bytes = Buffer.byteLength(json, 'utf8');
  if (bytes > MAX_DATA_BYTES) throw new AgentwireError('AW_ERR_NOTIFIER_DATA', `data of "${name}" is ${bytes} bytes of JSON; at most ${MAX_DATA_BYTES}`);
  return { name, data: JSON.parse(json) as unknown };
}

/** Adds one model call's token counts to a run's total (a run may call its model several times). */
export function addUsage(total: RunUsage | undefined, usage: RunUsage): RunUsage {
  for (const key of USAGE_KEYS) {
    const value = usage[key];
    if (!Number.isSafeInteger(value) || value < 0) throw new AgentwireError('AW_ERR_NOTIFIER_USAGE', `${key} must be a non-negative whole number`);
  }
  if (!total) return { input_tokens: usage.input_tokens, output_tokens: usage.output_tokens, total_tokens: usage.total_tokens };
  return {
    input_tokens: total.input_tokens + usage.input_tokens,
    output_tokens: total.output_tokens + usage.output_tokens,
    total_tokens: total.total_tokens + usage.total_tokens,
  };
}

/**
 * A provider's token counts in the protocol's names, for `Notifier.reportUsage`: a count
 * the provider left out, or one that is not a non-negative whole number, counts 0; a missing
 * total is input + output. The LLM agent (OpenAI's names) and the AI SDK adapter share it.
 */
export function usageFromCounts(counts: { readonly input?: number | undefined; readonly output?: number | undefined; readonly total?: number | undefined }): RunUsage {
  const count = (value: number | undefined): number => (value !== undefined && Number.isSafeInteger(value) && value >= 0 ? value : 0);
  const input = count(counts.input);
  const output = count(counts.output);
  return { input_tokens: input, output_tokens: output, total_tokens: count(counts.total) || input + output };
}

const USAGE_KEYS = ['input_tokens', 'output_tokens', 'total_tokens'] as const;
