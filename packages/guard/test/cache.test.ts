import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cacheFile } from '../src/cache-store.js';
import { check } from '../src/check.js';
import { loadConfig } from '../src/config.js';
import { runWarm } from '../src/run-warm.js';
import { makeProject, runCli } from './helpers.js';

const FILES = {
  'src/lib/store.ts': `export class Store {}\n`,
  'src/lib/index.ts': `export { Store } from './store.js';\n`,
  // A chain: c imports b imports a; d stands alone.
  'src/a.ts': `export const a = 1;\n`,
  'src/b.ts': `import { a } from './a.js';\nexport const b = a;\n`,
  'src/c.ts': `import { b } from './b.js';\nimport { Store } from './lib/store.js';\nexport const c = [b, Store];\n`,
  'src/d.ts': `import { Store } from './lib/store.js';\nexport const d = Store;\n`,
};
const CONFIG = { symbols: { Store: { module: 'src/lib/index.ts', internal: ['src/lib/**'] } } };

function rel(dir: string, files: readonly string[] | undefined): string[] {
  return (files ?? []).map((f) => f.slice(dir.length + 1)).sort();
}

function same(dir: string) {
  const config = loadConfig(dir);
  const cached = check(config, { cache: true });
  const cold = check(config);
  expect(cached.violations).toEqual(cold.violations);
  expect(cached.score).toEqual(cold.score);
  return cached;
}

describe('the on-disk cache re-checks only what a change can affect (issue 17 point 7)', () => {
  it('cold: analyses everything; unchanged: builds no program; one change: that file and its importers, transitively', () => {
    const dir = makeProject(FILES, CONFIG);
    const first = same(dir);
    expect(rel(dir, first.cache?.analysed)).toEqual(['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/d.ts', 'src/lib/index.ts', 'src/lib/store.ts']);
    expect(existsSync(cacheFile(loadConfig(dir)))).toBe(true);

    const warm = same(dir);
    expect(warm.loaded).toBeUndefined();
    expect(warm.cache).toEqual({ analysed: [], reused: 6 });

    writeFileSync(join(dir, 'src/a.ts'), `export const a = 2;\n`);
    expect(rel(dir, same(dir).cache?.analysed)).toEqual(['src/a.ts', 'src/b.ts', 'src/c.ts']);

    // A change that adds a violation is seen; the others are reused.
    writeFileSync(join(dir, 'src/d.ts'), `import { Store as S } from './lib/store.js';\nexport const d = [S, S];\n`);
    const changed = same(dir);
    expect(rel(dir, changed.cache?.analysed)).toEqual(['src/d.ts']);
    expect(changed.violations.map((v) => v.file)).toEqual(['src/c.ts', 'src/d.ts']);
  });

  it('a change to a configured module or to the config starts cold', () => {
    const dir = makeProject(FILES, CONFIG);
    same(dir);
    writeFileSync(join(dir, 'src/lib/store.ts'), `export class Store {\n  n = 1;\n}\n`);
    expect(same(dir).cache?.reused).toBe(0);
    same(dir);
    writeFileSync(join(dir, 'guard.config.json'), JSON.stringify({ ...CONFIG, ignore: ['src/d.ts'] }));
    expect(rel(dir, same(dir).cache?.analysed)).toEqual(['src/a.ts', 'src/b.ts', 'src/c.ts', 'src/lib/index.ts', 'src/lib/store.ts']);
  });

  it('a changed declaration file or global augmentation, imported by nobody, starts cold', () => {
    const dir = makeProject({ ...FILES, 'src/env.d.ts': `declare const BUILD: string;\n` }, CONFIG);
    same(dir);
    writeFileSync(join(dir, 'src/env.d.ts'), `declare const BUILD: number;\n`);
    expect(same(dir).cache?.reused).toBe(0);
  });

  it('--no-cache re-checks everything and writes no cache', () => {
    const dir = makeProject(FILES, CONFIG);
    expect(runCli(['--no-cache'], dir).code).toBe(1);
    expect(existsSync(cacheFile(loadConfig(dir)))).toBe(false);
    expect(runCli([], dir).code).toBe(1);
    expect(existsSync(cacheFile(loadConfig(dir)))).toBe(true);
  });

  it('the CLI answers a warm run from the cache alone, and falls back to the compiler when it must', () => {
    const dir = makeProject(FILES, CONFIG);
    const io = { cwd: dir, stdout: () => undefined, stderr: () => undefined, isTTY: false };
    expect(runWarm([], io)).toBeUndefined();
    expect(runCli([], dir).code).toBe(1);
    expect(runWarm([], io)).toBe(1);
    expect(runWarm(['--no-cache'], io)).toBeUndefined();
    expect(runWarm(['--fix'], io)).toBeUndefined();
    writeFileSync(join(dir, 'src/e.ts'), `export const e = 1;\n`);
    expect(runWarm([], io)).toBeUndefined();
  });
});
