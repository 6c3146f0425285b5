import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from './helpers.js';

const LIB = {
  'src/lib/store.ts': `export class Store {}\n`,
  'src/lib/index.ts': `export { Store } from './store.js';\n`,
  'src/app.ts': `import { Store } from './lib/store.js';\nexport const s = Store;\n`,
};
const SYMBOLS = { Store: { module: 'src/lib/index.ts', internal: ['src/lib/**'] } };

describe('a configuration that selects nothing is an error naming the entry (issue 17 point 12)', () => {
  const cases: Array<[string, unknown, string]> = [
    ['an include that matches no file', { include: ['source/**'], symbols: SYMBOLS }, 'include[0] "source/**" matches no file of the TypeScript program'],
    ['an ignore that removes every file', { ignore: ['**'], symbols: SYMBOLS }, 'ignore "**" ignores every included file: nothing would be checked'],
    ['a noModuleState folder that does not exist', { symbols: SYMBOLS, noModuleState: ['src/lib', 'src/stat'] }, 'noModuleState[1] "src/stat" matches no checked file'],
    ['an internal glob that matches nothing', { symbols: { Store: { module: 'src/lib/index.ts', internal: ['src/libs/**'] } } }, 'symbols.Store.internal[0] "src/libs/**" matches no file'],
  ];
  for (const [what, config, message] of cases) {
    it(`${what}: exit 2 and the entry in the message`, () => {
      const result = runCli([], makeProject(LIB, config));
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(message);
      expect(result.code).toBe(2);
    });
  }

  it('a config whose entries all select something still runs', () => {
    const result = runCli([], makeProject(LIB, { include: ['src/**'], ignore: ['src/lib/**'], symbols: SYMBOLS, noModuleState: ['src/app.ts'] }));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('src/app.ts:1:10  non-canonical-import');
  });
});
