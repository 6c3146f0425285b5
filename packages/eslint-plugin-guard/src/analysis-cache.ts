import { dirname, resolve } from 'node:path';
import { createAnalysis, isSelected, loadConfig, relativePath, type Analysis, type FileAnalysis, type GuardConfig } from '@agentwire/guard';

/** What typescript-eslint's parser services provide; typed loosely, the program is the compiler's own. */
export interface TypedProgram {
  getSourceFile(fileName: string): unknown;
}

type AnalyseInput = Parameters<Analysis['analyse']>[0];
type GuardProgram = Parameters<typeof createAnalysis>[1];

const configs = new Map<string, GuardConfig>();
// One analysis per program (and config): targets resolve once, every linted file reuses them.
const analyses = new WeakMap<object, Map<string, Analysis>>();
const results = new WeakMap<object, Map<string, FileAnalysis | undefined>>();

function configFor(cwd: string, configPath: string | undefined): GuardConfig {
  const key = resolve(cwd, configPath ?? 'guard.config.json');
  let config = configs.get(key);
  if (!config) {
    config = loadConfig(configPath ? dirname(key) : cwd, configPath ? key : undefined);
    configs.set(key, config);
  }
  return config;
}

/**
 * guard's findings for one file, computed by guard's own rules on the program typescript-eslint
 * built, once per file per program whatever the number of ESLint rules asking.
 */
export function findingsFor(program: TypedProgram, fileName: string, cwd: string, configPath: string | undefined): FileAnalysis | undefined {
  const config = configFor(cwd, configPath);
  let perFile = results.get(program);
  if (!perFile) {
    perFile = new Map();
    results.set(program, perFile);
  }
  const key = `${config.configFile}\0${fileName}`;
  if (perFile.has(key)) return perFile.get(key);
  let result: FileAnalysis | undefined;
  const source = program.getSourceFile(fileName);
  if (source && isSelected(config, relativePath(config.root, fileName))) {
    let byConfig = analyses.get(program);
    if (!byConfig) {
      byConfig = new Map();
      analyses.set(program, byConfig);
    }
    let analysis = byConfig.get(config.configFile);
    if (!analysis) {
      analysis = createAnalysis(config, program as unknown as GuardProgram);
      byConfig.set(config.configFile, analysis);
    }
    result = analysis.analyse([source] as unknown as AnalyseInput);
  }
  perFile.set(key, result);
  return result;
}
