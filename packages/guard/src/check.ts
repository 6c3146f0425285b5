import type { ts } from 'ts-morph';
import type { GuardConfig } from './config.js';
import { checkIncremental } from './incremental.js';
import { loadProject, type LoadedProject } from './project.js';
import type { ImportFix, RuleContext, RuleOutput } from './rules/context.js';
import { deprecatedPath } from './rules/deprecated-path.js';
import { duplicateImplementation } from './rules/duplicate-implementation.js';
import { factoryBypass } from './rules/factory-bypass.js';
import { nonCanonicalImport } from './rules/non-canonical-import.js';
import { sharedState } from './rules/shared-state.js';
import { scanFile } from './scan.js';
import { computeScore } from './score.js';
import { SpecifierResolver } from './specifier.js';
import { applySuppressions, type Suppression, type SuppressionResult } from './suppressions.js';
import { resolveTargets, type Targets } from './targets.js';
import { compareViolations, type Score, type Violation } from './types.js';

export interface CheckOptions {
  /** Absolute file names to report on (e.g. the staged ones); all project files when absent. */
  onlyFiles?: ReadonlySet<string>;
  /** Reuse findings from the on-disk cache for files whose content and imports did not change. */
  cache?: boolean;
}

export interface CheckResult {
  config: GuardConfig;
  /** The program; absent when every result came from the cache. */
  loaded?: LoadedProject;
  /** Absolute names of the files reported on. */
  files: string[];
  fileCount: number;
  /** With the cache: the files analysed this run (the rest were reused). */
  cache?: { analysed: string[]; reused: number };
  /** Findings that count: rule findings not suppressed inline, and problems with suppression comments. */
  violations: Violation[];
  /** Findings silenced by a `guard-ignore-next-line` comment (still counted in the score). */
  suppressed: SuppressionResult['suppressed'];
  suppressions: Suppression[];
  score: Score;
  fixes: ImportFix[];
}

const RULES: ReadonlyArray<(ctx: RuleContext) => RuleOutput> = [
  nonCanonicalImport,
  duplicateImplementation,
  factoryBypass,
  sharedState,
  deprecatedPath,
];

export { compareViolations };

export function check(config: GuardConfig, options: CheckOptions = {}): CheckResult {
  if (options.cache) return checkIncremental(config, options.onlyFiles);
  const loaded = loadProject(config, options.onlyFiles);
  const analysis = createAnalysis(config, loaded.program);
  return { config, loaded, files: loaded.files.map((f) => f.fileName), fileCount: loaded.files.length, ...analysis.analyse(loaded.files) };
}

export type FileAnalysis = Pick<CheckResult, 'violations' | 'suppressed' | 'suppressions' | 'score' | 'fixes'>;

export interface Analysis {
  /** Runs every rule on some files of the program; the rest of the program only resolves symbols. */
  analyse(files: readonly ts.SourceFile[]): FileAnalysis;
}

/**
 * The rules bound to one program: the CLI hands it the program it built, the ESLint plugin
 * the one typescript-eslint's parser services built. Every rule judges file by file, so
 * analysing one file gives that file's findings of a whole run.
 */
export function createAnalysis(config: GuardConfig, program: ts.Program): Analysis {
  const checker = program.getTypeChecker();
  const targets = resolveTargets(config, program, checker);
  const specifiers = new SpecifierResolver(program, checker);
  return {
    analyse: (files) => analyseFiles(config, program, checker, targets, specifiers, files),
  };
}

function analyseFiles(
  config: GuardConfig,
  program: ts.Program,
  checker: ts.TypeChecker,
  targets: Targets,
  specifiers: SpecifierResolver,
  files: readonly ts.SourceFile[],
): FileAnalysis {
  const facts = files.map((file) => scanFile(file, config.root, checker, targets));
  const ctx: RuleContext = { config, program, checker, targets, facts, specifiers };
  const outputs = RULES.map((rule) => rule(ctx));
  const applied = applySuppressions(facts, outputs.flatMap((o) => o.violations));
  const counted = new Set(applied.violations);
  return {
    violations: applied.violations.sort(compareViolations),
    suppressed: applied.suppressed,
    suppressions: applied.suppressions,
    score: computeScore(outputs),
    // A suppressed import is left as it is.
    fixes: outputs.flatMap((o) => o.fixes ?? []).filter((fix) => counted.has(fix.violation)),
  };
}
