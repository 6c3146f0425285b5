import { ts } from 'ts-morph';
import { parseSymbolRef, type GuardConfig, type GuardedSymbolConfig, type SymbolRef } from './config.js';
import { GuardError } from './errors.js';
import { compileGlobs, type Matcher } from './glob.js';
import { relativePath } from './paths.js';
import type { ModuleTarget } from './specifier.js';

export interface GuardedTarget {
  name: string;
  symbol: ts.Symbol;
  config: GuardedSymbolConfig;
  /** Absolute path of the canonical module (ts file names, forward slashes). */
  canonicalFile: string;
  isInternal: Matcher;
  /** Files where a copy or another implementation counts as a duplicate. */
  inScope: Matcher;
  isInterface: boolean;
}

export interface FactoryTarget {
  className: string;
  symbol: ts.Symbol;
  factories: ts.Symbol[];
  factoryNames: string[];
  /** The guarded entry of the same class, used to suggest where to import the factory from. */
  guarded?: GuardedTarget;
}

export interface DeprecatedTarget {
  name: string;
  symbol: ts.Symbol;
  /** The replacement as written in the config (advice text when it does not resolve). */
  replacement?: string;
  /** The replacement when it resolves: its name and where to import it from. */
  replacementRef?: { name: string; module: ModuleTarget };
}

export interface Targets {
  guarded: Map<ts.Symbol, GuardedTarget>;
  factoryOnly: Map<ts.Symbol, FactoryTarget>;
  deprecated: Map<ts.Symbol, DeprecatedTarget>;
  /** Symbols whose use counts as the canonical alternative to a deprecated one. */
  replacements: Map<ts.Symbol, DeprecatedTarget>;
  /** Every name worth resolving: a cheap text filter before asking the checker. */
  names: Set<string>;
  hasGuardedInterfaces: boolean;
}

/** Where a guarded symbol must be imported from, for the specifier resolver. */
export function moduleTarget(target: GuardedTarget): ModuleTarget {
  return { file: target.canonicalFile, ...(target.config.specifier ? { specifier: target.config.specifier } : {}) };
}

export function resolveAlias(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function exportOf(program: ts.Program, checker: ts.TypeChecker, root: string, file: string, name: string): ts.Symbol {
  const source = program.getSourceFile(file);
  const where = relativePath(root, file);
  if (!source) {
    throw new GuardError('SYMBOL_NOT_FOUND', `${where} is not part of the TypeScript program (check the tsconfig "include")`);
  }
  const moduleSymbol = checker.getSymbolAtLocation(source);
  const [head, member] = name.split('.', 2) as [string, string | undefined];
  const exported = moduleSymbol ? checker.getExportsOfModule(moduleSymbol).find((s) => s.name === head) : undefined;
  if (!exported) throw new GuardError('SYMBOL_NOT_FOUND', `${where} does not export "${head}"`);
  const resolved = resolveAlias(checker, exported);
  if (member === undefined) return resolved;
  // `Class.method` names a static or instance method used as a factory.
  const found = resolved.exports?.get(member as ts.__String) ?? resolved.members?.get(member as ts.__String);
  if (!found) throw new GuardError('SYMBOL_NOT_FOUND', `"${head}" in ${where} has no member "${member}"`);
  return found;
}

export function resolveTargets(config: GuardConfig, program: ts.Program, checker: ts.TypeChecker): Targets {
  const resolve = (file: string, name: string) => exportOf(program, checker, config.root, file, name);
  const guardedByName = new Map<string, GuardedTarget>();
  const targets: Targets = {
    guarded: new Map(),
    factoryOnly: new Map(),
    deprecated: new Map(),
    replacements: new Map(),
    names: new Set(),
    hasGuardedInterfaces: false,
  };
  for (const entry of config.symbols) {
    const symbol = resolve(entry.module, entry.name);
    const target: GuardedTarget = {
      name: entry.name,
      symbol,
      config: entry,
      canonicalFile: program.getSourceFile(entry.module)?.fileName ?? entry.module,
      isInternal: compileGlobs(entry.internal),
      inScope: entry.scope ? compileGlobs(entry.scope) : () => true,
      isInterface: (symbol.flags & ts.SymbolFlags.Interface) !== 0 && (symbol.flags & ts.SymbolFlags.Class) === 0,
    };
    targets.guarded.set(symbol, target);
    guardedByName.set(entry.name, target);
    targets.names.add(entry.name);
    if (target.isInterface) targets.hasGuardedInterfaces = true;
  }
  const lookup = (ref: SymbolRef, fallbackModule: string | undefined, what: string): ts.Symbol => {
    if (ref.module) return resolve(ref.module, ref.name);
    const guarded = guardedByName.get(ref.name);
    if (guarded) return guarded.symbol;
    if (fallbackModule) return resolve(fallbackModule, ref.name);
    throw new GuardError(
      'CONFIG_INVALID',
      `${what} "${ref.name}" is not a guarded symbol: give its module as "path#${ref.name}"`,
    );
  };
  for (const entry of config.factoryOnly) {
    const guarded = guardedByName.get(entry.className);
    const symbol = lookup({ name: entry.className, ...(entry.module ? { module: entry.module } : {}) }, undefined, 'factory-only class');
    const module = entry.module ?? guarded?.config.module;
    targets.factoryOnly.set(symbol, {
      className: entry.className,
      symbol,
      factories: entry.factories.map((ref) => lookup(ref, module, 'factory')),
      factoryNames: entry.factories.map((ref) => ref.name),
      ...(guarded ? { guarded } : {}),
    });
    targets.names.add(entry.className);
  }
  for (const entry of config.deprecated) {
    const symbol = lookup({ name: entry.name, ...(entry.module ? { module: entry.module } : {}) }, undefined, 'deprecated symbol');
    const target: DeprecatedTarget = { name: entry.name, symbol, ...(entry.replacement ? { replacement: entry.replacement } : {}) };
    targets.deprecated.set(symbol, target);
    targets.names.add(entry.name);
    // A replacement is counted only when it can be resolved; otherwise it is advice text.
    if (entry.replacement) {
      const ref = parseSymbolRef(entry.replacement, config.root);
      let replacement: ts.Symbol | undefined;
      try {
        replacement = lookup(ref, entry.module, 'replacement');
      } catch {
        replacement = undefined;
      }
      if (replacement) {
        const guarded = ref.module ? undefined : guardedByName.get(ref.name);
        const file = ref.module ?? entry.module;
        const module = guarded ? moduleTarget(guarded) : file ? { file: program.getSourceFile(file)?.fileName ?? file } : undefined;
        if (module) target.replacementRef = { name: ref.name, module };
        targets.replacements.set(replacement, target);
        targets.names.add(ref.name.split('.')[0] as string);
      }
    }
  }
  return targets;
}
