import { formatDuration } from './dom.js';
import type { MessagePart } from '../../src/index.js';

/** A tool call as history and the live fold hold it. */
export type ToolCall = Extract<MessagePart, { type: 'tool_call' }>;

const MAX = 60;

/**
 * The one-line chip of a tool call, by one rule for every tool (not a list of known tools):
 * the arguments as their scalar values joined with " · ", and the outcome as the result's
 * headline: the result itself when it is a scalar, else its first scalar field that is not an
 * echo of an argument ("17 * 23" → 391), else the size of its first list ("2 notes"), else
 * "done". Each part is one line, cut with an ellipsis.
 */
export function toolSummary(call: ToolCall): { args: string; state: string } {
  const args = oneLine(argsText(call.args));
  if (call.duration_ms === undefined) return { args, state: 'running…' };
  const took = formatDuration(call.duration_ms);
  if (call.error !== undefined) return { args, state: `failed · ${took}` };
  return { args, state: `→ ${oneLine(headline(call.result, call.args))} · ${took}` };
}

function argsText(args: unknown): string {
  if (isScalar(args)) return String(args);
  if (args && typeof args === 'object' && !Array.isArray(args)) {
    const values = Object.values(args as Record<string, unknown>);
    if (values.length > 0 && values.every(isScalar)) return values.map(String).join(' · ');
  }
  return JSON.stringify(args) ?? '';
}

function headline(result: unknown, args: unknown): string {
  if (isScalar(result)) return String(result);
  if (Array.isArray(result)) return count(result.length, 'item');
  if (!result || typeof result !== 'object') return 'done';
  const echoed = new Set(args && typeof args === 'object' ? Object.values(args as Record<string, unknown>).filter(isScalar).map(String) : []);
  const entries = Object.entries(result as Record<string, unknown>);
  const fresh = entries.find(([, value]) => isScalar(value) && !echoed.has(String(value)));
  if (fresh) return String(fresh[1]);
  const list = entries.find(([, value]) => Array.isArray(value));
  if (list) return count((list[1] as unknown[]).length, list[0].replace(/s$/, ''));
  return 'done';
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

function isScalar(value: unknown): value is string | number | boolean {
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean';
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > MAX ? `${line.slice(0, MAX - 1)}…` : line;
}
