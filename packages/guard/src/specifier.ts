import { dirname, relative, resolve } from 'node:path';
import { ts } from 'ts-morph';
import { samePath } from './paths.js';

const TS_EXTENSION = /\.(d\.)?([mc]?)tsx?$/;

function stripTsExtension(path: string): string {
  return path.replace(TS_EXTENSION, '');
}

/** A module to name from some file: its file, and the exact text the config requires, if any. */
export interface ModuleTarget {
  file: string;
  specifier?: string;
}

/** Finds the spelling a project uses for a module: checks each candidate with TypeScript's own resolver. */
export class SpecifierResolver {
  private readonly resolved = new Map<string, string | undefined>();
  private readonly chosen = new Map<string, string>();

  constructor(
    private readonly program: ts.Program,
    private readonly checker: ts.TypeChecker,
  ) {}

  private get options(): ts.CompilerOptions {
    return this.program.getCompilerOptions();
  }

  private resolvesTo(candidate: string, from: string, file: string): boolean {
    const key = `${dirname(from)}\0${candidate}`;
    if (!this.resolved.has(key)) {
      const result = ts.resolveModuleName(candidate, from, this.options, ts.sys);
      this.resolved.set(key, result.resolvedModule?.resolvedFileName);
    }
    const found = this.resolved.get(key);
    return found !== undefined && samePath(found, file);
  }

  /** How the file already imports that module, if it does: merging into it beats a second import. */
  private existingSpelling(file: ts.SourceFile, target: string): string | undefined {
    for (const statement of file.statements) {
      if (!(ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) || !statement.moduleSpecifier) continue;
      if (ts.isImportDeclaration(statement) && statement.importClause?.namedBindings && ts.isNamespaceImport(statement.importClause.namedBindings)) continue;
      const declaration = this.checker.getSymbolAtLocation(statement.moduleSpecifier)?.valueDeclaration;
      if (declaration && ts.isSourceFile(declaration) && samePath(declaration.fileName, target)) {
        return (statement.moduleSpecifier as ts.StringLiteral).text;
      }
    }
    return undefined;
  }

  /** `paths` aliases (exact ones first, then wildcards) that could name the file, shortest first. */
  private aliasCandidates(target: string): string[] {
    const paths = this.options.paths;
    if (!paths) return [];
    const configDir = typeof this.options.configFilePath === 'string' ? dirname(this.options.configFilePath) : undefined;
    const base = this.options.baseUrl ?? configDir;
    if (!base) return [];
    const wanted = stripTsExtension(target);
    const exact: string[] = [];
    const wildcard: string[] = [];
    for (const [alias, locations] of Object.entries(paths)) {
      const star = alias.indexOf('*');
      for (const location of locations) {
        if (star === -1) {
          if (stripTsExtension(resolve(base, location)) === wanted) exact.push(alias);
          continue;
        }
        const locationStar = location.indexOf('*');
        if (locationStar === -1) continue;
        const prefix = resolve(base, location.slice(0, locationStar)) + (location.slice(0, locationStar).endsWith('/') ? '/' : '');
        const suffix = stripTsExtension(location.slice(locationStar + 1));
        if (!wanted.startsWith(prefix) || !wanted.endsWith(suffix)) continue;
        const middle = wanted.slice(prefix.length, wanted.length - suffix.length);
        const forms = middle.endsWith('/index') ? [middle.slice(0, -'/index'.length), middle] : [middle];
        for (const form of forms) wildcard.push(`${alias.slice(0, star)}${form}${alias.slice(star + 1)}`);
      }
    }
    return [...exact, ...wildcard.sort((a, b) => a.length - b.length)];
  }

  private relativeCandidates(file: ts.SourceFile, target: string): string[] {
    let path = relative(dirname(file.fileName), target).split('\\').join('/');
    if (!path.startsWith('.')) path = `./${path}`;
    switch (extensionStyle(file, this.options)) {
      case 'ts':
        return [path];
      case 'js':
        return [path.replace(/\.([mc]?)tsx?$/, (_match, kind: string) => `.${kind}js`)];
      case 'none': {
        const bare = stripTsExtension(path);
        return bare.endsWith('/index') ? [bare.slice(0, -'/index'.length), bare] : [bare];
      }
    }
  }

  /**
   * The text an import of `target` from `file` should use: the configured specifier, else the
   * spelling the file already uses for that module, else a `paths` alias (wildcards included)
   * that resolves there, else a relative path in the file's own extension style.
   */
  specifierFor(file: ts.SourceFile, target: ModuleTarget): string {
    if (target.specifier) return target.specifier;
    const existing = this.existingSpelling(file, target.file);
    if (existing) return existing;
    const key = `${dirname(file.fileName)}\0${extensionStyle(file, this.options)}\0${target.file}`;
    const cached = this.chosen.get(key);
    if (cached) return cached;
    const candidates = [...this.aliasCandidates(target.file), ...this.relativeCandidates(file, target.file)];
    const found = candidates.find((candidate) => this.resolvesTo(candidate, file.fileName, target.file)) ?? candidates[candidates.length - 1] ?? target.file;
    this.chosen.set(key, found);
    return found;
  }
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
