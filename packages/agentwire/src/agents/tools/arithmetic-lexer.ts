import { ArithmeticError } from './arithmetic-error.js';

export type Operator = '+' | '-' | '*' | '/' | '^' | '%';

/** `position` is 1-based, as a person counts characters when reading an error. */
export type Token =
  | { readonly kind: 'number'; readonly value: number; readonly text: string; readonly position: number }
  | { readonly kind: 'operator'; readonly op: Operator; readonly position: number }
  | { readonly kind: 'lparen'; readonly position: number }
  | { readonly kind: 'rparen'; readonly position: number }
  | { readonly kind: 'end'; readonly position: number };

/** Typographic signs people paste from documents, mapped to the ASCII operator they mean. */
const OPERATOR_ALIASES: Readonly<Record<string, Operator>> = {
  '+': '+',
  '-': '-',
  '\u2212': '-', // minus sign
  '*': '*',
  '\u00d7': '*', // multiplication sign
  '/': '/',
  '\u00f7': '/', // division sign
  '^': '^',
  '%': '%',
};

const NUMBER = /\d+(?:\.\d*)?|\.\d+/y;
const SPACE = /\s/;

/** Splits an expression into tokens; the parser never looks at raw characters. */
export function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const char = input[i] as string;
    const position = i + 1;
    if (SPACE.test(char)) {
      i += 1;
      continue;
    }
    NUMBER.lastIndex = i;
    const number = NUMBER.exec(input);
    if (number) {
      const text = number[0];
      const value = Number(text);
      // A literal like 1 followed by 400 zeros is Infinity; refuse it here rather than
      // let 1/Infinity quietly become 0 later.
      if (!Number.isFinite(value)) throw new ArithmeticError('not_finite', `number at position ${position} is too large`);
      tokens.push({ kind: 'number', value, text, position });
      i += text.length;
      continue;
    }
    if (char === '*' && input[i + 1] === '*') {
      // `**` is the power operator in many languages; accept it as `^`.
      tokens.push({ kind: 'operator', op: '^', position });
      i += 2;
      continue;
    }
    const op = OPERATOR_ALIASES[char];
    if (op) tokens.push({ kind: 'operator', op, position });
    else if (char === '(') tokens.push({ kind: 'lparen', position });
    else if (char === ')') tokens.push({ kind: 'rparen', position });
    else {
      // Quote the whole code point, not half of a surrogate pair.
      const shown = String.fromCodePoint(input.codePointAt(i) ?? 0xfffd);
      throw new ArithmeticError('unexpected_character', `unexpected character "${shown}" at position ${position}`);
    }
    i += 1;
  }
  tokens.push({ kind: 'end', position: input.length + 1 });
  return tokens;
}
