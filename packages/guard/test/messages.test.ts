import { describe, expect, it } from 'vitest';
import { formatPercent } from '../src/score.js';
import { checkDir, makeProject } from './helpers.js';

describe('messages (issue 17 point 10)', () => {
  const dir = makeProject(
    {
      'src/lib/types.ts': `export interface Repository {\n  get(id: string): string;\n}\n`,
      'src/lib/base.ts': `import type { Repository } from './types.js';\nexport abstract class BaseRepository implements Repository {\n  abstract get(id: string): string;\n}\n`,
      'src/lib/store.ts': `import { BaseRepository } from './base.js';\nexport class Store extends BaseRepository {\n  get(id: string) {\n    return id;\n  }\n}\n`,
      'src/lib/queue.ts': `export class Queue {}\nexport class Cache {}\n`,
      'src/lib/old.ts': `export function oldGet(): string {\n  return '';\n}\nexport function newGet(): string {\n  return '';\n}\n`,
      'src/lib/index.ts': `export { Store } from './store.js';\nexport { Queue, Cache } from './queue.js';\nexport type { Repository } from './types.js';\nexport { oldGet, newGet } from './old.js';\n`,
      'src/app/memory.ts': `import type { Repository } from '../lib/index.js';\nexport class MemoryRepository implements Repository {\n  get(id: string) {\n    return id;\n  }\n}\n`,
      'src/app/use.ts': `import { oldGet } from '../lib/index.js';\nexport const value = oldGet();\n`,
    },
    {
      symbols: {
        Store: { module: 'src/lib/index.ts', internal: ['src/lib/**'] },
        Queue: { module: 'src/lib/index.ts', internal: ['src/lib/**'] },
        Cache: { module: 'src/lib/index.ts', internal: ['src/lib/**'] },
        Repository: { module: 'src/lib/index.ts', internal: ['src/lib/**'] },
      },
      deprecated: { oldGet: { module: 'src/lib/index.ts', replacement: 'src/lib/index.ts#newGet' } },
    },
  );
  const result = checkDir(dir);

  it('the hint for a class implementing a guarded interface names only the guarded class that implements it', () => {
    const v = result.violations.find((x) => x.symbol === 'MemoryRepository');
    expect(v?.fix).toBe('use the canonical implementation (Store) instead of a parallel one');
  });

  it('a deprecated finding names the replacement as an import, not as the raw config reference', () => {
    const v = result.violations.find((x) => x.rule === 'deprecated-path');
    expect(v?.message).toBe("oldGet is deprecated; use newGet from '../lib/index.js'");
    expect(v?.fix).toBe("replace it with newGet from '../lib/index.js'");
  });

  it('percentages round to the nearest tenth', () => {
    expect([formatPercent(2 / 3), formatPercent(5 / 18), formatPercent(1 / 8), formatPercent(1)]).toEqual(['66.7%', '27.8%', '12.5%', '100.0%']);
  });
});
