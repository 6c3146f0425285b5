/** The rules that judge code; each has a compliance score. */
export const SCORED_RULE_IDS = [
  'non-canonical-import',
  'duplicate-implementation',
  'factory-bypass',
  'shared-state',
  'deprecated-path',
] as const;

/** Findings about `guard-ignore-next-line` comments themselves; they fail the run but have no score. */
export const DIRECTIVE_RULE_IDS = ['invalid-suppression', 'unused-suppression'] as const;

export const RULE_IDS = [...SCORED_RULE_IDS, ...DIRECTIVE_RULE_IDS] as const;

export type ScoredRuleId = (typeof SCORED_RULE_IDS)[number];
export type RuleId = (typeof RULE_IDS)[number];

export interface Violation {
  rule: RuleId;
  /** Path relative to the config folder, with forward slashes, so reports are portable. */
  file: string;
  line: number;
  column: number;
  /** The guarded (or offending) name this violation is about. */
  symbol: string;
  message: string;
  /** How to fix it, in one sentence. */
  fix: string;
  /** Stable across unrelated edits (no line number in it), used by the baseline and SARIF. */
  fingerprint: string;
}

export interface RuleScore {
  rule: ScoredRuleId;
  /** Usages the rule judged. */
  checked: number;
  violations: number;
  /** canonical / checked, 1 when nothing was judged. */
  score: number;
}

export interface Score {
  rules: RuleScore[];
  checked: number;
  violations: number;
  overall: number;
}

export function compareViolations(a: Violation, b: Violation): number {
  return a.file.localeCompare(b.file) || a.line - b.line || a.column - b.column || a.rule.localeCompare(b.rule);
}
