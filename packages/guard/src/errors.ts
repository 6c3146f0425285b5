/** Codes let callers (and the CLI's exit-code mapping) branch without parsing messages. */
export type GuardErrorCode =
  | 'USAGE'
  | 'CONFIG_NOT_FOUND'
  | 'CONFIG_INVALID'
  | 'CONFIG_SELECTS_NOTHING'
  | 'TSCONFIG'
  | 'SYMBOL_NOT_FOUND'
  | 'BASELINE_INVALID'
  | 'GIT';

/** Every error a user can cause; the CLI turns it into exit code 2 with its message. */
export class GuardError extends Error {
  readonly code: GuardErrorCode;

  constructor(code: GuardErrorCode, message: string) {
    super(message);
    this.name = 'GuardError';
    this.code = code;
  }
}

export function isGuardError(value: unknown): value is GuardError {
  return value instanceof GuardError;
}
