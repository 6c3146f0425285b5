import type { GuardConfig } from './config.js';
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
import { resolveTargets } from './targets.js';
import type { Score, Violation } from './types.js';

export interface CheckOptions {
  /** Absolute file names to report on (e.g. the staged ones); all project files when absent. */
  onlyFiles?: ReadonlySet<string>;
}

export interface CheckResult {
  config: GuardConfig;
  loaded: LoadedProject;
  fileCount: number;
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

export function compareViolations(a: Violation, b: Violation): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule);
}

export function check(config: GuardConfig, options: CheckOptions = {}): CheckResult {
  const loaded = loadProject(config, options.onlyFiles);
  const targets = resolveTargets(config, loaded.program, loaded.checker);
  const facts = loaded.files.map((file) => scanFile(file, config.root, loaded.checker, targets));
  const specifiers = new SpecifierResolver(loaded.program, loaded.checker);
  const ctx: RuleContext = { config, program: loaded.program, checker: loaded.checker, targets, facts, specifiers };
  const outputs = RULES.map((rule) => rule(ctx));
  const applied = applySuppressions(facts, outputs.flatMap((o) => o.violations));
  const counted = new Set(applied.violations);
  return {
    config,
    loaded,
    fileCount: loaded.files.length,
    violations: applied.violations.sort(compareViolations),
    suppressed: applied.suppressed,
    suppressions: applied.suppressions,
    score: computeScore(outputs),
    // A suppressed import is left as it is.
    fixes: outputs.flatMap((o) => o.fixes ?? []).filter((fix) => counted.has(fix.violation)),
  };
}
