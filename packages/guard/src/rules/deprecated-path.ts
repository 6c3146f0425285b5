import { ts } from 'ts-morph';
import { jsdocDeprecation, deprecatedNames } from '../jsdoc-deprecated.js';
import { isDeclarationName, isInImportOrExportClause } from '../scan.js';
import type { DeprecatedTarget } from '../targets.js';
import { makeViolation, type RuleContext, type RuleOutput } from './context.js';

function configMessage(ctx: RuleContext, file: ts.SourceFile, target: DeprecatedTarget, used: string): { message: string; fix: string } {
  const alias = used === target.name || target.name.endsWith(`.${used}`) ? '' : ` (as ${used})`;
  // A readable reference (`name from './module.js'`), not the config's `path#name`.
  const ref = target.replacementRef;
  const replacement = ref ? `${ref.name} from '${ctx.specifiers.specifierFor(file, ref.module)}'` : target.replacement;
  return {
    message: `${target.name}${alias} is deprecated${replacement ? `; use ${replacement}` : ''}`,
    fix: replacement ? `replace it with ${replacement}` : `stop using ${target.name}`,
  };
}

/**
 * Every use of a deprecated symbol, by any alias: those the config names (top-level exports
 * and members) and those marked with a `@deprecated` JSDoc tag (members, overloads,
 * re-exports). Uses of a configured replacement count as the canonical path.
 */
export function deprecatedPath(ctx: RuleContext): RuleOutput {
  const output: RuleOutput = { rule: 'deprecated-path', checked: 0, violations: [] };
  const reported = new Set<ts.Node>();
  for (const facts of ctx.facts) {
    for (const reference of facts.references) {
      if (ctx.targets.replacements.has(reference.target)) {
        output.checked++;
        continue;
      }
      const target = ctx.targets.deprecated.get(reference.target);
      if (!target) continue;
      output.checked++;
      reported.add(reference.node);
      const { message, fix } = configMessage(ctx, facts.file, target, reference.node.text);
      output.violations.push(makeViolation('deprecated-path', facts, reference.node, target.name, message, fix));
    }
  }

  // Members named in the config and JSDoc tags: found by a name filter, then resolved.
  const byDeclaration = new Map<ts.Node, DeprecatedTarget>();
  const names = deprecatedNames(ctx.program);
  for (const target of ctx.targets.deprecated.values()) {
    if (!target.name.includes('.')) continue;
    names.add(target.name.slice(target.name.lastIndexOf('.') + 1));
    for (const declaration of target.symbol.declarations ?? []) byDeclaration.set(declaration, target);
  }
  if (names.size === 0) return output;
  for (const facts of ctx.facts) {
    const visit = (node: ts.Node): void => {
      if (ts.isImportDeclaration(node)) return;
      if (ts.isIdentifier(node)) {
        if (names.has(node.text) && !reported.has(node) && !isDeclarationName(node) && !isInImportOrExportClause(node)) judge(node);
        return;
      }
      ts.forEachChild(node, visit);
    };
    const judge = (node: ts.Identifier) => {
      const symbol = ctx.checker.getSymbolAtLocation(node);
      const member = symbol?.declarations?.map((d) => byDeclaration.get(d)).find(Boolean);
      if (member) {
        output.checked++;
        const { message, fix } = configMessage(ctx, facts.file, member, node.text);
        output.violations.push(makeViolation('deprecated-path', facts, node, member.name, message, fix));
        return;
      }
      const deprecation = jsdocDeprecation(ctx.checker, node);
      if (!deprecation || ctx.targets.deprecated.has(deprecation.symbol)) return;
      // The declaration's own file may use it freely (an overload calling the implementation, a re-export).
      if ((deprecation.symbol.declarations ?? []).some((d) => d.getSourceFile() === facts.file)) return;
      output.checked++;
      const name = deprecation.symbol.name;
      output.violations.push(
        makeViolation(
          'deprecated-path',
          facts,
          node,
          name,
          `${name}${node.text === name ? '' : ` (as ${node.text})`} is marked @deprecated${deprecation.reason ? `: ${deprecation.reason}` : ''}`,
          deprecation.reason ? `follow its @deprecated note: ${deprecation.reason}` : `stop using ${name}`,
        ),
      );
    };
    for (const statement of facts.file.statements) visit(statement);
  }
  return output;
}
