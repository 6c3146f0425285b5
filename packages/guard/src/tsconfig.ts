import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { ts } from 'ts-morph';
import { GuardError } from './errors.js';

export interface ProgramInputs {
  rootNames: string[];
  options: ts.CompilerOptions;
  /** Every tsconfig read, the given one first: what `tsc -b` would build. */
  projects: string[];
}

function diagnosticText(diagnostic: ts.Diagnostic): string {
  return ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
}

function parse(tsconfig: string, from?: string): ts.ParsedCommandLine {
  if (!existsSync(tsconfig)) {
    throw new GuardError('TSCONFIG', `tsconfig not found: ${tsconfig}${from ? ` (referenced by ${from})` : ''}`);
  }
  const read = ts.readConfigFile(tsconfig, ts.sys.readFile);
  if (read.error) throw new GuardError('TSCONFIG', `cannot read ${tsconfig}: ${diagnosticText(read.error)}`);
  const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, dirname(tsconfig), undefined, tsconfig);
  // "No inputs" (a solution file has none) and deprecations do not make resolution meaningless; the rest does.
  const fatal = parsed.errors.filter((e) => e.category === ts.DiagnosticCategory.Error && e.code !== 18003 && e.code !== 5101 && e.code !== 5107);
  if (fatal.length > 0) throw new GuardError('TSCONFIG', `${tsconfig}: ${fatal.map(diagnosticText).join('; ')}`);
  return parsed;
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
  const visit = (file: string, from?: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const parsed = parse(file, from);
    parsedProjects.push(parsed);
    for (const name of parsed.fileNames) rootNames.add(name);
    for (const reference of parsed.projectReferences ?? []) visit(ts.resolveProjectReferencePath(reference), file);
  };
  visit(tsconfig);
  const [own] = parsedProjects as [ts.ParsedCommandLine];
  const optionsFrom = own.fileNames.length > 0 ? own : (parsedProjects.find((p) => p.fileNames.length > 0) ?? own);
  const { composite: _composite, ...options } = optionsFrom.options;
  return { rootNames: [...rootNames], options: { ...options, noEmit: true }, projects: [...seen] };
}
