import { ts } from 'ts-morph';
import type { RuleContext } from './context.js';

/** What a module-level value is, as far as shared state goes. */
export type StateValue =
  | { kind: 'guarded-instance'; className: string }
  | { kind: 'container'; label: string }
  | undefined;

const LIB_CONTAINERS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Array']);

export function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isNonNullExpression(current) ||
    (ts.isAsExpression(current) && !isAsConst(current)) ||
    ts.isTypeAssertionExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

function isAsConst(expression: ts.Expression): boolean {
  return (
    ts.isAsExpression(expression) &&
    ts.isTypeReferenceNode(expression.type) &&
    ts.isIdentifier(expression.type.typeName) &&
    expression.type.typeName.text === 'const'
  );
}

function isFrozen(expression: ts.Expression): boolean {
  return (
    ts.isCallExpression(expression) &&
    ts.isPropertyAccessExpression(expression.expression) &&
    ts.isIdentifier(expression.expression.expression) &&
    expression.expression.expression.text === 'Object' &&
    expression.expression.name.text === 'freeze'
  );
}

/** A declared `ReadonlyMap`, `readonly T[]` or `Readonly<...>` says the value is not meant to change. */
function declaredReadonly(type: ts.TypeNode | undefined): boolean {
  if (!type) return false;
  if (ts.isTypeOperatorNode(type) && type.operator === ts.SyntaxKind.ReadonlyKeyword) return true;
  return ts.isTypeReferenceNode(type) && /^Readonly/.test(type.typeName.getText());
}

/**
 * Classifies the value bound at module level: an instance of a guarded class (always shared
 * state), a mutable container (shared state when mutated or handed out), or nothing to judge
 * (primitives, functions, frozen or readonly values).
 */
export function classifyValue(
  ctx: RuleContext,
  init: ts.Expression | undefined,
  declaredType: ts.TypeNode | undefined,
  typedNode: ts.Node,
): StateValue {
  if (!init || declaredReadonly(declaredType)) return undefined;
  const value = unwrap(init);
  if (isAsConst(value) || isFrozen(value)) return undefined;
  const type = ctx.checker.getTypeAtLocation(typedNode);
  const typeSymbol = type.getSymbol() ?? type.aliasSymbol;
  if (typeSymbol && (ctx.targets.guarded.has(typeSymbol) || ctx.targets.factoryOnly.has(typeSymbol))) {
    return { kind: 'guarded-instance', className: typeSymbol.name };
  }
  if (ts.isArrayLiteralExpression(value)) return { kind: 'container', label: 'array' };
  if (ts.isObjectLiteralExpression(value)) return { kind: 'container', label: 'object' };
  if (typeSymbol && LIB_CONTAINERS.has(typeSymbol.name)) {
    const inLib = (typeSymbol.declarations ?? []).some((d) => ctx.program.isSourceFileDefaultLibrary(d.getSourceFile()));
    if (inLib) return { kind: 'container', label: typeSymbol.name };
  }
  if (ts.isNewExpression(value)) {
    return { kind: 'container', label: `instance of ${value.expression.getText()}` };
  }
  return undefined;
}
