import type { Log, ReportingDescriptor, Result } from 'sarif';
import { RULE_IDS } from '../types.js';
import { RULE_HELP, type Report } from './model.js';

/** SARIF 2.1.0 for GitHub code scanning; URIs are relative to %SRCROOT% (the config folder). */
export function formatSarif(report: Report): string {
  const fresh = new Set(report.fresh);
  const rules: ReportingDescriptor[] = RULE_IDS.map((id) => ({
    id,
    name: id.replace(/-(\w)/g, (_m, ch: string) => ch.toUpperCase()),
    shortDescription: { text: RULE_HELP[id].summary },
    fullDescription: { text: RULE_HELP[id].help },
    help: { text: RULE_HELP[id].help },
    defaultConfiguration: { level: 'error' },
  }));
  const results: Result[] = report.violations.map((v) => ({
    ruleId: v.rule,
    ruleIndex: RULE_IDS.indexOf(v.rule),
    level: 'error',
    message: { text: `${v.message}. Fix: ${v.fix}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: encodeURI(v.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: v.line, startColumn: v.column },
        },
      },
    ],
    partialFingerprints: { 'agentwireGuard/v1': v.fingerprint },
    ...(report.baseline ? { baselineState: fresh.has(v) ? ('new' as const) : ('unchanged' as const) } : {}),
  }));
  // Suppressed findings stay visible to code scanning, marked as suppressed in source with the reason.
  for (const { violation: v, reason } of report.suppressed) {
    results.push({
      ruleId: v.rule,
      ruleIndex: RULE_IDS.indexOf(v.rule),
      level: 'error',
      message: { text: `${v.message}. Fix: ${v.fix}` },
      locations: [{ physicalLocation: { artifactLocation: { uri: encodeURI(v.file), uriBaseId: '%SRCROOT%' }, region: { startLine: v.line, startColumn: v.column } } }],
      partialFingerprints: { 'agentwireGuard/v1': v.fingerprint },
      suppressions: [{ kind: 'inSource', justification: reason }],
    });
  }
  const log: Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'agentwire-guard', version: report.version, rules } },
        results,
        properties: { score: report.score.overall, checked: report.score.checked, violations: report.score.violations },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
