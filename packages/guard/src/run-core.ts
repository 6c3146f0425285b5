import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseCliArgs, USAGE } from './args.js';
import { BASELINE_FILE, compareBaseline, readBaseline, restrictBaseline, writeBaseline } from './baseline.js';
import type { check as checkFn } from './check.js';
import { loadConfig } from './config.js';
import { isGuardError } from './errors.js';
import type { applyFixPlan, fixPlanDiff, planFixes } from './fix.js';
import { relativePath } from './paths.js';
import { formatHuman } from './report/human.js';
import { formatJson } from './report/json.js';
import type { Report } from './report/model.js';
import { formatSarif } from './report/sarif.js';
import { stagedFiles } from './staged.js';
import { VERSION } from './version.js';

export interface RunIo {
  cwd: string;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stdout is a terminal: colours default to it. */
  isTTY: boolean;
}

export const EXIT_OK = 0;
export const EXIT_VIOLATIONS = 1;
export const EXIT_ERROR = 2;

/** What the CLI needs from the compiler-backed modules; injected so a warm run can do without them. */
export interface Engine {
  check: typeof checkFn;
  planFixes: typeof planFixes;
  applyFixPlan: typeof applyFixPlan;
  fixPlanDiff: typeof fixPlanDiff;
}

/** Thrown by an engine that cannot answer without the compiler; never reported, the caller falls back. */
export class NeedsCompiler extends Error {}

/** The whole CLI as a function returning the exit code, with the engine given. */
export function runWith(argv: readonly string[], io: RunIo, engine: Engine): number {
  try {
    return runUnsafe(argv, io, engine);
  } catch (error) {
    if (error instanceof NeedsCompiler) throw error;
    if (isGuardError(error)) {
      io.stderr(`agentwire-guard: ${error.message}\n`);
      if (error.code === 'USAGE') io.stderr('Run agentwire-guard --help for usage.\n');
      return EXIT_ERROR;
    }
    io.stderr(`agentwire-guard: internal error: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT_ERROR;
  }
}

function runUnsafe(argv: readonly string[], io: RunIo, engine: Engine): number {
  const options = parseCliArgs(argv);
  if (options.help) {
    io.stdout(USAGE);
    return EXIT_OK;
  }
  if (options.version) {
    io.stdout(`${VERSION}\n`);
    return EXIT_OK;
  }
  const config = loadConfig(io.cwd, options.config);
  const onlyFiles = options.staged ? stagedFiles(config.root) : undefined;
  // --fix needs the program's import nodes, which a cached result does not have.
  const cache = options.cache && !options.fix && !options.dryRun;
  let result = engine.check(config, { ...(onlyFiles ? { onlyFiles } : {}), cache });

  if (options.fix || options.dryRun) {
    const plan = engine.planFixes(result);
    if (options.dryRun) {
      io.stdout(engine.fixPlanDiff(plan));
      io.stderr(`dry run: would fix ${plan.fixed} import${plan.fixed === 1 ? '' : 's'} in ${plan.files.length} file${plan.files.length === 1 ? '' : 's'}\n`);
      return result.violations.length > 0 ? EXIT_VIOLATIONS : EXIT_OK;
    }
    engine.applyFixPlan(plan);
    io.stderr(`fixed ${plan.fixed} import${plan.fixed === 1 ? '' : 's'} in ${plan.files.length} file${plan.files.length === 1 ? '' : 's'}\n`);
    // Re-checked from disk so the report shows what is left, not what was planned.
    if (plan.files.length > 0) result = engine.check(config, onlyFiles ? { onlyFiles } : {});
  }

  const baselinePath = resolve(io.cwd, options.baseline ?? resolve(config.root, BASELINE_FILE));
  // A staged run judges only the files it checked: other files' baseline entries are neither stale nor rewritten.
  const scope = onlyFiles ? new Set(result.files.map((file) => relativePath(config.root, file))) : undefined;
  if (options.writeBaseline) {
    const total = writeBaseline(baselinePath, result.violations, scope);
    const kept = total - result.violations.length;
    io.stderr(
      `wrote ${result.violations.length} entr${result.violations.length === 1 ? 'y' : 'ies'} to ${baselinePath}` +
        `${scope ? ` (kept ${kept} entr${kept === 1 ? 'y' : 'ies'} of files not staged)` : ''}\n`,
    );
    return EXIT_OK;
  }
  const baseline = restrictBaseline(readBaseline(baselinePath), scope);
  const comparison = compareBaseline(result.violations, baseline);
  const belowMin = options.minScore !== undefined && result.score.overall * 100 < options.minScore;
  const report: Report = {
    version: VERSION,
    fileCount: result.fileCount,
    violations: result.violations,
    fresh: comparison.fresh,
    stale: comparison.stale,
    suppressed: result.suppressed,
    ...(baseline ? { baseline: relativePath(config.root, baselinePath) } : {}),
    score: result.score,
    ...(options.minScore !== undefined ? { minScore: options.minScore } : {}),
    passed: comparison.fresh.length === 0 && !belowMin,
  };
  const text =
    options.format === 'json'
      ? formatJson(report)
      : options.format === 'sarif'
        ? formatSarif(report)
        : formatHuman(report, { color: options.color ?? (io.isTTY && !options.output) });
  if (options.output) writeFileSync(resolve(io.cwd, options.output), text);
  else io.stdout(text);
  // A boolean, never a count: 256 violations must not wrap around to exit code 0.
  return report.passed ? EXIT_OK : EXIT_VIOLATIONS;
}
