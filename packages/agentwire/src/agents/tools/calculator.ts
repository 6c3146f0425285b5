import { AgentwireError } from '../../errors.js';
import { calculate, MAX_EXPRESSION_LENGTH } from './arithmetic.js';
import type { Tool } from './registry.js';

export interface CalculatorArgs {
  readonly expression: string;
}

export interface CalculatorResult {
  readonly expression: string;
  /** Rounded to 12 significant digits. */
  readonly value: number;
}

/** Arithmetic with a real parser: the expression is never handed to `eval`. */
export const calculatorTool: Tool<CalculatorArgs, CalculatorResult> = Object.freeze<Tool<CalculatorArgs, CalculatorResult>>({
  name: 'calculator',
  description:
    'Evaluates an arithmetic expression: numbers with decimals, + - * / % (remainder), ^ (power, right-associative), unary minus and parentheses.',
  parameters: {
    type: 'object',
    properties: {
      expression: {
        type: 'string',
        description: 'The expression, e.g. "(2 + 3) * 4" or "2 ^ 10 / 8"',
        maxLength: MAX_EXPRESSION_LENGTH,
      },
    },
    required: ['expression'],
    additionalProperties: false,
  },
  execute(args) {
    // Arguments may come from an LLM or a client: check them at run time, not just in types.
    const expression: unknown = (args as Partial<Record<keyof CalculatorArgs, unknown>>).expression;
    if (typeof expression !== 'string') throw new AgentwireError('AW_ERR_TOOL_INPUT', 'calculator needs "expression" as a string');
    return { expression, value: calculate(expression) };
  },
});
