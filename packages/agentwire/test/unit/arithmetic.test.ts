import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ArithmeticError, type ArithmeticFailure } from '../../src/agents/tools/arithmetic-error.js';
import { tokenize } from '../../src/agents/tools/arithmetic-lexer.js';
import { calculate, MAX_EXPRESSION_LENGTH, parseArithmetic } from '../../src/agents/tools/arithmetic.js';
import { isAgentwireError } from '../../src/errors.js';

function failure(expression: string): ArithmeticError {
  try {
    calculate(expression);
  } catch (error) {
    if (error instanceof ArithmeticError) return error;
    throw new Error(`"${expression}" threw something other than an ArithmeticError: ${String(error)}`);
  }
  throw new Error(`"${expression}" was expected to fail but gave ${calculate(expression)}`);
}

describe('calculate', () => {
  it.each([
    ['17 * 23', 391],
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['100 / 10 / 5', 2],
    ['2 * 3 % 4', 2],
    ['2 + 3 % 2', 3],
    ['7 % 3', 1],
    ['-7 % 3', -1],
    ['7.5 % 2', 1.5],
    ['2 ^ 10', 1024],
    ['2 ^ 3 ^ 2', 512],
    ['(2 ^ 3) ^ 2', 64],
    ['2 ** 3', 8],
    ['-2 ^ 2', -4],
    ['(-2) ^ 2', 4],
    ['2 ^ -1', 0.5],
    ['2 * -3', -6],
    ['--3', 3],
    ['-(2 + 3)', -5],
    ['+4', 4],
    ['3 - -2', 5],
    ['0.1 + 0.2', 0.3],
    ['.5 + 1.25', 1.75],
    ['5. * 2', 10],
    ['1 / 3', 0.333333333333],
    ['((((42))))', 42],
    ['  12  ', 12],
    ['6 \u00d7 7', 42],
    ['84 \u00f7 2', 42],
    ['50 \u2212 8', 42],
    ['-0 * 5', 0],
    ['10 / 4', 2.5],
  ])('%s = %d', (expression, expected) => {
    expect(calculate(expression)).toBe(expected);
  });

  it('never answers -0', () => {
    expect(Object.is(calculate('-0'), 0)).toBe(true);
    expect(Object.is(calculate('0 * -1'), 0)).toBe(true);
  });

  it.each<[string, ArithmeticFailure, RegExp]>([
    ['1 / 0', 'division_by_zero', /division by zero/],
    ['5 % (2 - 2)', 'division_by_zero', /division by zero/],
    ['0 ^ -1', 'division_by_zero', /division by zero/],
    ['', 'empty', /empty/],
    ['   ', 'empty', /empty/],
    ['2 + x', 'unexpected_character', /"x" at position 5/],
    ['2 \u{1F600} 3', 'unexpected_character', /"\u{1F600}" at position 3/u],
    ['2 +', 'syntax', /expected a number or "\(" at position 4, found the end/],
    ['* 2', 'syntax', /position 1, found "\*"/],
    ['2 3', 'syntax', /expected an operator at position 3, found "3"/],
    ['(2 + 3', 'syntax', /missing "\)" for the "\(" at position 1/],
    ['2 + 3)', 'syntax', /position 6, found "\)"/],
    ['()', 'syntax', /position 2, found "\)"/],
    ['1.2.3', 'syntax', /found ".3"/],
    ['2 ^ 2000', 'not_finite', /too large/],
    ['1 / 10 ^ 400', 'not_finite', /too large/],
    [`1${'0'.repeat(400)}`, 'not_finite', /too large/],
    ['(-8) ^ 0.5', 'not_finite', /not a real number/],
  ])('%j fails with %s', (expression, reason, message) => {
    const error = failure(expression);
    expect(error.reason).toBe(reason);
    expect(error.message).toMatch(message);
    expect(isAgentwireError(error, 'AW_ERR_TOOL_INPUT')).toBe(true);
  });

  it('refuses input past the length bound before parsing it', () => {
    const atLimit = `1${'+1'.repeat((MAX_EXPRESSION_LENGTH - 1) / 2)}`;
    expect(atLimit).toHaveLength(MAX_EXPRESSION_LENGTH - (MAX_EXPRESSION_LENGTH % 2 === 0 ? 1 : 0));
    expect(calculate(atLimit)).toBe((atLimit.length + 1) / 2);
    expect(failure('1'.repeat(MAX_EXPRESSION_LENGTH + 1)).reason).toBe('too_long');
  });

  it('handles deep nesting within the bound', () => {
    const depth = (MAX_EXPRESSION_LENGTH - 1) / 2;
    const nested = `${'('.repeat(Math.floor(depth))}7${')'.repeat(Math.floor(depth))}`;
    expect(calculate(nested)).toBe(7);
    expect(calculate('-'.repeat(MAX_EXPRESSION_LENGTH - 1) + '1')).toBe(MAX_EXPRESSION_LENGTH % 2 === 0 ? -1 : 1);
  });
});

describe('tokenize', () => {
  it('gives 1-based positions and ends with an end token', () => {
    expect(tokenize('12+(3)')).toEqual([
      { kind: 'number', value: 12, text: '12', position: 1 },
      { kind: 'operator', op: '+', position: 3 },
      { kind: 'lparen', position: 4 },
      { kind: 'number', value: 3, text: '3', position: 5 },
      { kind: 'rparen', position: 6 },
      { kind: 'end', position: 7 },
    ]);
  });
});

