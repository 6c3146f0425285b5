import { createHash } from 'node:crypto';
import type { ts } from 'ts-morph';
import type { GuardConfig } from '../config.js';
import type { SpecifierResolver } from '../specifier.js';
import type { FileFacts, ImportUse } from '../scan.js';
import type { Targets } from '../targets.js';
import type { RuleId, ScoredRuleId, Violation } from '../types.js';

export interface RuleContext {
  config: GuardConfig;
  program: ts.Program;
  checker: ts.TypeChecker;
  targets: Targets;
  facts: FileFacts[];
  /** How to spell an import of a module from a given file. */
  specifiers: SpecifierResolver;
}

/** What `--fix` needs to rewrite one non-canonical import; kept beside, not inside, the violation. */
export interface ImportFix {
  violation: Violation;
  facts: FileFacts;
  use: ImportUse;
  exportName: string;
  specifier: string;
}

export interface RuleOutput {
  rule: ScoredRuleId;
  checked: number;
  violations: Violation[];
  fixes?: ImportFix[];
}

export function makeViolation(
  rule: RuleId,
  facts: FileFacts,
  node: ts.Node,
  symbol: string,
  message: string,
  fix: string,
): Violation {
  return violationAt(rule, facts, node.getStart(facts.file), symbol, message, fix);
}

/** A violation at a text offset of the file. */
export function violationAt(
  rule: RuleId,
  facts: Pick<FileFacts, 'file' | 'rel'>,
  start: number,
  symbol: string,
  message: string,
  fix: string,
): Violation {
  const { line, character } = facts.file.getLineAndCharacterOfPosition(start);
  const lineText = facts.file.text.slice(facts.file.getLineStarts()[line], facts.file.getLineEndOfPosition(start)).trim();
  // The line's text rather than its number, so inserting code above does not make it "new".
  const fingerprint = createHash('sha256')
    .update([rule, facts.rel, symbol, lineText].join('\0'))
    .digest('hex')
    .slice(0, 16);
  return { rule, file: facts.rel, line: line + 1, column: character + 1, symbol, message, fix, fingerprint };
}
