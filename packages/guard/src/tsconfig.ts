import { existsSync, readdirSync, type Dirent } from 'node:fs';
import { dirname, join } from 'node:path';
import { ts } from 'ts-morph';
import { GuardError } from './errors.js';

export interface ProgramInputs {
  rootNames: string[];
  options: ts.CompilerOptions;
  /** Every tsconfig read, the given one first: what `tsc -b` would build. */
  projects: string[];
  /** Those tsconfigs and every file they extend: what the program's settings depend on. */
  configFiles: string[];
  /** Folders whose listing decides the root files (include wildcards): a new file changes one's mtime. */
  directories: string[];
}

/** Folders under a wildcard directory, recursively unless the flag says otherwise; never node_modules or dot folders. */
export function listDirectories(root: string, recursive: boolean): string[] {
  const found: string[] = [];
  const walk = (dir: string) => {
    found.push(dir);
    if (!recursive) return;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name !== 'node_modules' && !entry.name.startsWith('.')) walk(join(dir, entry.name));
    }
  };
  if (existsSync(root)) walk(root);
  return found;
}

function diagnosticText(diagnostic: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
}

function parse(tsconfig: string, from?: string): { parsed: ts.ParsedCommandLine; extended: readonly string[] } {
  if (!existsSync(tsconfig)) {
    throw new GuardError('TSCONFIG', `tsconfig not found: ${tsconfig}${from ? ` (referenced by ${from})` : ''}`);
  }
  const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
  if (read.error) throw new GuardError('TSCONFIG', `cannot read ${tsconfig}: ${diagnosticText(read.error)}`);
  // The JSON source file (rather than the object) also lists the files it extends.
  const source = ts.readJsonConfigFile(tsconfig, ts.sys.readFile);
  const parsed = ts.parseJsonSourceFileConfigFileContent(source, ts.sys, dirname(tsconfig), undefined, tsconfig);
  // "No inputs" (a solution file has none) and deprecations do not make resolution meaningless; the rest does.
  const fatal = parsed.errors.filter((e) => e.category === ts.DiagnosticCategory.Error && e.code !== 18003 && e.code !== 5101 && e.code !== 5107);
  if (fatal.length > 0) throw new GuardError('TSCONFIG', `${tsconfig}: ${fatal.map(diagnosticText).join('; ')}`);
  return { parsed, extended: source.extendedSourceFiles ?? [] };
}

/**
 * Reads a tsconfig and, like `tsc -b`, every project it references (transitively), so a
 * solution-style tsconfig (`"files": []` plus `references`) selects the files of its projects.
 * The projects become one program whose imports between them resolve to their sources; its
 * compiler options are the given tsconfig's, or for a solution file the first referenced
 * project's that has files.
 */
export function readProgramInputs(tsconfig: string): ProgramInputs {
  const seen = new Set<string>();
  const rootNames = new Set<string>();
  const parsedProjects: ts.ParsedCommandLine[] = [];
  const configFiles = new Set<string>();
  const directories = new Set<string>();
  const visit = (file: string, from?: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const { parsed, extended } = parse(file, from);
    parsedProjects.push(parsed);
    configFiles.add(file);
    for (const name of extended) configFiles.add(name);
    for (const [dir, flags] of Object.entries(parsed.wildcardDirectories ?? {})) {
      for (const found of listDirectories(dir, (flags & ts.WatchDirectoryFlags.Recursive) !== 0)) directories.add(found);
    }
    for (const name of parsed.fileNames) rootNames.add(name);
    for (const reference of parsed.projectReferences ?? []) visit(ts.resolveProjectReferencePath(reference), file);
  };
  visit(tsconfig);
  const [own] = parsedProjects as [ts.ParsedCommandLine];
  const optionsFrom = own.fileNames.length > 0 ? own : (parsedProjects.find((p) => p.fileNames.length > 0) ?? own);
  const { composite: _composite, ...options } = optionsFrom.options;
  return {
    rootNames: [...rootNames],
    options: { ...options, noEmit: true },
    projects: [...seen],
    configFiles: [...configFiles],
    directories: [...directories].sort(),
  };
}
