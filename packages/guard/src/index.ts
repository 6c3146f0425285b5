export { parseCliArgs, USAGE, type CliOptions, type Format } from './args.js';
export {
  BASELINE_FILE,
  compareBaseline,
  createBaseline,
  readBaseline,
  writeBaseline,
  type Baseline,
  type BaselineComparison,
  type BaselineEntry,
} from './baseline.js';
export { check, createAnalysis, type Analysis, type CheckOptions, type CheckResult, type FileAnalysis } from './check.js';
export { isSelected } from './selection.js';
export { relativePath } from './paths.js';
export { CONFIG_FILE, loadConfig, parseConfig, type GuardConfig } from './config.js';
export { GuardError, isGuardError, type GuardErrorCode } from './errors.js';
export { applyFixPlan, fixPlanDiff, planFixes, type FileFix, type FixPlan } from './fix.js';
export { formatHuman } from './report/human.js';
export { formatJson } from './report/json.js';
export type { Report } from './report/model.js';
export { formatSarif } from './report/sarif.js';
export { EXIT_ERROR, EXIT_OK, EXIT_VIOLATIONS, run, type RunIo } from './run.js';
export { computeScore } from './score.js';
export { VERSION } from './version.js';
export { DIRECTIVE_RULE_IDS, RULE_IDS, SCORED_RULE_IDS, type RuleId, type RuleScore, type Score, type ScoredRuleId, type Violation } from './types.js';
export { RULE_HELP } from './report/model.js';
