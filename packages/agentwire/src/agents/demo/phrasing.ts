import { ErrorCodes } from '../../errors.js';
import type { ToolCallOutcome } from '../call-tool.js';
import type { DemoStep } from './plan.js';

/** The steps that are one plain call of a server tool; the others are protocol 1.2 interactions (demo/interactive-steps.ts). */
export type ToolStep = Exclude<DemoStep, { kind: 'forget' | 'local_time' }>;

/** What the demo says it can do, for a message that asks none of it. */
export const DEMO_HELP =
  "Hi! I'm the agentwire demo agent. I can do arithmetic (try \"What is 17 * 23?\"), " +
  'tell the time in any IANA time zone ("What time is it in Asia/Tokyo?"), and keep notes ' +
  'that only you can see ("Remember that the launch is on Friday", then "What did I note about the launch?"). ' +
  'Ask for several things in one message and I will do them all.';

/** Longest piece of the user's message echoed back; a 32 KiB expression need not be repeated whole. */
const ECHO_LIMIT = 120;

/** How many found notes an answer lists before summarising the rest. */
const NOTES_SHOWN = 5;

/** The tool each step calls, and its arguments. */
export function toolCallFor(step: ToolStep): { tool: string; args: Record<string, string> } {
  switch (step.kind) {
    case 'calculate':
      return { tool: 'calculator', args: { expression: step.expression } };
    case 'clock':
      return { tool: 'clock', args: { timezone: step.timezone } };
    case 'remember':
      return { tool: 'notes', args: { action: 'add', text: step.text } };
    case 'recall':
      return { tool: 'notes', args: { action: 'search', query: step.query } };
  }
}

/** The first `agent_thinking`: the plan, in the order it will run. */
export function planThought(steps: readonly DemoStep[], skipped: number): string {
  if (steps.length === 0) {
    return "I don't see arithmetic, a time question or a note in this message, so I'll explain what I can do.";
  }
  const plan = `I'll ${steps.map(intention).join(', then ')}.`;
  return skipped > 0 ? `${plan} That is as many as I do in one run; I'll leave the other ${skipped}.` : plan;
}

function intention(step: DemoStep): string {
  switch (step.kind) {
    case 'calculate':
      return `compute ${shorten(step.expression)} with the calculator`;
    case 'clock':
      return `check the time in ${shorten(step.timezone)} with the clock`;
    case 'remember':
      return `save "${shorten(step.text)}" in your notes`;
    case 'recall':
      return `search your notes for "${shorten(step.query)}"`;
    case 'forget':
      return `ask you before forgetting your notes about "${shorten(step.query)}"`;
    case 'local_time':
      return 'ask your app for your local time';
  }
}

/** One sentence of the answer per step, stating the tool's result or what went wrong. */
export function sentenceFor(step: ToolStep, outcome: ToolCallOutcome): string {
  if (!outcome.ok) return failureSentence(step, errorDetail(outcome.error));
  const result = outcome.result;
  switch (step.kind) {
    case 'calculate':
      return hasField(result, 'value', 'number') ? `${shorten(step.expression)} = ${String(result.value)}.` : unexpected(step, result);
    case 'clock':
      return hasField(result, 'local', 'string') && hasField(result, 'timezone', 'string')
        ? `In ${result.timezone} it is ${result.local}.`
        : unexpected(step, result);
    case 'remember':
      return `Noted: "${shorten(step.text)}".`;
    case 'recall':
      return hasField(result, 'notes', 'object') && Array.isArray(result.notes)
        ? recallSentence(step.query, result.notes)
        : unexpected(step, result);
  }
}

export function skippedSentence(skipped: number): string {
  return `I stopped there: ${skipped} more ${skipped === 1 ? 'request' : 'requests'} in your message went undone; send them in another message.`;
}

function recallSentence(query: string, notes: readonly unknown[]): string {
  const texts = notes.flatMap((note) => (hasField(note, 'text', 'string') ? [`"${note.text}"`] : []));
  if (texts.length === 0) return `I found no notes about "${query}".`;
  const shown = texts.slice(0, NOTES_SHOWN).join('; ');
  const more = texts.length > NOTES_SHOWN ? `, and ${texts.length - NOTES_SHOWN} more` : '';
  return `Your ${texts.length === 1 ? 'note' : 'notes'} about "${query}": ${shown}${more}.`;
}

function failureSentence(step: ToolStep, detail: string): string {
  switch (step.kind) {
    case 'calculate':
      return `I couldn't compute ${shorten(step.expression)}: ${detail}.`;
    case 'clock':
      return `I couldn't tell the time in ${shorten(step.timezone)}: ${detail}.`;
    case 'remember':
      return `I couldn't save that note: ${detail}.`;
    case 'recall':
      return `I couldn't search your notes: ${detail}.`;
  }
}

export const shorten = (text: string): string => (text.length <= ECHO_LIMIT ? text : `${text.slice(0, ECHO_LIMIT - 1)}…`);

/** A tool registered under a built-in's name may answer differently; still report it. */
const unexpected = (step: ToolStep, result: unknown): string =>
  `The ${toolCallFor(step).tool} answered ${shorten(JSON.stringify(result) ?? 'nothing')}.`;

/**
 * "tool arguments are invalid: division by zero" reads as "division by zero" in a
 * sentence: drop that generic prefix (other errors keep theirs, it is their meaning)
 * and a final full stop.
 */
export function errorDetail(message: string): string {
  const prefix = `${ErrorCodes.AW_ERR_TOOL_INPUT}: `;
  const detail = message.startsWith(prefix) ? message.slice(prefix.length) : message;
  return detail.replace(/\.$/, '');
}

type FieldTypes = { number: number; string: string; object: object };

export function hasField<K extends string, T extends keyof FieldTypes>(value: unknown, key: K, type: T): value is Record<K, FieldTypes[T]> {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)[key] === type;
}
