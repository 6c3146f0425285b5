import { NeedsCompiler, runWith, type Engine, type RunIo } from './run-core.js';
import { tryWarm } from './warm.js';

const needsCompiler = (): never => {
  throw new NeedsCompiler();
};

/** An engine answering from the cache only: loading it does not load TypeScript. */
const WARM: Engine = {
  check: (config, options = {}) => (options.cache ? tryWarm(config, options.onlyFiles) : undefined) ?? needsCompiler(),
  planFixes: needsCompiler,
  applyFixPlan: needsCompiler,
  fixPlanDiff: needsCompiler,
};

/** The CLI when the cache can answer; undefined when the compiler is needed. */
export function runWarm(argv: readonly string[], io: RunIo): number | undefined {
  try {
    return runWith(argv, io, WARM);
  } catch (error) {
    if (error instanceof NeedsCompiler) return undefined;
    throw error;
  }
}
