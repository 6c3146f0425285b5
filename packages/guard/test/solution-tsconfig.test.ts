import { describe, expect, it } from 'vitest';
import { makeProject, runCli, TSCONFIG } from './helpers.js';

const LEAF = { compilerOptions: { ...TSCONFIG.compilerOptions, composite: true, noEmit: undefined, outDir: 'dist' }, include: ['src'] };

const FILES = {
  'packages/lib/tsconfig.json': JSON.stringify(LEAF),
  'packages/lib/src/store.ts': `export class Store {}\n`,
  'packages/lib/src/index.ts': `export { Store } from './store.js';\n`,
  'packages/app/tsconfig.json': JSON.stringify({ ...LEAF, references: [{ path: '../lib' }] }),
  'packages/app/src/main.ts': `import { Store } from '../../lib/src/store.js';\nexport const s = new Store();\n`,
  // A third project reached only through app's references: followed transitively, like tsc -b.
  'packages/tools/tsconfig.json': JSON.stringify(LEAF),
  'packages/tools/src/cli.ts': `import { Store } from '../../lib/src/store.js';\nexport const t = Store;\n`,
};
const SOLUTION = { files: [], references: [{ path: './packages/lib' }, { path: './packages/app/tsconfig.json' }] };
const CONFIG = { symbols: { Store: { module: 'packages/lib/src/index.ts', internal: ['packages/lib/**'] } } };

describe('a solution-style tsconfig with project references (issue 17 point 6)', () => {
  it('follows the references and checks the files of every project', () => {
    const files = { ...FILES, 'packages/app/tsconfig.json': JSON.stringify({ ...LEAF, references: [{ path: '../lib' }, { path: '../tools' }] }) };
    const result = runCli(['--format', 'json'], makeProject(files, CONFIG, SOLUTION));
    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout) as { fileCount: number; violations: Array<{ file: string; rule: string }> };
    expect(body.violations.map((v) => `${v.rule} ${v.file}`)).toEqual([
      'non-canonical-import packages/app/src/main.ts',
      'non-canonical-import packages/tools/src/cli.ts',
    ]);
    expect(body.fileCount).toBe(4);
  });

  it('a reference to a missing project is an error naming it and its referrer', () => {
    const result = runCli([], makeProject(FILES, CONFIG, { files: [], references: [{ path: './packages/nope' }] }));
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/tsconfig not found: .*packages\/nope\/tsconfig\.json \(referenced by .*tsconfig\.json\)/);
  });
});
