import { createColors } from 'picocolors';
import { formatPercent } from '../score.js';
import type { Report } from './model.js';

export interface HumanOptions {
  color: boolean;
}

export function formatHuman(report: Report, options: HumanOptions): string {
  const c = createColors(options.color);
  const lines: string[] = [];
  for (const v of report.fresh) {
    lines.push(`${c.cyan(`${v.file}:${v.line}:${v.column}`)}  ${c.red(v.rule)}  ${v.message}`);
    lines.push(`  ${c.dim('fix:')} ${v.fix}`);
  }
  if (report.fresh.length > 0) lines.push('');

  const width = Math.max(...report.score.rules.map((r) => r.rule.length), 'overall'.length);
  lines.push(c.bold('Compliance (canonical usages / all usages)'));
  for (const rule of report.score.rules) {
    const figure = `${rule.checked - rule.violations}/${rule.checked}`.padStart(9);
    const percent = formatPercent(rule.score).padStart(7);
    const paint = rule.violations > 0 ? c.yellow : c.green;
    lines.push(`  ${rule.rule.padEnd(width)} ${figure} ${paint(percent)}`);
  }
  const overall = `${report.score.checked - report.score.violations}/${report.score.checked}`.padStart(9);
  lines.push(`  ${c.bold('overall'.padEnd(width))} ${overall} ${c.bold(formatPercent(report.score.overall).padStart(7))}`);
  lines.push('');

  const known = report.violations.length - report.fresh.length;
  const parts = [`${report.fileCount} files checked`, `${report.fresh.length} ${report.baseline ? 'new ' : ''}violation${report.fresh.length === 1 ? '' : 's'}`];
  if (report.baseline) parts.push(`${known} in baseline ${report.baseline}`);
  if (report.suppressed.length > 0) parts.push(`${report.suppressed.length} suppressed inline`);
  lines.push(parts.join(', '));
  if (report.stale.length > 0) {
    lines.push(c.yellow(`${report.stale.length} stale baseline entr${report.stale.length === 1 ? 'y' : 'ies'} (fixed since; run --write-baseline to shrink the baseline):`));
    for (const entry of report.stale) lines.push(`  ${entry.file}  ${entry.rule}  ${entry.message}`);
  }
  if (report.minScore !== undefined && report.score.overall * 100 < report.minScore) {
    lines.push(c.red(`score ${formatPercent(report.score.overall)} is below --min-score ${report.minScore}%`));
  }
  lines.push(report.passed ? c.green('guard: passed') : c.red('guard: failed'));
  return `${lines.join('\n')}\n`;
}
