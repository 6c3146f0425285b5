import { describe, expect, it } from 'vitest';
import { checkDir, makeProject, summarise } from './helpers.js';

const LIB = {
  'src/lib/store.ts': `export class Store {\n  readonly items: string[] = [];\n}\nexport interface Repository {\n  get(id: string): string | undefined;\n}\nexport function makeStore(): Store {\n  return new Store();\n}\n`,
  'src/lib/index.ts': `export { Store, makeStore } from './store.js';\nexport type { Repository } from './store.js';\nexport { legacyStore, modernStore } from './legacy.js';\n`,
  'src/lib/legacy.ts': `import { Store } from './store.js';\nexport function legacyStore(): Store {\n  return modernStore();\n}\nexport function modernStore(): Store {\n  return new Store();\n}\n`,
  // Two levels of re-export outside the library: barrel -> chain.
  'src/barrel.ts': `export { Store as Box } from './lib/store.js';\n`,
  'src/chain.ts': `export * from './barrel.js';\n`,
};

const GUARDED = {
  Store: { module: 'src/lib/index.ts', internal: ['src/lib/**'] },
  makeStore: { module: 'src/lib/index.ts', internal: ['src/lib/**'] },
  Repository: { module: 'src/lib/index.ts', internal: ['src/lib/**'] },
};

function rule(result: ReturnType<typeof checkDir>, id: string): string[] {
  return summarise(result).filter((line) => line.startsWith(`${id} `));
}

function scoreOf(result: ReturnType<typeof checkDir>, id: string): string {
  const r = result.score.rules.find((s) => s.rule === id);
  return `${(r?.checked ?? 0) - (r?.violations ?? 0)}/${r?.checked ?? 0}`;
}

describe('non-canonical-import', () => {
  const dir = makeProject(
    {
      ...LIB,
      'src/ok-relative.ts': `import { Store } from './lib/index.js';\nexport const a = (s: Store) => s;\n`,
      'src/ok-alias.ts': `import { Store as S, type Repository as R } from './lib/index.js';\nexport const b = (s: S, r: R) => [s, r];\n`,
      'src/ok-paths.ts': `import { makeStore } from '@lib';\nexport const c = makeStore;\n`,
      'src/deep.ts': `import { Store } from './lib/store.js';\nexport const d = (s: Store) => s;\n`,
      'src/aliased-deep.ts': `import { Store as Thing } from './lib/store.js';\nexport const e = (s: Thing) => s;\n`,
      'src/via-chain.ts': `import { Box } from './chain.js';\nexport const f = (s: Box) => s;\n`,
      'src/type-only.ts': `import type { Repository } from './lib/store.js';\nexport const g = (r: Repository) => r;\n`,
      'src/namespace.ts': `import * as lib from './lib/store.js';\nexport const h = () => lib.makeStore();\n`,
      'src/unrelated.ts': `import { legacyStore } from './lib/legacy.js';\nexport const i = legacyStore;\n`,
    },
    { symbols: GUARDED },
    {
      compilerOptions: { module: 'ESNext', moduleResolution: 'Bundler', lib: ['ES2022'], types: [], strict: true, noEmit: true, paths: { '@lib': ['./src/lib/index.ts'] } },
      include: ['src'],
    },
  );
  const result = checkDir(dir);

  it('flags deep paths, aliases, re-export chains, type-only and namespace imports, judged by declaration', () => {
    expect(rule(result, 'non-canonical-import')).toEqual([
      'non-canonical-import src/aliased-deep.ts:1:10 Store',
      'non-canonical-import src/barrel.ts:1:10 Store',
      'non-canonical-import src/deep.ts:1:10 Store',
      'non-canonical-import src/namespace.ts:2:24 makeStore',
      'non-canonical-import src/type-only.ts:1:15 Repository',
      'non-canonical-import src/via-chain.ts:1:10 Store',
    ]);
  });

  it('accepts the canonical module by relative path, alias or tsconfig paths, and ignores unguarded symbols and internal files', () => {
    const files = rule(result, 'non-canonical-import').map((line) => line.split(' ')[1]);
    for (const ok of ['src/ok-relative.ts', 'src/ok-alias.ts', 'src/ok-paths.ts', 'src/unrelated.ts', 'src/lib/legacy.ts']) {
      expect(files.some((f) => f?.startsWith(ok))).toBe(false);
    }
    expect(scoreOf(result, 'non-canonical-import')).toBe('4/10');
  });

  it('names the alias and the resolved file in the message', () => {
    const aliased = result.violations.find((v) => v.file === 'src/aliased-deep.ts');
    expect(aliased?.message).toBe("Store as Thing is imported from './lib/store.js' (resolves to src/lib/store.ts) instead of its canonical module '@lib'");
  });
});