describe('parseArithmetic', () => {
  it('builds the tree the grammar promises', () => {
    expect(parseArithmetic('-2^3^4')).toEqual({
      kind: 'negate',
      operand: {
        kind: 'binary',
        op: '^',
        left: { kind: 'number', value: 2 },
        right: {
          kind: 'binary',
          op: '^',
          left: { kind: 'number', value: 3 },
          right: { kind: 'number', value: 4 },
        },
      },
    });
  });
});

/*
 * Property test. The generator builds expression trees of its own type, prints them, and
 * evaluates them structurally with plain JavaScript operators; the calculator must agree
 * with that reference on every value and on every failure.
 */
type Op = '+' | '-' | '*' | '/' | '%' | '^';
type Expr = { n: number } | { neg: Expr } | { op: Op; l: Expr; r: Expr };

const PRECEDENCE: Record<Op, number> = { '+': 1, '-': 1, '*': 2, '/': 2, '%': 2, '^': 4 };
const UNARY_PRECEDENCE = 3;

const exprArb: fc.Arbitrary<Expr> = fc.letrec<{ expr: Expr }>((tie) => ({
  expr: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.oneof(fc.integer({ min: 0, max: 20 }), fc.constantFrom(0.1, 0.2, 0.5, 1.5, 2.25, 10.75)).map((n) => ({ n })),
    tie('expr').map((e) => ({ neg: e })),
    fc
      .record({ op: fc.constantFrom<Op>('+', '-', '*', '/', '%', '^'), l: tie('expr'), r: tie('expr') })
      .map(({ op, l, r }) => ({ op, l, r })),
  ),
})).expr;

/** Prints with every binary node parenthesised: tests operators, not precedence. */
function printFull(e: Expr): string {
  if ('n' in e) return String(e.n);
  if ('neg' in e) return `(-(${printFull(e.neg)}))`;
  return `(${printFull(e.l)} ${e.op} ${printFull(e.r)})`;
}

/** Prints with only the parentheses precedence and associativity require. */
function printMinimal(e: Expr): string {
  return print(e).text;
  function print(node: Expr): { text: string; prec: number } {
    if ('n' in node) return { text: String(node.n), prec: 5 };
    if ('neg' in node) {
      const inner = print(node.neg);
      return { text: `-${inner.prec < UNARY_PRECEDENCE ? `(${inner.text})` : inner.text}`, prec: UNARY_PRECEDENCE };
    }
    const prec = PRECEDENCE[node.op];
    const left = print(node.l);
    const right = print(node.r);
    // `^` is right-associative and its base cannot be a bare negation; the others are left-associative.
    const leftNeeds = node.op === '^' ? left.prec <= prec : left.prec < prec;
    const rightNeeds = node.op === '^' ? right.prec < UNARY_PRECEDENCE : right.prec <= prec;
    const l = leftNeeds ? `(${left.text})` : left.text;
    const r = rightNeeds ? `(${right.text})` : right.text;
    return { text: `${l} ${node.op} ${r}`, prec };
  }
}

class ReferenceFailure extends Error {
  constructor(readonly reason: ArithmeticFailure) {
    super(reason);
  }
}

function reference(e: Expr): number {
  if ('n' in e) return e.n;
  if ('neg' in e) return -reference(e.neg);
  const l = reference(e.l);
  const r = reference(e.r);
  if (((e.op === '/' || e.op === '%') && r === 0) || (e.op === '^' && l === 0 && r < 0)) {
    throw new ReferenceFailure('division_by_zero');
  }
  const v = { '+': l + r, '-': l - r, '*': l * r, '/': l / r, '%': l % r, '^': l ** r }[e.op];
  if (!Number.isFinite(v)) throw new ReferenceFailure('not_finite');
  return v;
}

function expected(e: Expr): { value: number } | { reason: ArithmeticFailure } {
  try {
    const v = Number(reference(e).toPrecision(12));
    return { value: v === 0 ? 0 : v };
  } catch (error) {
    if (error instanceof ReferenceFailure) return { reason: error.reason };
    throw error;
  }
}

function actual(text: string): { value: number } | { reason: ArithmeticFailure } {
  try {
    return { value: calculate(text) };
  } catch (error) {
    if (error instanceof ArithmeticError) return { reason: error.reason };
    throw error;
  }
}

describe('calculate (property)', () => {
  const fits = (text: string): boolean => text.length <= MAX_EXPRESSION_LENGTH;

  it('agrees with a structural reference on fully parenthesised expressions', () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        const text = printFull(e);
        fc.pre(fits(text));
        expect(actual(text)).toEqual(expected(e));
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with a structural reference when only needed parentheses are printed', () => {
    fc.assert(
      fc.property(exprArb, (e) => {
        const text = printMinimal(e);
        fc.pre(fits(text));
        expect(actual(text)).toEqual(expected(e));
      }),
      { numRuns: 500 },
    );
  });

  it('answers any input with a number or an ArithmeticError, never anything else', () => {
    const alphabet = fc.constantFrom(...'0123456789.+-*/^%() x\u00d7'.split(''));
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 40 }).map((chars) => chars.join('')), (text) => {
        const outcome = actual(text);
        if ('value' in outcome) expect(Number.isFinite(outcome.value)).toBe(true);
      }),
      { numRuns: 1000 },
    );
  });
});
