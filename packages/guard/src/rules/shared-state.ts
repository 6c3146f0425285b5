import { ts } from 'ts-morph';
import { compileGlobs } from '../glob.js';
import type { FileFacts } from '../scan.js';
import { resolveAlias } from '../targets.js';
import { makeViolation, type RuleContext, type RuleOutput } from './context.js';
import { classifyUse } from './state-uses.js';
import { classifyValue, type StateValue } from './state-value.js';

const PER_SCOPE = 'move it into the per-scope object made by the factory (or freeze it: as const / Object.freeze / Readonly type)';

/** A module-level binding that may hold shared state: judged after the whole file is read. */
interface Candidate {
  name: string;
  node: ts.Node;
  /** The symbol references resolve to; absent for `export default <value>`. */
  symbol?: ts.Symbol;
  /** For a static field: its class, through which anyone holding the class reaches it. */
  owner?: ts.Symbol;
  value: NonNullable<StateValue> | { kind: 'let'; keyword: string } | { kind: 'static'; className: string; readonly: boolean };
}

function hasModifier(node: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function candidatesOf(ctx: RuleContext, facts: FileFacts): Candidate[] {
  const found: Candidate[] = [];
  for (const statement of facts.file.statements) {
    if (ts.isVariableStatement(statement)) {
      if (hasModifier(statement, ts.SyntaxKind.DeclareKeyword)) continue;
      const flags = statement.declarationList.flags;
      const keyword = flags & ts.NodeFlags.Const ? undefined : flags & ts.NodeFlags.Let ? 'let' : 'var';
      for (const declaration of statement.declarationList.declarations) {
        const symbol = ctx.checker.getSymbolAtLocation(declaration.name);
        const name = declaration.name.getText(facts.file);
        const base = { name, node: declaration.name, ...(symbol ? { symbol } : {}) };
        if (keyword) {
          found.push({ ...base, value: { kind: 'let', keyword } });
          continue;
        }
        const value = classifyValue(ctx, declaration.initializer, declaration.type, declaration.name);
        if (value) found.push({ ...base, value });
      }
    } else if (ts.isExportAssignment(statement) && !statement.isExportEquals) {
      const value = classifyValue(ctx, statement.expression, undefined, statement.expression);
      if (value) found.push({ name: 'default', node: statement.expression, value });
    } else if (ts.isClassDeclaration(statement)) {
      const className = statement.name?.text ?? 'default';
      const owner = statement.name ? ctx.checker.getSymbolAtLocation(statement.name) : undefined;
      for (const member of statement.members) {
        if (!ts.isPropertyDeclaration(member) || !hasModifier(member, ts.SyntaxKind.StaticKeyword)) continue;
        const readonly = hasModifier(member, ts.SyntaxKind.ReadonlyKeyword);
        const symbol = ctx.checker.getSymbolAtLocation(member.name);
        const name = `${className}.${member.name.getText(facts.file)}`;
        const base = { name, node: member.name, ...(symbol ? { symbol } : {}), ...(owner ? { owner } : {}) };
        if (!readonly) {
          found.push({ ...base, value: { kind: 'static', className, readonly } });
          continue;
        }
        const value = classifyValue(ctx, member.initializer, member.type, member.name);
        if (value) found.push({ ...base, value });
      }
    }
  }
  return found;
}

/** What a file exports, resolved to the local symbols (so `export { x }` and `export default x` count). */
function exportedLocals(ctx: RuleContext, file: ts.SourceFile): Set<ts.Symbol> {
  const moduleSymbol = ctx.checker.getSymbolAtLocation(file);
  const exports = moduleSymbol ? ctx.checker.getExportsOfModule(moduleSymbol) : [];
  return new Set(exports.flatMap((symbol) => [symbol, resolveAlias(ctx.checker, symbol)]));
}

function lineOf(facts: FileFacts, node: ts.Node): number {
  return facts.file.getLineAndCharacterOfPosition(node.getStart(facts.file)).line + 1;
}

function judge(ctx: RuleContext, facts: FileFacts, candidate: Candidate, exported: ReadonlySet<ts.Symbol>, uses: Map<ts.Symbol, ts.Identifier[]>): { what: string; fix: string } | undefined {
  const { value, name } = candidate;
  switch (value.kind) {
    case 'let':
      return {
        what: `module-level \`${value.keyword} ${name}\` is mutable state shared by every caller`,
        fix: 'make it const, or keep the value in an instance the factory creates per scope',
      };
    case 'static':
      return {
        what: `static field \`${name}\` is mutable state shared by every instance and caller`,
        fix: 'make it readonly and immutable, or move it into an instance the factory creates per scope',
      };
    case 'guarded-instance':
      return {
        what: `module-level instance \`${name}\` of guarded class ${value.className} is a singleton shared by every user`,
        fix: 'create it per scope through its factory instead of once per process',
      };
    case 'container': {
      const what = `module-level ${value.label} \`${name}\``;
      if (!candidate.symbol) return { what: `${what} is exported: a shared mutable container`, fix: PER_SCOPE };
      if (exported.has(candidate.symbol)) return { what: `${what} is exported: a shared mutable container`, fix: PER_SCOPE };
      // A static member is reachable by whoever has its class.
      if (candidate.owner && exported.has(candidate.owner)) {
        return { what: `${what} is reachable through an exported class: a shared mutable container`, fix: PER_SCOPE };
      }
      for (const reference of uses.get(candidate.symbol) ?? []) {
        const use = classifyUse(reference, exported, ctx.checker);
        if (use?.kind === 'mutation') {
          return { what: `${what} is a shared mutable container (written at line ${lineOf(facts, use.node)})`, fix: PER_SCOPE };
        }
        if (use?.kind === 'escape') {
          return { what: `${what} is handed out by exported ${use.through}: a shared mutable container`, fix: PER_SCOPE };
        }
      }
      return undefined;
    }
  }
}

/** Every identifier in the file that resolves to one of the candidates. */
function referencesTo(ctx: RuleContext, file: ts.SourceFile, candidates: readonly Candidate[]): Map<ts.Symbol, ts.Identifier[]> {
  const bySymbol = new Map<ts.Symbol, ts.Identifier[]>();
  const names = new Set(candidates.map((c) => c.name.split('.').pop() as string));
  const wanted = new Set(candidates.flatMap((c) => (c.symbol ? [c.symbol] : [])));
  const visit = (node: ts.Node): void => {
    if (ts.isIdentifier(node)) {
      if (!names.has(node.text)) return;
      const symbol = ctx.checker.getSymbolAtLocation(node);
      if (symbol && wanted.has(symbol)) {
        const list = bySymbol.get(symbol) ?? [];
        list.push(node);
        bySymbol.set(symbol, list);
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return bySymbol;
}

/**
 * Module-level state that is mutable and shared, in folders where state must live per scope:
 * `let`/`var`, static mutable fields, instances of guarded classes, and containers (Map, Set,
 * arrays, objects, class instances) that the module writes to, exports or hands out.
 */
export function sharedState(ctx: RuleContext): RuleOutput {
  const output: RuleOutput = { rule: 'shared-state', checked: 0, violations: [] };
  if (ctx.config.noModuleState.length === 0) return output;
  const inScope = compileGlobs(ctx.config.noModuleState);
  for (const facts of ctx.facts) {
    if (!inScope(facts.rel)) continue;
    const candidates = candidatesOf(ctx, facts);
    if (candidates.length === 0) continue;
    const exported = exportedLocals(ctx, facts.file);
    const uses = referencesTo(ctx, facts.file, candidates);
    for (const candidate of candidates) {
      output.checked++;
      const finding = judge(ctx, facts, candidate, exported, uses);
      if (finding) {
        output.violations.push(makeViolation('shared-state', facts, candidate.node, candidate.name, finding.what, finding.fix));
      }
    }
  }
  return output;
}
