import { cacheFile, directoryTimes, inputsKeyOf, readCache, validity, type CachedResult } from './cache-store.js';
import type { CheckResult } from './check.js';
import type { GuardConfig } from './config.js';
import { mergeScores } from './score.js';
import { compareViolations } from './types.js';
import { engineId } from './engine-id.js';

/** A report made of cached per-file results. */
export function fromResults(
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

/**
 * The answer from the cache alone, without TypeScript: when the config, the tsconfigs, the
 * folders the root files come from, and every file a wanted file depends on are unchanged.
 * Undefined when anything needs the program. This module must not import the compiler, so a
 * warm run does not pay for loading it.
 */
export function tryWarm(config: GuardConfig, onlyFiles?: ReadonlySet<string>): CheckResult | undefined {
  const store = readCache(cacheFile(config));
  if (!store || store.inputsKey !== inputsKeyOf(engineId(), config, store.configFiles)) return undefined;
  const times = directoryTimes(Object.keys(store.directories));
  if (Object.entries(store.directories).some(([dir, time]) => times[dir] !== time)) return undefined;
  const isValid = validity(store);
  const wanted = store.selected.filter((file) => !onlyFiles || onlyFiles.has(file));
  if (!wanted.every(isValid)) return undefined;
  return fromResults(config, wanted, wanted.map((file) => store.results[file] as CachedResult), [], undefined);
}