describe('duplicate-implementation', () => {
  const dir = makeProject(
    {
      ...LIB,
      'src/copy.ts': `export class Store {}\n`,
      // Copies: same name and a compatible shape (a Store-like result).
      'src/factory-copy.ts': `export function makeStore(): { items: string[] };\nexport function makeStore(n?: number): { items: string[] } {\n  return { items: n ? [] : [] };\n}\n`,
      'src/arrow-copy.ts': `export const makeStore = () => ({ items: [] as string[] });\n`,
      'src/impl.ts': `import type { Repository as Repo } from './lib/index.js';\nexport class MemoryRepository implements Repo {\n  get(id: string) {\n    return id;\n  }\n}\n`,
      'src/ok.ts': `export class StoreView {}\nexport class Other implements Iterable<number> {\n  *[Symbol.iterator]() {}\n}\nexport function build() {\n  class Store {}\n  return Store;\n}\n`,
    },
    { symbols: GUARDED },
  );
  const result = checkDir(dir);

  it('flags same-name classes and functions (overloads once) and implementations of a guarded interface through an alias', () => {
    expect(rule(result, 'duplicate-implementation')).toEqual([
      'duplicate-implementation src/arrow-copy.ts:1:14 makeStore',
      'duplicate-implementation src/copy.ts:1:14 Store',
      'duplicate-implementation src/factory-copy.ts:1:17 makeStore',
      'duplicate-implementation src/impl.ts:2:14 MemoryRepository',
    ]);
  });

  it('leaves the canonical declarations, other names and nested classes alone', () => {
    expect(scoreOf(result, 'duplicate-implementation')).toBe('2/6');
  });
});

describe('factory-bypass', () => {
  const dir = makeProject(
    {
      ...LIB,
      'src/lib/arrow-factory.ts': `import { Store } from './store.js';\nexport const storeFactory = () => new Store();\n`,
      'src/direct.ts': `import { Store } from './lib/index.js';\nexport const a = new Store();\n`,
      'src/aliased.ts': `import { Store as Bucket } from './lib/index.js';\nexport function make() {\n  return new Bucket();\n}\n`,
      'src/chained.ts': `import { Box } from './chain.js';\nexport const c = () => new Box();\n`,
      'src/namespace.ts': `import * as lib from './lib/index.js';\nexport const d = new lib.Store();\n`,
      'src/other-class.ts': `class Store {}\nexport const e = new Store();\n`,
      'src/factory-call.ts': `import { makeStore } from './lib/index.js';\nexport const f = () => makeStore();\n`,
    },
    { symbols: GUARDED, factoryOnly: { Store: ['makeStore', 'src/lib/arrow-factory.ts#storeFactory'] } },
  );
  const result = checkDir(dir);

  it('flags new through the name, an alias, a re-export chain and a namespace; not a different class of the same name', () => {
    expect(rule(result, 'factory-bypass')).toEqual([
      'factory-bypass src/aliased.ts:3:10 Store',
      'factory-bypass src/chained.ts:2:24 Store',
      'factory-bypass src/direct.ts:2:18 Store',
      'factory-bypass src/lib/legacy.ts:6:10 Store',
      'factory-bypass src/namespace.ts:2:18 Store',
    ]);
  });

  it('allows construction inside each configured factory (function and arrow)', () => {
    expect(scoreOf(result, 'factory-bypass')).toBe('2/7');
    const aliased = result.violations.find((v) => v.file === 'src/aliased.ts');
    expect(aliased?.message).toBe('new Store (as Bucket) outside its factory makeStore / storeFactory');
    expect(aliased?.fix).toBe("call makeStore() from './lib/index.js' instead of constructing Store directly");
  });
});

