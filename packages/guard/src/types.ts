export const RULE_IDS = [
  'non-canonical-import',
  'duplicate-implementation',
  'factory-bypass',
  'shared-state',
  'deprecated-path',
] as const;

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
  rule: RuleId;
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
