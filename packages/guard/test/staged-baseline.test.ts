import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

function entries(dir: string): string[] {
  const baseline = JSON.parse(readFileSync(join(dir, 'guard.baseline.json'), 'utf8')) as { entries: Array<{ file: string }> };
  return baseline.entries.map((e) => e.file).sort();
}

describe('--staged reads and writes only the baseline entries of the files it checked (issue 17 point 11)', () => {
  it('does not call unstaged files\' entries stale, and --write-baseline keeps them', () => {
    const dir = makeProject(FILES, CONFIG);
    expect(runCli(['--write-baseline'], dir).code).toBe(0);
    expect(entries(dir)).toEqual(['src/a.ts', 'src/b.ts']);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
    git('init', '-q');
    git('add', 'src/a.ts');

    const staged = runCli(['--staged', '--format', 'json'], dir);
    expect(staged.code).toBe(0);
    const body = JSON.parse(staged.stdout) as { baseline: { stale: unknown[] } };
    expect(body.baseline.stale).toEqual([]);
    expect(runCli(['--staged'], dir).stdout).not.toContain('stale');

    const written = runCli(['--staged', '--write-baseline'], dir);
    expect(written.code).toBe(0);
    expect(written.stderr).toContain('kept 1 entry of files not staged');
    expect(entries(dir)).toEqual(['src/a.ts', 'src/b.ts']);
    // And the full run still passes on the kept baseline.
    expect(runCli([], dir).code).toBe(0);
  });
});