describe('shared-state', () => {
  const dir = makeProject(
    {
      ...LIB,
      'src/state/bad.ts': [
        `import { makeStore, Store } from '../lib/index.js';`,
        `let counter = 0;`,
        `export var legacy = 1;`,
        `const cache = new Map<string, number>();`,
        `export const seen = new Set<string>();`,
        `const queue: string[] = [];`,
        `const options = { retries: 3 };`,
        `const store = makeStore();`,
        `const direct = new Store();`,
        `export const read = () => [counter, legacy, cache, seen, queue, options, store, direct];`,
        ``,
      ].join('\n'),
      'src/state/good.ts': [
        `const LIMIT = 10;`,
        `const NAMES = ['a', 'b'] as const;`,
        `const DEFAULTS = Object.freeze({ retries: 3 });`,
        `const TABLE: ReadonlyMap<string, number> = new Map([['a', 1]]);`,
        `const LIST: readonly number[] = [1, 2];`,
        `const greet = (name: string) => 'hi ' + name;`,
        `export function make() {`,
        `  const local = new Map<string, number>();`,
        `  let n = 0;`,
        `  return { local, n };`,
        `}`,
        `export const all = [LIMIT, NAMES, DEFAULTS, TABLE, LIST, greet] as const;`,
        ``,
      ].join('\n'),
      'src/elsewhere.ts': `export let free = new Map<string, number>();\n`,
    },
    { symbols: GUARDED, noModuleState: ['src/state'] },
  );
  const result = checkDir(dir);

  it('flags let/var, Map, Set, arrays, objects and module-level instances of guarded classes (also made by a factory)', () => {
    expect(rule(result, 'shared-state')).toEqual([
      'shared-state src/state/bad.ts:2:5 counter',
      'shared-state src/state/bad.ts:3:12 legacy',
      'shared-state src/state/bad.ts:4:7 cache',
      'shared-state src/state/bad.ts:5:14 seen',
      'shared-state src/state/bad.ts:6:7 queue',
      'shared-state src/state/bad.ts:7:7 options',
      'shared-state src/state/bad.ts:8:7 store',
      'shared-state src/state/bad.ts:9:7 direct',
    ]);
  });

  it('accepts constants, frozen and readonly values, functions and locals, and ignores other folders', () => {
    // Only bindings that can hold state are judged: constants, frozen values and functions are not uses.
    expect(scoreOf(result, 'shared-state')).toBe('0/8');
  });
});

describe('deprecated-path', () => {
  const dir = makeProject(
    {
      ...LIB,
      'src/direct.ts': `import { legacyStore } from './lib/index.js';\nexport const a = legacyStore();\n`,
      'src/aliased.ts': `import { legacyStore as old } from './lib/legacy.js';\nexport const b = () => old();\n`,
      'src/reexported.ts': `export { legacyStore as oldStore } from './lib/index.js';\n`,
      'src/via-reexport.ts': `import { oldStore } from './reexported.js';\nexport const c = oldStore;\n`,
      'src/modern.ts': `import { modernStore } from './lib/index.js';\nexport const d = modernStore();\n`,
    },
    { symbols: GUARDED, deprecated: { legacyStore: { module: 'src/lib/index.ts', replacement: 'src/lib/index.ts#modernStore' } } },
  );
  const result = checkDir(dir);

  it('flags every use by name, alias and re-export, but not the declaration or the import clauses', () => {
    expect(rule(result, 'deprecated-path')).toEqual([
      'deprecated-path src/aliased.ts:2:24 legacyStore',
      'deprecated-path src/direct.ts:2:18 legacyStore',
      'deprecated-path src/via-reexport.ts:2:18 legacyStore',
    ]);
    expect(result.violations.find((v) => v.file === 'src/aliased.ts')?.message).toBe(
      "legacyStore (as old) is deprecated; use modernStore from './lib/index.js'",
    );
  });

  it('counts uses of the replacement as canonical', () => {
    // modern.ts uses it once, legacy.ts once (inside legacyStore).
    expect(scoreOf(result, 'deprecated-path')).toBe('2/5');
  });
});
