import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { GuardConfig } from './config.js';
import type { Suppression } from './suppressions.js';
import type { Score, Violation } from './types.js';

/** Where the cache lives: `node_modules/.cache/agentwire-guard/` under the config's folder. */
export function cacheFile(config: GuardConfig): string {
  const id = createHash('sha256').update(config.configFile).digest('hex').slice(0, 12);
  return join(config.root, 'node_modules', '.cache', 'agentwire-guard', `${id}.json`);
}

/** One checked file's findings, enough to rebuild a report without the program. */
export interface CachedResult {
  violations: Violation[];
  suppressed: Array<{ violation: Violation; reason: string }>;
  suppressions: Suppression[];
  score: Score;
}

export interface CacheStore {
  version: 2;
  /** Hash of guard's version, the config, and the text of every tsconfig and file they extend. */
  inputsKey: string;
  /** The tsconfigs and extended files that key covers. */
  configFiles: string[];
  /** The program's root files, sorted. */
  rootNames: string[];
  /** mtime of every folder the root files were listed from: a file added or removed changes one. */
  directories: Record<string, number>;
  /** Every file of the last program: content hash (project files) or size and mtime (node_modules). */
  signatures: Record<string, string>;
  /** Project file → the files it imports. */
  dependencies: Record<string, string[]>;
  /** Files every finding depends on (the modules of the configured symbols and what they import). */
  global: string[];
  /** Files the config selected last time. */
  selected: string[];
  results: Record<string, CachedResult>;
}

export function hashText(...parts: string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}

/** A file's signature; undefined when it is gone. Files in node_modules are judged by size and mtime. */
export function signatureOf(file: string): string | undefined {
  try {
    if (file.includes('/node_modules/')) {
      const stat = statSync(file);
      return `${stat.size}:${stat.mtimeMs}`;
    }
    return hashText(readFileSync(file, 'utf8')).slice(0, 32);
  } catch {
    return undefined;
  }
}

export function readCache(file: string): CacheStore | undefined {
  try {
    const store = JSON.parse(readFileSync(file, 'utf8')) as CacheStore;
    return store.version === 2 ? store : undefined;
  } catch {
    // A missing or corrupt cache is only a cold run.
    return undefined;
  }
}

/** Written to a temporary file and renamed, so a concurrent run never reads half a cache. */
export function writeCache(file: string, store: CacheStore): void {
  mkdirSync(dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(store));
  renameSync(temporary, file);
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

export function inputsKeyOf(engine: string, config: GuardConfig, configFiles: readonly string[]): string {
  return hashText(engine, readOr(config.configFile), ...configFiles.flatMap((file) => [file, readOr(file)]));
}

export function directoryTimes(directories: readonly string[]): Record<string, number> {
  const times: Record<string, number> = {};
  for (const dir of directories) {
    try {
      times[dir] = statSync(dir).mtimeMs;
    } catch {
      times[dir] = -1;
    }
  }
  return times;
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

export { closure };

/** A declaration file or a module augmenting others (`declare global`, `declare module`) can change any file without being imported. */
function isAmbient(file: string): boolean {
  if (/\.d\.[cm]?ts$/.test(file)) return true;
  return /\bdeclare\s+(global|module)\b/.test(readOr(file));
}

/** Which cached results still hold: a file's is valid when neither it nor anything it imports changed. */
export function validity(store: CacheStore): (file: string) => boolean {
  const changed = new Set<string>();
  for (const [file, signature] of Object.entries(store.signatures)) {
    if (signatureOf(file) !== signature) changed.add(file);
  }
  const everythingStale = [...changed].some((file) => file.includes('/node_modules/') || store.global.includes(file) || isAmbient(file));
  return (file) => {
    if (everythingStale || !store.results[file]) return false;
    for (const dependency of closure([file], store.dependencies)) if (changed.has(dependency)) return false;
    return true;
  };
}
