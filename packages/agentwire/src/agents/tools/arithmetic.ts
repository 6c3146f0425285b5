import { ArithmeticError } from './arithmetic-error.js';
import { tokenize, type Operator, type Token } from './arithmetic-lexer.js';

/** Bounded so a hostile message cannot make the parser recurse or loop for long. */
export const MAX_EXPRESSION_LENGTH = 500;

/** Digits kept in results, so 0.1 + 0.2 reads 0.3 rather than 0.30000000000000004. */
const SIGNIFICANT_DIGITS = 12;

export type ArithmeticNode =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'negate'; readonly operand: ArithmeticNode }
  | { readonly kind: 'binary'; readonly op: Operator; readonly left: ArithmeticNode; readonly right: ArithmeticNode };

/**
 * Parses by recursive descent, lowest precedence first:
 *
 *   expression := term (('+' | '-') term)*
 *   term       := unary (('*' | '/' | '%') unary)*
 *   unary      := ('-' | '+') unary | power
 *   power      := primary ('^' unary)?
 *   primary    := number | '(' expression ')'
 *
 * `^` binds tighter than unary minus (-2^2 = -4, as in mathematics) and is
 * right-associative because its right operand is a `unary`, which may itself be a power.
 */
export function parseArithmetic(input: string): ArithmeticNode {
  if (input.length > MAX_EXPRESSION_LENGTH) {
    throw new ArithmeticError('too_long', `expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  if (input.trim() === '') throw new ArithmeticError('empty', 'expression is empty');
  return new Parser(tokenize(input)).parse();
}

class Parser {
  private index = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parse(): ArithmeticNode {
    const node = this.expression();
    const next = this.peek();
    if (next.kind !== 'end') throw syntaxError(next, 'an operator');
    return node;
  }

  private expression(): ArithmeticNode {
    let node = this.term();
    for (let op = this.operatorIn('+', '-'); op; op = this.operatorIn('+', '-')) {
      node = { kind: 'binary', op, left: node, right: this.term() };
    }
    return node;
  }

  private term(): ArithmeticNode {
    let node = this.unary();
    for (let op = this.operatorIn('*', '/', '%'); op; op = this.operatorIn('*', '/', '%')) {
      node = { kind: 'binary', op, left: node, right: this.unary() };
    }
    return node;
  }

  private unary(): ArithmeticNode {
    const sign = this.operatorIn('-', '+');
    if (sign === '-') return { kind: 'negate', operand: this.unary() };
    if (sign === '+') return this.unary();
    return this.power();
  }

  private power(): ArithmeticNode {
    const base = this.primary();
    if (!this.operatorIn('^')) return base;
    return { kind: 'binary', op: '^', left: base, right: this.unary() };
  }

  private primary(): ArithmeticNode {
    const token = this.advance();
    if (token.kind === 'number') return { kind: 'number', value: token.value };
    if (token.kind === 'lparen') {
      const inner = this.expression();
      const close = this.advance();
      if (close.kind !== 'rparen') {
        throw new ArithmeticError('syntax', `missing ")" for the "(" at position ${token.position}`);
      }
      return inner;
    }
    throw syntaxError(token, 'a number or "("');
  }

  /** Consumes the next token when it is one of `ops`. */
  private operatorIn(...ops: Operator[]): Operator | undefined {
    const token = this.peek();
    if (token.kind !== 'operator' || !ops.includes(token.op)) return undefined;
    this.index += 1;
    return token.op;
  }

  private peek(): Token {
    // The lexer always ends the list with an `end` token, and nothing advances past it.
    return this.tokens[this.index] as Token;
  }

  private advance(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index += 1;
    return token;
  }
}

function syntaxError(found: Token, expected: string): ArithmeticError {
  return new ArithmeticError('syntax', `expected ${expected} at position ${found.position}, found ${describe(found)}`);
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'number':
      return `"${token.text}"`;
    case 'operator':
      return `"${token.op}"`;
    case 'lparen':
      return '"("';
    case 'rparen':
      return '")"';
    case 'end':
      return 'the end of the expression';
  }
}

/**
 * Evaluates left operand, then right, then the operator, failing at the first division by
 * zero or the first non-finite intermediate (so 1 / 10^400 is an overflow, not 0).
 */
export function evaluateArithmetic(node: ArithmeticNode): number {
  switch (node.kind) {
    case 'number':
      return node.value;
    case 'negate':
      return -evaluateArithmetic(node.operand);
    case 'binary': {
      const left = evaluateArithmetic(node.left);
      const right = evaluateArithmetic(node.right);
      if (dividesByZero(node.op, left, right)) throw new ArithmeticError('division_by_zero', 'division by zero');
      const value = apply(node.op, left, right);
      if (Number.isNaN(value)) throw new ArithmeticError('not_finite', `${left} ${node.op} ${right} is not a real number`);
      if (!Number.isFinite(value)) throw new ArithmeticError('not_finite', 'the result is too large');
      return value;
    }
  }
}

/** 0 ^ -n is 1 / 0^n, so it is a division by zero too, not an overflow. */
function dividesByZero(op: Operator, left: number, right: number): boolean {
  if (op === '/' || op === '%') return right === 0;
  return op === '^' && left === 0 && right < 0;
}

function apply(op: Operator, left: number, right: number): number {
  switch (op) {
    case '+':
      return left + right;
    case '-':
      return left - right;
    case '*':
      return left * right;
    case '/':
      return left / right;
    // Remainder with the sign of the dividend, like most calculators and languages.
    case '%':
      return left % right;
    case '^':
      return left ** right;
  }
}

/** Rounds away binary floating-point noise and the sign of zero. */
export function roundResult(value: number): number {
  const rounded = Number(value.toPrecision(SIGNIFICANT_DIGITS));
  return rounded === 0 ? 0 : rounded;
}

/** Parses, evaluates and rounds: the whole calculator in one call. */
export function calculate(expression: string): number {
  return roundResult(evaluateArithmetic(parseArithmetic(expression)));
}
