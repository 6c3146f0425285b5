import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeProject, runCli } from './helpers.js';

const FILES = {
  'src/lib/store.ts': `export class Store {}\n`,
  'src/lib/index.ts': `export { Store } from './store.js';\n`,
  'src/a.ts': `import { Store } from './lib/store.js';\nexport const a = Store;\n`,
  'src/b.ts': `import { Store } from './lib/store.js';\nexport const b = Store;\n`,
};
const CONFIG = { symbols: { Store: { module: 'src/lib/index.ts', internal: ['src/lib/**'] } } };

interface JsonReport {
  passed: boolean;
  violations: Array<{ file: string; new: boolean }>;
  baseline: { file: string; stale: Array<{ file: string }> } | null;
}

describe('baseline', () => {
  it('records violations, then fails only on new ones and reports stale entries', () => {
    const dir = makeProject(FILES, CONFIG);
    const written = runCli(['--write-baseline'], dir);
    expect(written.code).toBe(0);
    expect(written.stderr).toContain('wrote 2 entries');
    const baseline = JSON.parse(readFileSync(join(dir, 'guard.baseline.json'), 'utf8')) as { entries: unknown[] };
    expect(baseline.entries).toHaveLength(2);

    // Unchanged code passes on the baseline.
    expect(runCli([], dir).code).toBe(0);

    // Code moving down a few lines is not "new".
    writeFileSync(join(dir, 'src/a.ts'), `// moved\n\n${FILES['src/a.ts']}`);
    expect(runCli([], dir).code).toBe(0);

    // Fix b.ts (stale entry), add c.ts (new violation).
    writeFileSync(join(dir, 'src/b.ts'), `import { Store } from './lib/index.js';\nexport const b = Store;\n`);
    writeFileSync(join(dir, 'src/c.ts'), `import { Store as S } from './lib/store.js';\nexport const c = S;\n`);
    const result = runCli(['--format', 'json'], dir);
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as JsonReport;
    expect(report.violations.map((v) => [v.file, v.new])).toEqual([
      ['src/a.ts', false],
      ['src/c.ts', true],
    ]);
    expect(report.baseline?.stale.map((e) => e.file)).toEqual(['src/b.ts']);

    const human = runCli([], dir).stdout;
    expect(human).toContain('1 new violation, 1 in baseline guard.baseline.json');
    expect(human).toContain('1 stale baseline entry');

    // Stale entries alone do not fail the run; rewriting the baseline shrinks it.
    writeFileSync(join(dir, 'src/c.ts'), `export const c = 1;\n`);
    expect(runCli([], dir).code).toBe(0);
    runCli(['--write-baseline'], dir);
    expect((JSON.parse(readFileSync(join(dir, 'guard.baseline.json'), 'utf8')) as { entries: unknown[] }).entries).toHaveLength(1);
  });

  it('--baseline picks another file, and a corrupt baseline is a usage error', () => {
    const dir = makeProject(FILES, CONFIG);
    expect(runCli(['--write-baseline', '--baseline', 'custom.json'], dir).code).toBe(0);
    expect(runCli(['--baseline', 'custom.json'], dir).code).toBe(0);
    expect(runCli([], dir).code).toBe(1);
    writeFileSync(join(dir, 'custom.json'), '{"version":2}');
    const broken = runCli(['--baseline', 'custom.json'], dir);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('is not a guard baseline');
  });
});
