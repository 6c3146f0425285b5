import type { Found } from './plan.js';

/** Characters an arithmetic expression is made of (the calculator's alphabet). */
const RUN = /[\d.+\-*/^%()\u00d7\u00f7\u2212 ]+/g;
/**
 * An operand, an operator, and a later number: what makes a run arithmetic rather than
 * "-19" or "50%". Deliberately loose after the operator, so "2 + * 3" reaches the calculator.
 */
const BINARY = /[\d.)]\s?(?:\*\*|[+\-*/^%\u00d7\u00f7\u2212])\D*\d/;
/** 2026-11-21 is a date, not a subtraction. */
const ISO_DATE = /^\d{4}-\d\d-\d\d$/;
/** Cannot end an expression: a dangling operator, an opening parenthesis, a full stop. */
const BAD_END = /[\s+\-*/^%\u00d7\u00f7\u2212.(]$/;
/** Cannot start one; unary + and - can, and so can ".5". */
const BAD_START = /^(?:\s|[*/^%\u00d7\u00f7)]|\.(?!\d))/;

/**
 * Every arithmetic expression in a message, as the user wrote it: "What is 17 * 23?"
 * gives "17 * 23". Malformed ones that still look like arithmetic ("2 + * 3") are kept,
 * so the calculator can say what is wrong with them. Expects normalised spaces.
 */
export function findExpressions(text: string): Found[] {
  const found: Found[] = [];
  for (const match of text.matchAll(RUN)) {
    const { start, expression } = trim(match.index, match[0]);
    if (BINARY.test(expression) && !ISO_DATE.test(expression)) {
      found.push({ start, end: start + expression.length, step: { kind: 'calculate', expression } });
    }
  }
  return found;
}

/** Strips what the surrounding sentence contributed: blanks, punctuation, unmatched edge parentheses. */
function trim(start: number, run: string): { start: number; expression: string } {
  let from = 0;
  let to = run.length;
  for (let changed = true; changed && from < to; ) {
    changed = false;
    const text = run.slice(from, to);
    const opens = text.split('(').length - 1;
    const closes = text.split(')').length - 1;
    if (BAD_START.test(text) || (opens > closes && text.startsWith('('))) {
      from += 1;
      changed = true;
    } else if (BAD_END.test(text) || (closes > opens && text.endsWith(')'))) {
      to -= 1;
      changed = true;
    }
  }
  return { start: start + from, expression: run.slice(from, to) };
}
