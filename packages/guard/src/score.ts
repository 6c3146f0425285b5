import type { RuleOutput } from './rules/context.js';
import { SCORED_RULE_IDS, type Score } from './types.js';

function ratio(checked: number, violations: number): number {
  return checked === 0 ? 1 : (checked - violations) / checked;
}

/** canonical usages / all usages, per rule and over every rule together. */
export function computeScore(outputs: readonly RuleOutput[]): Score {
  const rules = SCORED_RULE_IDS.map((rule) => {
    const output = outputs.find((o) => o.rule === rule);
    const checked = output?.checked ?? 0;
    const violations = output?.violations.length ?? 0;
    return { rule, checked, violations, score: ratio(checked, violations) };
  });
  const checked = rules.reduce((sum, r) => sum + r.checked, 0);
  const violations = rules.reduce((sum, r) => sum + r.violations, 0);
  return { rules, checked, violations, overall: ratio(checked, violations) };
}

/** Adds up scores of disjoint sets of files (per-file results from the cache). */
export function mergeScores(scores: readonly Score[]): Score {
  const rules = SCORED_RULE_IDS.map((rule) => {
    const parts = scores.map((s) => s.rules.find((r) => r.rule === rule));
    const checked = parts.reduce((sum, r) => sum + (r?.checked ?? 0), 0);
    const violations = parts.reduce((sum, r) => sum + (r?.violations ?? 0), 0);
    return { rule, checked, violations, score: ratio(checked, violations) };
  });
  const checked = rules.reduce((sum, r) => sum + r.checked, 0);
  const violations = rules.reduce((sum, r) => sum + r.violations, 0);
  return { rules, checked, violations, overall: ratio(checked, violations) };
}

export function formatPercent(value: number): string {
  // Rounded to the nearest tenth (2/3 is 66.7%, not 66.6%).
  return `${(Math.round(value * 1000) / 10).toFixed(1)}%`;
}
