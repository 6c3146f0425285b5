import { AgentwireError } from '../../errors.js';

/** Why an expression could not be computed; callers branch on this, never on message text. */
export type ArithmeticFailure =
  | 'too_long'
  | 'empty'
  | 'unexpected_character'
  | 'syntax'
  | 'division_by_zero'
  | 'not_finite';

/**
 * A calculator input the user can fix. It is an `AW_ERR_TOOL_INPUT` so the tool layer
 * reports it like any other bad argument, with a finer `reason` for tests and agents.
 */
export class ArithmeticError extends AgentwireError {
  readonly reason: ArithmeticFailure;

  constructor(reason: ArithmeticFailure, detail: string) {
    super('AW_ERR_TOOL_INPUT', detail);
    this.reason = reason;
  }
}
