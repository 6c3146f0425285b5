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
  version: 1;
  /** Hash of guard's version, the config and tsconfig texts and the program's root files. */
  key: string;
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
    return store.version === 1 ? store : undefined;
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
