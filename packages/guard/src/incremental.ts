import { readFileSync } from 'node:fs';
import { cacheFile, hashText, readCache, signatureOf, writeCache, type CachedResult, type CacheStore } from './cache-store.js';
import { compareViolations, createAnalysis, type CheckResult } from './check.js';
import type { GuardConfig } from './config.js';
import { dependenciesOf } from './dependencies.js';
import { loadProject } from './project.js';
import { mergeScores } from './score.js';
import { readProgramInputs } from './tsconfig.js';
import { VERSION } from './version.js';

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** Files whose change can change findings anywhere: the modules the config names, and what they import. */
function configModules(config: GuardConfig): string[] {
  return [
    ...config.symbols.map((s) => s.module),
    ...config.factoryOnly.flatMap((f) => [...(f.module ? [f.module] : []), ...f.factories.flatMap((r) => (r.module ? [r.module] : []))]),
    ...config.deprecated.flatMap((d) => (d.module ? [d.module] : [])),
  ];
}

function closure(starts: Iterable<string>, dependencies: Record<string, string[]>): Set<string> {
  const seen = new Set<string>();
  const stack = [...starts];
  while (stack.length > 0) {
    const file = stack.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    stack.push(...(dependencies[file] ?? []));
  }
  return seen;
}

/**
 * A check that reuses, from the on-disk cache, the findings of every file whose content and
 * whose imports (transitively) are unchanged: a change re-checks the changed file and the
 * files importing it. When nothing a wanted file depends on changed, the program is not even
 * built. Anything that could change every result (guard's version, the config, a tsconfig,
 * the set of root files, a configured module or a file in node_modules) starts cold.
 */
export function checkIncremental(config: GuardConfig, onlyFiles?: ReadonlySet<string>): CheckResult {
  const inputs = readProgramInputs(config.tsconfig);
  const key = hashText(VERSION, readOr(config.configFile), ...inputs.projects.flatMap((p) => [p, readOr(p)]), ...[...inputs.rootNames].sort());
  const location = cacheFile(config);
  const previous = readCache(location);
  const store = previous?.key === key ? previous : undefined;

  const changed = new Set<string>();
  if (store) {
    for (const [file, signature] of Object.entries(store.signatures)) {
      if (signatureOf(file) !== signature) changed.add(file);
    }
  }
  const everythingStale = !store || [...changed].some((file) => file.includes('/node_modules/') || store.global.includes(file));
  const isValid = (file: string): boolean => {
    if (!store || everythingStale || !store.results[file]) return false;
    for (const dependency of closure([file], store.dependencies)) if (changed.has(dependency)) return false;
    return true;
  };

  if (store && !everythingStale) {
    const wanted = store.selected.filter((file) => !onlyFiles || onlyFiles.has(file));
    if (wanted.every(isValid)) return fromResults(config, wanted, wanted.map((file) => store.results[file] as CachedResult), [], undefined);
  }

  const loaded = loadProject(config);
  const analysis = createAnalysis(config, loaded.program);
  const wanted = loaded.files.filter((file) => !onlyFiles || onlyFiles.has(file.fileName));
  const results: CachedResult[] = [];
  const analysed: string[] = [];
  const fixes: CheckResult['fixes'] = [];
  const next: CacheStore = { version: 1, key, signatures: {}, dependencies: {}, global: [], selected: loaded.files.map((f) => f.fileName), results: {} };
  for (const file of wanted) {
    const reused = isValid(file.fileName) ? store?.results[file.fileName] : undefined;
    if (reused) {
      results.push(reused);
      next.results[file.fileName] = reused;
      continue;
    }
    const fresh = analysis.analyse([file]);
    analysed.push(file.fileName);
    fixes.push(...fresh.fixes);
    const result: CachedResult = { violations: fresh.violations, suppressed: fresh.suppressed, suppressions: fresh.suppressions, score: fresh.score };
    results.push(result);
    next.results[file.fileName] = result;
  }
  // Files not wanted this time (a --staged run) keep their results while they stay valid.
  for (const file of next.selected) {
    if (next.results[file] || !store?.results[file] || !isValid(file)) continue;
    next.results[file] = store.results[file];
  }
  for (const file of loaded.program.getSourceFiles()) {
    const signature = signatureOf(file.fileName);
    if (signature === undefined) continue;
    next.signatures[file.fileName] = signature;
    if (!file.fileName.includes('/node_modules/')) next.dependencies[file.fileName] = dependenciesOf(loaded.program, file);
  }
  const modules = configModules(config).map((module) => loaded.program.getSourceFile(module)?.fileName ?? module);
  next.global = [...closure(modules, next.dependencies)];
  writeCache(location, next);
  return fromResults(config, wanted.map((f) => f.fileName), results, fixes, loaded, analysed);
}

function fromResults(
  config: GuardConfig,
  files: string[],
  results: CachedResult[],
  fixes: CheckResult['fixes'],
  loaded: CheckResult['loaded'],
  analysed: string[] = [],
): CheckResult {
  return {
    config,
    ...(loaded ? { loaded } : {}),
    files,
    fileCount: files.length,
    violations: results.flatMap((r) => r.violations).sort(compareViolations),
    suppressed: results.flatMap((r) => r.suppressed),
    suppressions: results.flatMap((r) => r.suppressions),
    score: mergeScores(results.map((r) => r.score)),
    fixes,
    cache: { analysed, reused: files.length - analysed.length },
  };
}
