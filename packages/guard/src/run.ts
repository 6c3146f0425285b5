import { check } from './check.js';
import { applyFixPlan, fixPlanDiff, planFixes } from './fix.js';
import { runWith, type RunIo } from './run-core.js';

export { EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, type RunIo } from './run-core.js';

/** The whole CLI as a function returning the exit code, so tests need no child process. */
export function run(argv: readonly string[], io: RunIo): number {
  return runWith(argv, io, { check, planFixes, applyFixPlan, fixPlanDiff });
}
