import { findExpressions } from './find-expressions.js';
import { findNotes } from './find-notes.js';
import { findLocalTime, findTimes } from './find-times.js';

/** One tool call the demo agent decided to make. */
export type DemoStep =
  | { readonly kind: 'calculate'; readonly expression: string }
  | { readonly kind: 'clock'; readonly timezone: string }
  | { readonly kind: 'remember'; readonly text: string }
  | { readonly kind: 'recall'; readonly query: string }
  /** protocol 1.2: asks approval for `notes_forget` naming the matching notes. */
  | { readonly kind: 'forget'; readonly query: string }
  /** protocol 1.2: the client tool `local_time`, when the message offers it. */
  | { readonly kind: 'local_time' };

/** A step and the part of the (normalised) message that asked for it. */
export interface Found {
  readonly start: number;
  readonly end: number;
  readonly step: DemoStep;
}

export interface DemoPlan {
  /** In message order. */
  readonly steps: readonly DemoStep[];
  /** Requests beyond `MAX_DEMO_STEPS`, left undone. */
  readonly skipped: number;
}

/** A 32 KiB message could ask for thousands of calls; a demo run stays short. */
export const MAX_DEMO_STEPS = 8;

/**
 * Reads a message into tool calls. Finders run from the most specific to the most
 * general, and each claims its part of the text: "remember that 2+2 is 4" stores a note
 * and computes nothing, and the "+5" in "Etc/GMT+5" is not arithmetic.
 */
export function planDemo(message: string): DemoPlan {
  const text = normaliseSpaces(message);
  const claimed: Found[] = [];
  const claim = (found: readonly Found[]): void => {
    for (const f of found) if (!claimed.some((c) => f.start < c.end && c.start < f.end)) claimed.push(f);
  };
  claim(findNotes(text));
  claim(findLocalTime(text));
  claim(findTimes(text));
  claim(findExpressions(mask(text, claimed)));
  claimed.sort((a, b) => a.start - b.start);
  return {
    steps: claimed.slice(0, MAX_DEMO_STEPS).map((f) => f.step),
    skipped: Math.max(0, claimed.length - MAX_DEMO_STEPS),
  };
}

/**
 * One space per run of blanks, one newline per run containing a line break (a sentence
 * boundary). Besides tidying notes, this keeps the finders' regular expressions linear:
 * none of them can backtrack over a long run of blanks.
 */
function normaliseSpaces(text: string): string {
  return text.replace(/\s+/g, (run) => (run.includes('\n') ? '\n' : ' '));
}

/** Hides claimed text from later finders without moving any offsets. */
function mask(text: string, claimed: readonly Found[]): string {
  let masked = text;
  for (const { start, end } of claimed) masked = masked.slice(0, start) + '#'.repeat(end - start) + masked.slice(end);
  return masked;
}
