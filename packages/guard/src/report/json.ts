import type { Report } from './model.js';

/** A stable, documented shape for scripts: bump `schemaVersion` on any breaking change. */
export function formatJson(report: Report): string {
  const known = new Set(report.fresh);
  const body = {
    schemaVersion: 1,
    tool: { name: 'agentwire-guard', version: report.version },
    passed: report.passed,
    fileCount: report.fileCount,
    violations: report.violations.map((v) => ({ ...v, new: known.has(v) })),
    baseline: report.baseline ? { file: report.baseline, stale: report.stale } : null,
    suppressed: report.suppressed.map(({ violation, reason }) => ({ ...violation, reason })),
    score: report.score,
    minScore: report.minScore ?? null,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}
