import { existsSync } from 'node:fs';
import { Project, type ts } from 'ts-morph';
import type { GuardConfig } from './config.js';
import { GuardError } from './errors.js';
import { compileGlobs } from './glob.js';
import { relativePath } from './paths.js';

export interface LoadedProject {
  project: Project;
  program: ts.Program;
  checker: ts.TypeChecker;
  /** The files rules report on; the rest of the program is still used to resolve symbols. */
  files: ts.SourceFile[];
}

export function loadProject(config: GuardConfig, onlyFiles?: ReadonlySet<string>): LoadedProject {
  if (!existsSync(config.tsconfig)) {
    throw new GuardError('TSCONFIG', `tsconfig not found: ${config.tsconfig} (set "tsconfig" in ${config.configFile})`);
  }
  let project: Project;
  try {
    project = new Project({ tsConfigFilePath: config.tsconfig });
  } catch (error) {
    throw new GuardError('TSCONFIG', `cannot load ${config.tsconfig}: ${(error as Error).message}`);
  }
  // The raw compiler objects are used from here on: walking thousands of files through
  // ts-morph's node wrappers costs several times more than the plain compiler API.
  const program = project.getProgram().compilerObject;
  const checker = program.getTypeChecker();
  const included = config.include.length > 0 ? compileGlobs(config.include) : () => true;
  const ignored = compileGlobs(config.ignore);
  const files = program.getSourceFiles().filter((file) => {
    if (file.isDeclarationFile || file.fileName.includes('/node_modules/')) return false;
    if (onlyFiles && !onlyFiles.has(file.fileName)) return false;
    const rel = relativePath(config.root, file.fileName);
    if (rel.startsWith('../')) return false;
    return included(rel) && !ignored(rel);
  });
  return { project, program, checker, files };
}
