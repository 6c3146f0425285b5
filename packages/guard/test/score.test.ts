import { describe, expect, it } from 'vitest';
import { checkDir, makeProject } from './helpers.js';

const LIB = {
  'src/lib/store.ts': `export class Store {}\nexport function makeStore(): Store {\n  return new Store();\n}\n`,
  'src/lib/index.ts': `export { Store, makeStore } from './store.js';\n`,
  'src/state/bad.ts': `import { Store } from '../lib/store.js';\nlet current: Store | undefined;\nexport const get = () => current;\n`,
  'src/state/good.ts': `import { makeStore } from '../lib/index.js';\nexport const make = () => makeStore();\n`,
};
const CONFIG = {
  symbols: { Store: { module: 'src/lib/index.ts', internal: ['src/lib/**'] }, makeStore: { module: 'src/lib/index.ts', internal: ['src/lib/**'] } },
  noModuleState: ['src/state'],
};

/** 40 module constants, frozen tables and functions: code that uses no guarded symbol. */
const HARMLESS = Object.fromEntries(
  Array.from({ length: 10 }, (_, i) => [
    `src/state/constants${i}.ts`,
    `const LIMIT = ${i};\nconst NAME = 'n${i}';\nconst TABLE = Object.freeze({ a: ${i} });\nexport const size = (s: string) => s.length + LIMIT + NAME.length + TABLE.a;\n`,
  ]),
);

function scoreLine(dir: string): string[] {
  const result = checkDir(dir);
  return [
    ...result.score.rules.map((r) => `${r.rule} ${r.checked - r.violations}/${r.checked}`),
    `overall ${result.score.checked - result.score.violations}/${result.score.checked}`,
  ];
}

describe('the compliance score counts uses of guarded symbols only (issue 17 point 8)', () => {
  it('harmless module constants do not raise it', () => {
    const without = scoreLine(makeProject(LIB, CONFIG));
    const withHarmless = scoreLine(makeProject({ ...LIB, ...HARMLESS }, CONFIG));
    expect(withHarmless).toEqual(without);
    expect(without).toEqual([
      'non-canonical-import 1/2',
      'duplicate-implementation 2/2',
      'factory-bypass 0/0',
      'shared-state 0/1',
      'deprecated-path 0/0',
      'overall 3/5',
    ]);
  });
});
