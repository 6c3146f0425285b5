import { cacheFile, closure, directoryTimes, inputsKeyOf, readCache, signatureOf, validity, writeCache, type CachedResult, type CacheStore } from './cache-store.js';
import { createAnalysis, type CheckResult } from './check.js';
import type { GuardConfig } from './config.js';
import { dependenciesOf } from './dependencies.js';
import { loadProject } from './project.js';
import { readProgramInputs } from './tsconfig.js';
import { engineId } from './engine-id.js';
import { fromResults, tryWarm } from './warm.js';

/** Files whose change can change findings anywhere: the modules the config names, and what they import. */
function configModules(config: GuardConfig): string[] {
  return [
    ...config.symbols.map((s) => s.module),
    ...config.factoryOnly.flatMap((f) => [...(f.module ? [f.module] : []), ...f.factories.flatMap((r) => (r.module ? [r.module] : []))]),
    ...config.deprecated.flatMap((d) => (d.module ? [d.module] : [])),
  ];
}

/**
 * A check that reuses, from the on-disk cache, the findings of every file whose content and
 * whose imports (transitively) are unchanged: a change re-checks the changed file and the
 * files importing it. When nothing a wanted file depends on changed, the program is not even
 * built. Anything that could change every result (guard's version, the config, a tsconfig or
 * a file it extends, the set of root files, a configured module or a file in node_modules)
 * starts cold.
 */
export function checkIncremental(config: GuardConfig, onlyFiles?: ReadonlySet<string>): CheckResult {
  const warm = tryWarm(config, onlyFiles);
  if (warm) return warm;
  const inputs = readProgramInputs(config.tsconfig);
  const inputsKey = inputsKeyOf(engineId(), config, inputs.configFiles);
  const rootNames = [...inputs.rootNames].sort();
  const location = cacheFile(config);
  const previous = readCache(location);
  const store = previous?.inputsKey === inputsKey && previous.rootNames.join('\0') === rootNames.join('\0') ? previous : undefined;
  const isValid = store ? validity(store) : () => false;

  const loaded = loadProject(config);
  const analysis = createAnalysis(config, loaded.program);
  const wanted = loaded.files.filter((file) => !onlyFiles || onlyFiles.has(file.fileName));
  const results: CachedResult[] = [];
  const analysed: string[] = [];
  const fixes: CheckResult['fixes'] = [];
  const next: CacheStore = {
    version: 2,
    inputsKey,
    configFiles: inputs.configFiles,
    rootNames,
    directories: directoryTimes(inputs.directories),
    signatures: {},
    dependencies: {},
    global: [],
    selected: loaded.files.map((f) => f.fileName),
    results: {},
  };
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
