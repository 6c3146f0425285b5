import { ts } from 'ts-morph';

const MUTATING_METHODS = new Set([
  'set', 'add', 'delete', 'clear', 'push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin',
]);

function isAssignmentOperator(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

/** How a reference to a module-level container is used: what makes it shared, if anything. */
export type StateUse = { kind: 'mutation'; node: ts.Node } | { kind: 'escape'; node: ts.Node; through: string } | undefined;

/**
 * `x.a = 1`, `x[k] += 1`, `delete x.a`, `x.a++`, `x.set(k, v)`, `x.list.push(v)` and
 * `Object.assign(x, ...)` write to the container `x`.
 */
/** `X.field` is where a static field's reference starts; a plain name is its own start. */
function referenceNode(reference: ts.Identifier): ts.Expression {
  const parent = reference.parent;
  return ts.isPropertyAccessExpression(parent) && parent.name === reference ? parent : reference;
}

function isMutation(reference: ts.Identifier): boolean {
  const start = referenceNode(reference);
  let current: ts.Node = start;
  let accessed = false;
  while (
    (ts.isPropertyAccessExpression(current.parent) || ts.isElementAccessExpression(current.parent)) &&
    current.parent.expression === current
  ) {
    const access: ts.PropertyAccessExpression | ts.ElementAccessExpression = current.parent;
    accessed = true;
    if (ts.isPropertyAccessExpression(access) && MUTATING_METHODS.has(access.name.text)) {
      const call = access.parent;
      if (ts.isCallExpression(call) && call.expression === access) return true;
    }
    current = access;
  }
  const parent = current.parent;
  if (accessed) {
    if (ts.isBinaryExpression(parent) && parent.left === current && isAssignmentOperator(parent.operatorToken.kind)) return true;
    if ((ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) &&
      (parent.operator === ts.SyntaxKind.PlusPlusToken || parent.operator === ts.SyntaxKind.MinusMinusToken)) return true;
    if (ts.isDeleteExpression(parent)) return true;
    return false;
  }
  if (ts.isCallExpression(parent) && parent.arguments[0] === start) {
    const callee = parent.expression;
    return ts.isPropertyAccessExpression(callee) && callee.getText() === 'Object.assign';
  }
  return false;
}

/** The top-level statement a node sits in. */
function topLevelStatement(node: ts.Node): ts.Statement | undefined {
  let current: ts.Node = node;
  while (current.parent && !ts.isSourceFile(current.parent)) current = current.parent;
  return ts.isSourceFile(current.parent) ? (current as ts.Statement) : undefined;
}

function declaredNames(statement: ts.Statement): ts.Node[] {
  if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) return [statement.name];
  if (ts.isVariableStatement(statement)) return statement.declarationList.declarations.map((d) => d.name);
  return [];
}

/** The exported function, getter or object a value is returned from, if it is handed out. */
function escapeThrough(reference: ts.Identifier, exported: ReadonlySet<ts.Symbol>, checker: ts.TypeChecker): string | undefined {
  // The container itself flows out (`return x`, `() => [x]`), not something read from it.
  const start = referenceNode(reference);
  const parent = start.parent;
  if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === start) return undefined;
  if (ts.isCallExpression(parent) && parent.expression === start) return undefined;
  let returned = false;
  for (let node: ts.Node = start; node.parent && !ts.isSourceFile(node.parent); node = node.parent) {
    const up = node.parent;
    if (ts.isReturnStatement(up) || (ts.isArrowFunction(up) && up.body === node)) {
      returned = true;
      break;
    }
    if (ts.isCallExpression(up) || ts.isBlock(up) || ts.isBinaryExpression(up)) break;
  }
  if (!returned) return undefined;
  const statement = topLevelStatement(reference);
  if (!statement) return undefined;
  if (ts.isExportAssignment(statement)) return 'the default export';
  for (const name of declaredNames(statement)) {
    const symbol = checker.getSymbolAtLocation(name);
    if (symbol && exported.has(symbol)) return name.getText();
  }
  return undefined;
}

export function classifyUse(reference: ts.Identifier, exported: ReadonlySet<ts.Symbol>, checker: ts.TypeChecker): StateUse {
  if (isMutation(reference)) return { kind: 'mutation', node: reference };
  const through = escapeThrough(reference, exported, checker);
  return through ? { kind: 'escape', node: reference, through } : undefined;
}
