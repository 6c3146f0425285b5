import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkDir, summarise } from './helpers.js';

const FIXTURE = fileURLToPath(new URL('./fixtures/shared-state', import.meta.url));

describe('shared-state reports state that is mutable and shared, nothing else (issue 17 point 1)', () => {
  const result = checkDir(FIXTURE);
  const found = summarise(result).filter((line) => line.startsWith('shared-state '));

  it('reports written, exported and handed-out containers, guarded instances, default exports and static mutable fields', () => {
    expect(found).toEqual([
      'shared-state src/state/default-export.ts:1:16 default',
      'shared-state src/state/exported.ts:1:14 cache',
      'shared-state src/state/exported.ts:2:7 hidden',
      'shared-state src/state/getter.ts:1:7 sessions',
      'shared-state src/state/getter.ts:2:7 names',
      'shared-state src/state/getter.ts:8:14 state',
      'shared-state src/state/mutated.ts:3:7 registry',
      'shared-state src/state/mutated.ts:4:7 queue',
      'shared-state src/state/mutated.ts:5:7 counters',
      'shared-state src/state/mutated.ts:6:7 pending',
      'shared-state src/state/mutated.ts:7:7 store',
      'shared-state src/state/static-field.ts:2:10 Counter.count',
      'shared-state src/state/static-field.ts:3:19 Counter.seen',
    ]);
  });

  it('does not report constants that are only read: primitives, read-only containers, frozen and as-const values', () => {
    expect(found.filter((line) => line.includes('read-only.ts'))).toEqual([]);
    expect(found.some((line) => line.includes('Counter.LIMIT') || line.includes('Counter.NAMES'))).toBe(false);
  });

  it('says why each one is shared', () => {
    const message = (symbol: string) => result.violations.find((v) => v.symbol === symbol)?.message;
    expect(message('registry')).toBe('module-level Map `registry` is a shared mutable container (written at line 10)');
    expect(message('cache')).toBe('module-level Map `cache` is exported: a shared mutable container');
    expect(message('sessions')).toBe('module-level Map `sessions` is handed out by exported getSessions: a shared mutable container');
    expect(message('names')).toBe('module-level array `names` is handed out by exported state: a shared mutable container');
    expect(message('store')).toBe('module-level instance `store` of guarded class Store is a singleton shared by every user');
    expect(message('Counter.count')).toBe('static field `Counter.count` is mutable state shared by every instance and caller');
  });

  it('counts only bindings that can hold state in the score, not primitives or functions', () => {
    const rule = result.score.rules.find((r) => r.rule === 'shared-state');
    // 13 reported + TABLE, KEYS, OPTIONS (only read) = 16; primitives, functions, frozen values are not counted.
    expect(rule).toMatchObject({ checked: 16, violations: 13 });
  });
});
