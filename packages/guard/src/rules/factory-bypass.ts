import { ts } from 'ts-morph';
import { moduleTarget } from '../targets.js';
import { makeViolation, type RuleContext, type RuleOutput } from './context.js';

/** The symbols of the functions a node is nested in, innermost first. */
function enclosingFunctions(checker: ts.TypeChecker, node: ts.Node): ts.Symbol[] {
  const symbols: ts.Symbol[] = [];
  for (let current = node.parent; current; current = current.parent) {
    let name: ts.Node | undefined;
    if (ts.isFunctionDeclaration(current) || ts.isMethodDeclaration(current)) name = current.name;
    else if (ts.isArrowFunction(current) || ts.isFunctionExpression(current)) {
      const holder = current.parent;
      if (ts.isVariableDeclaration(holder) || ts.isPropertyDeclaration(holder) || ts.isPropertyAssignment(holder)) {
        name = holder.name;
      }
    }
    const symbol = name && checker.getSymbolAtLocation(name);
    if (symbol) symbols.push(symbol);
  }
  return symbols;
}

/** `new X()` of a factory-only class anywhere but inside one of its factories, by any local name. */
export function factoryBypass(ctx: RuleContext): RuleOutput {
  const output: RuleOutput = { rule: 'factory-bypass', checked: 0, violations: [] };
  for (const facts of ctx.facts) {
    for (const use of facts.news) {
      const target = ctx.targets.factoryOnly.get(use.target);
      if (!target) continue;
      output.checked++;
      const inside = enclosingFunctions(ctx.checker, use.node);
      if (inside.some((symbol) => target.factories.includes(symbol))) continue;
      const callee = use.node.expression.getText(facts.file);
      const alias = callee === target.className ? '' : ` (as ${callee})`;
      const from = target.guarded ? ` from '${ctx.specifiers.specifierFor(facts.file, moduleTarget(target.guarded))}'` : '';
      output.violations.push(
        makeViolation(
          'factory-bypass',
          facts,
          use.node,
          target.className,
          `new ${target.className}${alias} outside its factory ${target.factoryNames.join(' / ')}`,
          `call ${target.factoryNames[0]}()${from} instead of constructing ${target.className} directly`,
        ),
      );
    }
  }
  return output;
}
