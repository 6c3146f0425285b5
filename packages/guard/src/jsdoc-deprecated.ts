import { ts } from 'ts-morph';
import { resolveAlias } from './targets.js';

/** Names declared with a `@deprecated` JSDoc tag anywhere in the program: a cheap filter before resolving. */
const namesByProgram = new WeakMap<ts.Program, Set<string>>();

export function deprecatedNames(program: ts.Program): Set<string> {
  const cached = namesByProgram.get(program);
  if (cached) return new Set(cached);
  const names = new Set<string>();
  for (const file of program.getSourceFiles()) {
    if (!file.text.includes('@deprecated')) continue;
    const visit = (node: ts.Node): void => {
      if (ts.getJSDocDeprecatedTag(node)) {
        const name = (node as ts.NamedDeclaration).name;
        if (name && (ts.isIdentifier(name) || ts.isStringLiteral(name))) names.add(name.text);
        if (ts.isVariableStatement(node)) {
          for (const d of node.declarationList.declarations) if (ts.isIdentifier(d.name)) names.add(d.name.text);
        }
        if (ts.isExportDeclaration(node) && node.exportClause && ts.isNamedExports(node.exportClause)) {
          for (const e of node.exportClause.elements) names.add(e.name.text);
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  namesByProgram.set(program, names);
  return new Set(names);
}

/** The `@deprecated` text of a declaration (its own tag, or its variable statement's / export statement's). */
function deprecationOf(declaration: ts.Node): string | undefined {
  const holders = [declaration];
  if (ts.isVariableDeclaration(declaration)) holders.push(declaration.parent.parent);
  if (ts.isExportSpecifier(declaration)) holders.push(declaration.parent.parent);
  for (const holder of holders) {
    const tag = ts.getJSDocDeprecatedTag(holder);
    if (tag) return (ts.getTextOfJSDocComment(tag.comment) ?? '').trim();
  }
  return undefined;
}

export interface JsDocDeprecation {
  /** The declared symbol that is deprecated (after aliases). */
  symbol: ts.Symbol;
  /** The tag's text, e.g. "use foo() instead"; empty when the tag has none. */
  reason: string;
}

/**
 * Whether a reference resolves to something marked `@deprecated`, the way typescript-eslint's
 * no-deprecated decides: a deprecated re-export along the alias chain, the resolved signature
 * of a call (so one deprecated overload is reported only where it is the one chosen), or a
 * declaration that is deprecated as a whole (variables, classes, members, all overloads).
 */
export function jsdocDeprecation(checker: ts.TypeChecker, node: ts.Identifier): JsDocDeprecation | undefined {
  const parent = node.parent;
  const symbol = ts.isShorthandPropertyAssignment(parent) ? checker.getShorthandAssignmentValueSymbol(parent) : checker.getSymbolAtLocation(node);
  if (!symbol) return undefined;
  // Re-exports: `/** @deprecated */ export { a as b } from ...` marks the alias, not the target.
  let current: ts.Symbol | undefined = symbol;
  for (let depth = 0; current && current.flags & ts.SymbolFlags.Alias && depth < 20; depth++) {
    for (const declaration of current.declarations ?? []) {
      const reason = deprecationOf(declaration);
      if (reason !== undefined) return { symbol: resolveAlias(checker, symbol), reason };
    }
    current = checker.getImmediateAliasedSymbol(current);
  }
  const target = resolveAlias(checker, symbol);
  const declarations = target.declarations ?? [];
  const callee = ts.isPropertyAccessExpression(parent) && parent.name === node ? parent : node;
  const call = callee.parent;
  const signatureBearing = declarations.filter((d) => ts.isFunctionLike(d));
  if ((ts.isCallExpression(call) || ts.isNewExpression(call)) && call.expression === callee && signatureBearing.length > 1) {
    const declaration = checker.getResolvedSignature(call)?.declaration;
    const reason = declaration && !ts.isJSDocSignature(declaration) ? deprecationOf(declaration) : undefined;
    return reason !== undefined ? { symbol: target, reason } : undefined;
  }
  if (declarations.length === 0) return undefined;
  // Overloads: deprecated as a whole only when every declaration is.
  const reasons = declarations.map(deprecationOf);
  if (reasons.every((r) => r !== undefined)) return { symbol: target, reason: reasons[0] ?? '' };
  return undefined;
}
