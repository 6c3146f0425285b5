import { ts } from 'ts-morph';
import { violationAt } from './rules/context.js';
import type { FileFacts } from './scan.js';
import { SCORED_RULE_IDS, type Violation } from './types.js';

export const DIRECTIVE = 'guard-ignore-next-line';
// A whole-line `//` comment, so the text inside a string literal is never taken for one.
const PATTERN = /^[ \t]*\/\/[ \t]*guard-ignore-next-line\b(.*)$/gm;

/** One `// guard-ignore-next-line rule[, rule]: reason` comment. */
export interface Suppression {
  file: string;
  /** 1-based line of the comment; it silences findings on the next line. */
  line: number;
  rules: string[];
  reason: string;
  used: boolean;
}

export interface SuppressionResult {
  /** Findings that still count against the run. */
  violations: Violation[];
  /** Findings silenced by a comment, with its reason. */
  suppressed: Array<{ violation: Violation; reason: string }>;
  suppressions: Suppression[];
}

interface Parsed {
  suppression: Suppression;
  offset: number;
  problem?: string;
}

const LITERALS = new Set([
  ts.SyntaxKind.StringLiteral,
  ts.SyntaxKind.NoSubstitutionTemplateLiteral,
  ts.SyntaxKind.TemplateHead,
  ts.SyntaxKind.TemplateMiddle,
  ts.SyntaxKind.TemplateTail,
]);

/** Whether an offset falls inside a string or template literal (comments are not nodes). */
function insideLiteral(file: ts.SourceFile, offset: number): boolean {
  let node: ts.Node = file;
  for (;;) {
    const child: ts.Node | undefined = ts.forEachChild(node, (c) => (c.getStart(file) <= offset && offset < c.getEnd() ? c : undefined));
    if (!child) return LITERALS.has(node.kind);
    node = child;
  }
}

function parseFile(facts: FileFacts): Parsed[] {
  const text = facts.file.text;
  if (!text.includes(DIRECTIVE)) return [];
  const found: Parsed[] = [];
  for (const match of text.matchAll(PATTERN)) {
    const offset = (match.index ?? 0) + match[0].indexOf(DIRECTIVE);
    if (insideLiteral(facts.file, offset)) continue;
    const rest = (match[1] ?? '').trim();
    const colon = rest.indexOf(':');
    const names = (colon === -1 ? rest : rest.slice(0, colon)).split(',').map((n) => n.trim()).filter(Boolean);
    const reason = colon === -1 ? '' : rest.slice(colon + 1).trim();
    const line = facts.file.getLineAndCharacterOfPosition(offset).line + 1;
    const suppression: Suppression = { file: facts.rel, line, rules: names, reason, used: false };
    const unknown = names.filter((n) => !(SCORED_RULE_IDS as readonly string[]).includes(n));
    let problem: string | undefined;
    if (names.length === 0) problem = `${DIRECTIVE} names no rule`;
    else if (unknown.length > 0) problem = `${DIRECTIVE} names unknown rule${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} (known: ${SCORED_RULE_IDS.join(', ')})`;
    else if (reason === '') problem = `${DIRECTIVE} ${names.join(', ')} has no reason`;
    found.push({ suppression, offset, ...(problem ? { problem } : {}) });
  }
  return found;
}

/**
 * Applies the inline suppressions of the checked files. A comment with a reason and known
 * rules silences those rules' findings on the next line; one without a reason silences
 * nothing and is itself a finding, as is one that silences nothing (like eslint's
 * --report-unused-disable-directives).
 */
export function applySuppressions(facts: readonly FileFacts[], violations: readonly Violation[]): SuppressionResult {
  const byFile = new Map<string, Parsed[]>();
  const problems: Violation[] = [];
  for (const fileFacts of facts) {
    const parsed = parseFile(fileFacts);
    if (parsed.length === 0) continue;
    byFile.set(fileFacts.rel, parsed.filter((p) => !p.problem));
    for (const p of parsed) {
      if (!p.problem) continue;
      problems.push(
        violationAt('invalid-suppression', fileFacts, p.offset, p.suppression.rules.join(',') || DIRECTIVE, p.problem,
          `write \`// ${DIRECTIVE} <rule>: <why this finding is acceptable>\``),
      );
    }
  }
  const result: SuppressionResult = { violations: [], suppressed: [], suppressions: [] };
  for (const violation of violations) {
    const match = byFile.get(violation.file)?.find((p) => p.suppression.line + 1 === violation.line && p.suppression.rules.includes(violation.rule));
    if (match) {
      match.suppression.used = true;
      result.suppressed.push({ violation, reason: match.suppression.reason });
    } else {
      result.violations.push(violation);
    }
  }
  for (const fileFacts of facts) {
    for (const p of byFile.get(fileFacts.rel) ?? []) {
      result.suppressions.push(p.suppression);
      if (p.suppression.used) continue;
      result.violations.push(
        violationAt('unused-suppression', fileFacts, p.offset, p.suppression.rules.join(','),
          `${DIRECTIVE} ${p.suppression.rules.join(', ')} suppresses nothing on line ${p.suppression.line + 1}`,
          'delete the comment'),
      );
    }
  }
  result.violations.push(...problems);
  return result;
}
