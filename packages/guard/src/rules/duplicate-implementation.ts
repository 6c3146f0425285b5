import { ts } from 'ts-morph';
import { relativePath, samePath } from '../paths.js';
import { moduleTarget, type GuardedTarget } from '../targets.js';
import { makeViolation, type RuleContext, type RuleOutput } from './context.js';
import { canonicalHierarchy, isStructuralCopy } from './copies.js';

function declarationName(node: ts.Declaration): ts.Identifier | undefined {
  const name = (node as ts.NamedDeclaration).name;
  return name && ts.isIdentifier(name) ? name : undefined;
}

function implementedGuardedInterfaces(ctx: RuleContext, node: ts.Declaration): GuardedTarget[] {
  if (!ts.isClassDeclaration(node) || !node.heritageClauses) return [];
  const found: GuardedTarget[] = [];
  for (const clause of node.heritageClauses) {
    if (clause.token !== ts.SyntaxKind.ImplementsKeyword) continue;
    for (const type of clause.types) {
      const symbol = ctx.checker.getSymbolAtLocation(type.expression);
      const target = symbol && ctx.targets.guarded.get(symbol.flags & ts.SymbolFlags.Alias ? ctx.checker.getAliasedSymbol(symbol) : symbol);
      if (target?.isInterface) found.push(target);
    }
  }
  return found;
}

/** Guarded classes that implement the interface (directly or through a base class): the relevant hint. */
function canonicalImplementations(ctx: RuleContext, iface: GuardedTarget): string[] {
  const implementsIface = (declaration: ts.Declaration, depth: number): boolean => {
    if (!ts.isClassDeclaration(declaration) || depth > 10) return false;
    for (const clause of declaration.heritageClauses ?? []) {
      for (const type of clause.types) {
        const symbol = ctx.checker.getSymbolAtLocation(type.expression);
        const resolved = symbol && (symbol.flags & ts.SymbolFlags.Alias ? ctx.checker.getAliasedSymbol(symbol) : symbol);
        if (!resolved) continue;
        if (clause.token === ts.SyntaxKind.ImplementsKeyword && resolved === iface.symbol) return true;
        if (clause.token === ts.SyntaxKind.ExtendsKeyword && (resolved.declarations ?? []).some((d) => implementsIface(d, depth + 1))) return true;
      }
    }
    return false;
  };
  return [...ctx.targets.guarded.values()]
    .filter((t) => (t.symbol.flags & ts.SymbolFlags.Class) !== 0 && (t.symbol.declarations ?? []).some((d) => implementsIface(d, 0)))
    .map((t) => t.name);
}

/** A second class or function under a guarded name, or a second implementation of a guarded interface. */
export function duplicateImplementation(ctx: RuleContext): RuleOutput {
  const output: RuleOutput = { rule: 'duplicate-implementation', checked: 0, violations: [] };
  const byName = new Map([...ctx.targets.guarded.values()].map((target) => [target.name, target]));
  const hierarchy = canonicalHierarchy(ctx.checker, ctx.targets);
  for (const facts of ctx.facts) {
    const seen = new Set<ts.Symbol>();
    for (const node of facts.declarations) {
      const name = declarationName(node);
      if (!name) continue;
      const symbol = ctx.checker.getSymbolAtLocation(name);
      // Overloads are several declarations of one symbol; judge it once.
      if (!symbol || seen.has(symbol)) continue;
      seen.add(symbol);
      const sameName = byName.get(name.text);
      if (sameName && !sameName.isInterface) {
        if (sameName.symbol === symbol) {
          output.checked++;
          continue;
        }
        // A namesake outside the symbol's scope, or with an unrelated shape, is not a copy of it.
        if (!sameName.inScope(facts.rel) || !isStructuralCopy(ctx.checker, sameName.symbol, symbol, name)) continue;
        output.checked++;
        {
          const canonical = sameName.symbol.declarations?.[0];
          const where = canonical ? relativePath(ctx.config.root, canonical.getSourceFile().fileName) : sameName.config.module;
          output.violations.push(
            makeViolation(
              'duplicate-implementation',
              facts,
              name,
              name.text,
              `${name.text} is declared again here; the canonical ${name.text} is declared in ${where}`,
              `delete this copy and import ${name.text} from '${ctx.specifiers.specifierFor(facts.file, moduleTarget(sameName))}'`,
            ),
          );
        }
        continue;
      }
      for (const iface of implementedGuardedInterfaces(ctx, node)) {
        if (!iface.inScope(facts.rel)) continue;
        output.checked++;
        const blessed =
          ctx.targets.guarded.has(symbol) ||
          hierarchy.has(symbol) ||
          samePath(facts.file.fileName, iface.canonicalFile) ||
          (iface.symbol.declarations ?? []).some((d) => samePath(d.getSourceFile().fileName, facts.file.fileName));
        if (blessed) continue;
        const implementations = canonicalImplementations(ctx, iface);
        output.violations.push(
          makeViolation(
            'duplicate-implementation',
            facts,
            name,
            name.text,
            `${name.text} is another implementation of the guarded interface ${iface.name}`,
            implementations.length > 0
              ? `use the canonical implementation (${implementations.join(', ')}) instead of a parallel one`
              : `move the implementation into ${relativePath(ctx.config.root, iface.canonicalFile)} or guard it as a symbol`,
          ),
        );
      }
    }
  }
  return output;
}
