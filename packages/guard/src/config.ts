import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { GuardError } from './errors.js';

export const CONFIG_FILE = 'guard.config.json';

/** A symbol as written in config: `"name"` alone refers to a guarded symbol, `"path#name"` to an export of a file. */
export interface SymbolRef {
  name: string;
  /** Absolute path of the module that exports it, when the config gave one. */
  module?: string;
}

export interface GuardedSymbolConfig {
  name: string;
  /** Absolute path of the one module everybody must import the symbol from. */
  module: string;
  /** Exact import text the canonical module must be reached by (e.g. a package name), if any. */
  specifier?: string;
  /** Globs of files that implement the symbol and may import it by any path. */
  internal: string[];
  /** Globs of files where a copy or another implementation of it counts as a duplicate (absent: every checked file). */
  scope?: string[];
}

export interface FactoryOnlyConfig {
  className: string;
  module?: string;
  factories: SymbolRef[];
}

export interface DeprecatedConfig {
  name: string;
  module?: string;
  replacement?: string;
}

export interface GuardConfig {
  /** Folder the config lives in; every relative path and glob is taken from here. */
  root: string;
  configFile: string;
  tsconfig: string;
  include: string[];
  ignore: string[];
  symbols: GuardedSymbolConfig[];
  factoryOnly: FactoryOnlyConfig[];
  noModuleState: string[];
  deprecated: DeprecatedConfig[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const TOP_LEVEL_KEYS = new Set([
  '$schema',
  'tsconfig',
  'include',
  'ignore',
  'symbols',
  'factoryOnly',
  'noModuleState',
  'deprecated',
]);

function invalid(where: string, message: string): GuardError {
  return new GuardError('CONFIG_INVALID', `${where}: ${message}`);
}

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stringArray(value: Json | undefined, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw invalid(where, 'must be an array of non-empty strings');
  }
  return value as string[];
}

function optionalString(value: Json | undefined, where: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalid(where, 'must be a non-empty string');
  return value;
}

function absolute(root: string, path: string): string {
  return isAbsolute(path) ? path : resolve(root, path);
}

export function parseSymbolRef(text: string, root: string): SymbolRef {
  const hash = text.lastIndexOf('#');
  if (hash === -1) return { name: text };
  return { name: text.slice(hash + 1), module: absolute(root, text.slice(0, hash)) };
}

function parseSymbols(value: Json | undefined, where: string, root: string): GuardedSymbolConfig[] {
  if (value === undefined) return [];
  if (!isObject(value)) throw invalid(where, 'must be an object mapping symbol names to their canonical module');
  return Object.entries(value).map(([name, entry]) => {
    const at = `${where}.${name}`;
    if (typeof entry === 'string') return { name, module: absolute(root, entry), internal: [] };
    if (!isObject(entry)) throw invalid(at, 'must be a module path or { "module": ..., "specifier"?, "internal"? }');
    const module = optionalString(entry.module, `${at}.module`);
    if (!module) throw invalid(at, '"module" (the canonical module) is required');
    const specifier = optionalString(entry.specifier, `${at}.specifier`);
    for (const key of Object.keys(entry)) {
      if (!['module', 'specifier', 'internal', 'scope'].includes(key)) throw invalid(at, `unknown key "${key}" (known: module, specifier, internal, scope)`);
    }
    return {
      name,
      module: absolute(root, module),
      ...(specifier ? { specifier } : {}),
      internal: stringArray(entry.internal, `${at}.internal`),
      ...(entry.scope !== undefined ? { scope: stringArray(entry.scope, `${at}.scope`) } : {}),
    };
  });
}

function parseFactoryOnly(value: Json | undefined, where: string, root: string): FactoryOnlyConfig[] {
  if (value === undefined) return [];
  if (!isObject(value)) throw invalid(where, 'must be an object mapping class names to their factories');
  return Object.entries(value).map(([className, entry]) => {
    const at = `${where}.${className}`;
    const raw = Array.isArray(entry) ? { factories: entry } : entry;
    if (!isObject(raw)) throw invalid(at, 'must be a list of factories or { "module"?, "factories": [...] }');
    const factories = stringArray(raw.factories, `${at}.factories`);
    if (factories.length === 0) throw invalid(at, 'needs at least one factory');
    const module = optionalString(raw.module, `${at}.module`);
    return {
      className,
      ...(module ? { module: absolute(root, module) } : {}),
      factories: factories.map((factory) => parseSymbolRef(factory, root)),
    };
  });
}

function parseDeprecated(value: Json | undefined, where: string, root: string): DeprecatedConfig[] {
  if (value === undefined) return [];
  if (!isObject(value)) throw invalid(where, 'must be an object mapping symbol names to { "module"?, "replacement"? }');
  return Object.entries(value).map(([name, entry]) => {
    const at = `${where}.${name}`;
    const raw = typeof entry === 'string' ? { replacement: entry } : entry;
    if (!isObject(raw)) throw invalid(at, 'must be a replacement string or { "module"?, "replacement"? }');
    const module = optionalString(raw.module, `${at}.module`);
    const replacement = optionalString(raw.replacement, `${at}.replacement`);
    return {
      name,
      ...(module ? { module: absolute(root, module) } : {}),
      ...(replacement ? { replacement } : {}),
    };
  });
}

/** Validates the raw JSON by hand so every mistake names the exact key at fault. */
export function parseConfig(raw: unknown, configFile: string, where = configFile): GuardConfig {
  const value = raw as Json;
  if (!isObject(value)) throw invalid(where, 'must be a JSON object');
  for (const key of Object.keys(value)) {
    if (!TOP_LEVEL_KEYS.has(key)) {
      throw invalid(where, `unknown key "${key}" (known: ${[...TOP_LEVEL_KEYS].filter((k) => k !== '$schema').join(', ')})`);
    }
  }
  const root = dirname(configFile);
  const config: GuardConfig = {
    root,
    configFile,
    tsconfig: absolute(root, optionalString(value.tsconfig, `${where}.tsconfig`) ?? 'tsconfig.json'),
    include: stringArray(value.include, `${where}.include`),
    ignore: stringArray(value.ignore, `${where}.ignore`),
    symbols: parseSymbols(value.symbols, `${where}.symbols`, root),
    factoryOnly: parseFactoryOnly(value.factoryOnly, `${where}.factoryOnly`, root),
    noModuleState: stringArray(value.noModuleState, `${where}.noModuleState`),
    deprecated: parseDeprecated(value.deprecated, `${where}.deprecated`, root),
  };
  if (
    config.symbols.length + config.factoryOnly.length + config.noModuleState.length + config.deprecated.length ===
    0
  ) {
    throw invalid(where, 'guards nothing: add "symbols", "factoryOnly", "noModuleState" or "deprecated"');
  }
  return config;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new GuardError('CONFIG_NOT_FOUND', `cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new GuardError('CONFIG_INVALID', `${file} is not valid JSON: ${(error as Error).message}`);
  }
}

/**
 * An explicit path wins; otherwise guard.config.json in `cwd`, then a `guard` key in its
 * package.json, so a project can keep its config wherever it keeps the rest.
 */
export function loadConfig(cwd: string, explicitPath?: string): GuardConfig {
  if (explicitPath) {
    const file = absolute(cwd, explicitPath);
    if (!existsSync(file)) throw new GuardError('CONFIG_NOT_FOUND', `config file not found: ${file}`);
    const raw = readJson(file) as Json;
    if (file.endsWith('package.json')) {
      if (!isObject(raw) || raw.guard === undefined) {
        throw new GuardError('CONFIG_NOT_FOUND', `${file} has no "guard" key`);
      }
      return parseConfig(raw.guard, file, `${file} "guard"`);
    }
    return parseConfig(raw, file);
  }
  const configFile = resolve(cwd, CONFIG_FILE);
  if (existsSync(configFile)) return parseConfig(readJson(configFile), configFile);
  const packageFile = resolve(cwd, 'package.json');
  if (existsSync(packageFile)) {
    const pkg = readJson(packageFile) as Json;
    if (isObject(pkg) && pkg.guard !== undefined) return parseConfig(pkg.guard, packageFile, `${packageFile} "guard"`);
  }
  throw new GuardError(
    'CONFIG_NOT_FOUND',
    `no ${CONFIG_FILE} and no "guard" key in package.json in ${cwd} (pass --config <file>)`,
  );
}
