import type { ts } from 'ts-morph';
import type { GuardConfig } from './config.js';
import { GuardError } from './errors.js';
import { compileGlob, compileGlobs } from './glob.js';
import { relativePath } from './paths.js';

function nothing(config: GuardConfig, entry: string, message: string): GuardError {
  return new GuardError('CONFIG_SELECTS_NOTHING', `${config.configFile}: ${entry} ${message}`);
}

/** Whether the config's include/ignore select a file (relative to the config folder). */
export function isSelected(config: GuardConfig, rel: string): boolean {
  if (rel.startsWith('../')) return false;
  const included = config.include.length === 0 || compileGlobs(config.include)(rel);
  return included && !compileGlobs(config.ignore)(rel);
}

/** The project's own source files (no declaration files, nothing from node_modules or above the config). */
export function ownFiles(config: GuardConfig, program: ts.Program): ts.SourceFile[] {
  return program.getSourceFiles().filter((file) => {
    if (file.isDeclarationFile || file.fileName.includes('/node_modules/')) return false;
    return !relativePath(config.root, file.fileName).startsWith('../');
  });
}

/**
 * The files the config selects, refusing any entry that selects nothing: a typo in a glob
 * must fail the gate loudly instead of turning it off.
 */
export function selectFiles(config: GuardConfig, program: ts.Program): ts.SourceFile[] {
  const own = ownFiles(config, program).map((file) => ({ file, rel: relativePath(config.root, file.fileName) }));
  config.include.forEach((pattern, index) => {
    const match = compileGlob(pattern);
    if (!own.some(({ rel }) => match(rel))) {
      throw nothing(config, `include[${index}] "${pattern}"`, `matches no file of the TypeScript program (${config.tsconfig})`);
    }
  });
  const included = config.include.length > 0 ? compileGlobs(config.include) : () => true;
  const candidates = own.filter(({ rel }) => included(rel));
  const ignored = compileGlobs(config.ignore);
  const selected = candidates.filter(({ rel }) => !ignored(rel));
  if (selected.length === 0) {
    if (candidates.length === 0) {
      throw nothing(config, 'the program', `has no source file under ${config.root} (check "tsconfig" and the tsconfig "include")`);
    }
    const culprits = config.ignore.filter((pattern) => candidates.every(({ rel }) => compileGlob(pattern)(rel)));
    const named = (culprits.length > 0 ? culprits : config.ignore).map((p) => `"${p}"`).join(', ');
    throw nothing(config, `ignore ${named}`, 'ignores every included file: nothing would be checked');
  }
  const rels = selected.map(({ rel }) => rel);
  config.noModuleState.forEach((pattern, index) => {
    const match = compileGlob(pattern);
    if (!rels.some((rel) => match(rel))) {
      throw nothing(config, `noModuleState[${index}] "${pattern}"`, 'matches no checked file (a folder that does not exist, or one outside "include")');
    }
  });
  for (const symbol of config.symbols) {
    (symbol.scope ?? []).forEach((pattern, index) => {
      const match = compileGlob(pattern);
      if (!rels.some((rel) => match(rel))) {
        throw nothing(config, `symbols.${symbol.name}.scope[${index}] "${pattern}"`, 'matches no checked file');
      }
    });
    symbol.internal.forEach((pattern, index) => {
      const match = compileGlob(pattern);
      if (!own.some(({ rel }) => match(rel))) {
        throw nothing(config, `symbols.${symbol.name}.internal[${index}] "${pattern}"`, 'matches no file of the TypeScript program');
      }
    });
  }
  return selected.map(({ file }) => file);
}
