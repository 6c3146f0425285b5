import { dirname, relative, resolve } from 'node:path';
import { ts } from 'ts-morph';
import type { GuardedTarget } from './targets.js';

const TS_EXTENSION = /\.(d\.)?([mc]?)tsx?$/;

function stripTsExtension(path: string): string {
  return path.replace(TS_EXTENSION, '');
}

/** A `paths` entry without wildcards that points at the canonical file is the nicest way to name it. */
function pathsAlias(target: GuardedTarget, options: ts.CompilerOptions): string | undefined {
  const paths = options.paths;
  if (!paths) return undefined;
  const base = options.baseUrl ?? (typeof options.configFilePath === 'string' ? dirname(options.configFilePath) : undefined);
  if (!base) return undefined;
  const wanted = stripTsExtension(target.canonicalFile);
  for (const [alias, locations] of Object.entries(paths)) {
    if (alias.includes('*')) continue;
    if (locations.some((location) => stripTsExtension(resolve(base, location)) === wanted)) return alias;
  }
  return undefined;
}

type ExtensionStyle = 'js' | 'ts' | 'none';

/** Follows what the file already does, so a fixed import looks like its neighbours. */
function extensionStyle(file: ts.SourceFile, options: ts.CompilerOptions): ExtensionStyle {
  for (const statement of file.statements) {
    if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier) {
      const text = (statement.moduleSpecifier as ts.StringLiteral).text;
      if (!text.startsWith('.')) continue;
      if (/\.[mc]?js$/.test(text)) return 'js';
      if (/\.[mc]?tsx?$/.test(text)) return 'ts';
      return 'none';
    }
  }
  const resolution = options.moduleResolution;
  return resolution === ts.ModuleResolutionKind.Node16 || resolution === ts.ModuleResolutionKind.NodeNext ? 'js' : 'none';
}

/** The text an import of `target` from `file` should use. */
export function canonicalSpecifier(file: ts.SourceFile, target: GuardedTarget, options: ts.CompilerOptions): string {
  if (target.config.specifier) return target.config.specifier;
  const alias = pathsAlias(target, options);
  if (alias) return alias;
  let path = relative(dirname(file.fileName), target.canonicalFile).split('\\').join('/');
  if (!path.startsWith('.')) path = `./${path}`;
  switch (extensionStyle(file, options)) {
    case 'ts':
      return path;
    case 'js':
      return path.replace(/\.([mc]?)tsx?$/, (_match, kind: string) => `.${kind}js`);
    case 'none':
      return stripTsExtension(path);
  }
}
