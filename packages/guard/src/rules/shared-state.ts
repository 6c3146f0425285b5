import { ts } from 'ts-morph';
import { compileGlobs } from '../glob.js';
import { makeViolation, type RuleContext, type RuleOutput } from './context.js';

const CONTAINERS = new Set(['Map', 'Set', 'WeakMap', 'WeakSet', 'Array']);

function unwrap(expression: ts.Expression): ts.Expression {
  let current = expression;
  while (ts.isParenthesizedExpression(current) || ts.isSatisfiesExpression(current) || ts.isNonNullExpression(current)) {
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
    expression.expression.getText() === 'Object.freeze'
  );
}

/** A declared `ReadonlyMap`, `readonly T[]` or `Readonly<...>` says the value is not meant to change. */
function declaredReadonly(declaration: ts.VariableDeclaration): boolean {
  const type = declaration.type;
  if (!type) return false;
  if (ts.isTypeOperatorNode(type) && type.operator === ts.SyntaxKind.ReadonlyKeyword) return true;
  return ts.isTypeReferenceNode(type) && /^Readonly/.test(type.typeName.getText());
}

type Finding = { what: string; fix: string } | undefined;

function judge(ctx: RuleContext, declaration: ts.VariableDeclaration, isConst: boolean): Finding {
  const name = declaration.name.getText();
  if (!isConst) {
    return {
      what: `module-level \`let ${name}\` is mutable state shared by every caller`,
      fix: 'make it const, or keep the value in an instance the factory creates per scope',
    };
  }
  const init = declaration.initializer && unwrap(declaration.initializer);
  if (!init || isAsConst(init) || isFrozen(init) || declaredReadonly(declaration)) return undefined;
  const perScope = 'move it into the per-scope object made by the factory (or freeze it: as const / Object.freeze / Readonly type)';
  if (ts.isArrayLiteralExpression(init)) return { what: `module-level array \`${name}\` is a shared mutable container`, fix: perScope };
  if (ts.isObjectLiteralExpression(init)) return { what: `module-level object \`${name}\` is a shared mutable container`, fix: perScope };
  const type = ctx.checker.getTypeAtLocation(declaration.name);
  const typeSymbol = type.getSymbol() ?? type.aliasSymbol;
  if (typeSymbol && (ctx.targets.guarded.has(typeSymbol) || ctx.targets.factoryOnly.has(typeSymbol))) {
    return {
      what: `module-level instance \`${name}\` of guarded class ${typeSymbol.name} is a singleton shared by every user`,
      fix: 'create it per scope through its factory instead of once per process',
    };
  }
  if (typeSymbol && CONTAINERS.has(typeSymbol.name)) {
    const inLib = (typeSymbol.declarations ?? []).some((d) => ctx.program.isSourceFileDefaultLibrary(d.getSourceFile()));
    if (inLib) return { what: `module-level ${typeSymbol.name} \`${name}\` is a shared mutable container`, fix: perScope };
  }
  return undefined;
}

/** Module-level mutable containers and singletons in folders where state must live per scope. */
export function sharedState(ctx: RuleContext): RuleOutput {
  const output: RuleOutput = { rule: 'shared-state', checked: 0, violations: [] };
  if (ctx.config.noModuleState.length === 0) return output;
  const inScope = compileGlobs(ctx.config.noModuleState);
  for (const facts of ctx.facts) {
    if (!inScope(facts.rel)) continue;
    for (const statement of facts.file.statements) {
      if (!ts.isVariableStatement(statement)) continue;
      if (statement.modifiers?.some((m) => m.kind === ts.SyntaxKind.DeclareKeyword)) continue;
      const isConst = (statement.declarationList.flags & ts.NodeFlags.Const) !== 0;
      for (const declaration of statement.declarationList.declarations) {
        output.checked++;
        const finding = judge(ctx, declaration, isConst);
        if (finding) {
          output.violations.push(
            makeViolation('shared-state', facts, declaration.name, declaration.name.getText(facts.file), finding.what, finding.fix),
          );
        }
      }
    }
  }
  return output;
}
