import { describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { checkDir, makeProject } from './helpers.js';

const LIB = {
  'src/lib/store.ts': `export class Store {}\nexport interface Repository {\n  id: string;\n}\nexport const helper = 1;\nexport default Store;\n`,
  'src/lib/index.ts': `export { Store, helper } from './store.js';\nexport type { Repository } from './store.js';\n`,
};
const CONFIG = {
  symbols: {
    Store: { module: 'src/lib/index.ts', internal: ['src/lib/**'] },
    Repository: { module: 'src/lib/index.ts', internal: ['src/lib/**'] },
  },
};

function fixed(source: string): string {
  const dir = makeProject({ ...LIB, 'src/app.ts': source }, CONFIG);
  const plan = planFixes(checkDir(dir));
  return plan.files.find((f) => f.rel === 'src/app.ts')?.after ?? source;
}

describe('--fix rewrites', () => {
  it('changes only the specifier text, keeping double quotes, comments and the missing semicolon', () => {
    expect(fixed(`/* keep */ import { Store /* inline */ } from "./lib/store.js" // trailing\nexport const a = Store\n`)).toBe(
      `/* keep */ import { Store /* inline */ } from "./lib/index.js" // trailing\nexport const a = Store\n`,
    );
  });

  it('merges into a multi-line import of the canonical module, following its layout', () => {
    const source = `import {\n  helper,\n} from './lib/index.js';\nimport { Store } from './lib/store.js';\nexport const a = [helper, Store];\n`;
    expect(fixed(source)).toBe(`import {\n  helper,\n  Store,\n} from './lib/index.js';\nexport const a = [helper, Store];\n`);
  });

  it('moves a type-only import into a value import as an inline type specifier', () => {
    const source = `import { helper } from './lib/index.js';\nimport type { Repository } from './lib/store.js';\nexport const a = (r: Repository) => [r, helper];\n`;
    expect(fixed(source)).toBe(`import { helper, type Repository } from './lib/index.js';\nexport const a = (r: Repository) => [r, helper];\n`);
  });

  it('splits a mixed import: guarded names move, the rest stays', () => {
    const source = `import { helper as h, Store, type Repository } from './lib/store.js';\nexport const a = (r: Repository) => [r, h, Store];\n`;
    expect(fixed(source)).toBe(
      `import { Store, type Repository } from './lib/index.js';\nimport { helper as h } from './lib/store.js';\nexport const a = (r: Repository) => [r, h, Store];\n`,
    );
  });

  it('turns a default import into the named export of the canonical module, keeping the local name', () => {
    expect(fixed(`import Thing from './lib/store.js';\nexport const a = new Thing();\n`)).toBe(
      `import { Store as Thing } from './lib/index.js';\nexport const a = new Thing();\n`,
    );
  });

  it('does not duplicate a name the canonical import already has', () => {
    const source = `import { Store } from './lib/index.js';\nimport { Store as Store2 } from './lib/store.js';\nexport const a = [Store, Store2];\n`;
    expect(fixed(source)).toBe(`import { Store, Store as Store2 } from './lib/index.js';\nexport const a = [Store, Store2];\n`);
  });

  it('rewrites re-exports, and leaves namespace imports to the human (reported, not fixed)', () => {
    const dir = makeProject(
      {
        ...LIB,
        'src/barrel.ts': `export { Store as S, helper } from './lib/store.js';\n`,
        'src/ns.ts': `import * as lib from './lib/store.js';\nexport const a = lib.Store;\n`,
      },
      CONFIG,
    );
    const result = checkDir(dir);
    const plan = planFixes(result);
    expect(plan.files.map((f) => [f.rel, f.after])).toEqual([
      ['src/barrel.ts', `export { Store as S } from './lib/index.js';\nexport { helper } from './lib/store.js';\n`],
    ]);
    expect(result.violations.map((v) => v.file)).toEqual(['src/barrel.ts', 'src/ns.ts']);
  });
});
