import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURE, makeProject, runCli } from './helpers.js';

const LIB = {
  'src/lib/store.ts': `export class Store {}\n`,
  'src/lib/index.ts': `export { Store } from './store.js';\n`,
};
const CONFIG = { symbols: { Store: { module: 'src/lib/index.ts', internal: ['src/lib/**'] } } };

/** `count` files, each importing Store by a deep path: `count` violations. */
function projectWith(count: number): string {
  const files: Record<string, string> = { ...LIB, 'src/ok.ts': `import { Store } from './lib/index.js';\nexport const ok = Store;\n` };
  for (let i = 0; i < count; i++) files[`src/bad/f${i}.ts`] = `import { Store } from '../lib/store.js';\nexport const v${i} = Store;\n`;
  return makeProject(files, CONFIG);
}

describe('exit codes', () => {
  it('is 0 on a clean project', () => {
    const result = runCli([], projectWith(0));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('guard: passed');
  });

  it('is 1 with violations', () => {
    expect(runCli([], projectWith(1)).code).toBe(1);
  });

  it('is 1 with 300 violations: a flag, never a count that could wrap', () => {
    const result = runCli(['--format', 'json'], projectWith(300));
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout) as { violations: unknown[]; score: { rules: Array<{ rule: string; checked: number }> } };
    expect(body.violations).toHaveLength(300);
    expect(body.score.rules.find((r) => r.rule === 'non-canonical-import')?.checked).toBe(301);
  });

  it('is 2 with a clear message for usage errors', () => {
    const dir = projectWith(0);
    for (const [args, message] of [
      [['--format', 'xml'], '--format must be human, json or sarif (got "xml")'],
      [['--bogus'], "Unknown option '--bogus'"],
      [['--min-score', '120'], '--min-score must be a percentage between 0 and 100'],
      [['--write-baseline', '--fix'], '--write-baseline cannot be combined with --fix'],
    ] as const) {
      const result = runCli([...args], dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(message);
    }
  });

  it('is 2 with a clear message for configuration errors', () => {
    const cases: Array<[unknown, string]> = [
      [undefined, 'no guard.config.json and no "guard" key in package.json'],
      [{ symbol: {} }, 'unknown key "symbol"'],
      [{}, 'guards nothing'],
      [{ symbols: { Store: { internal: [] } } }, 'guard.config.json.symbols.Store: "module" (the canonical module) is required'],
      [{ symbols: { Nope: 'src/lib/index.ts' } }, 'src/lib/index.ts does not export "Nope"'],
      [{ symbols: { Store: 'src/missing.ts' } }, 'src/missing.ts is not part of the TypeScript program'],
      [{ factoryOnly: { Store: ['make'] } }, 'factory-only class "Store" is not a guarded symbol'],
      [{ tsconfig: 'nope.json', symbols: CONFIG.symbols }, 'tsconfig not found'],
    ];
    for (const [config, message] of cases) {
      const result = runCli([], makeProject(LIB, config));
      expect(result.code, message).toBe(2);
      expect(result.stderr).toContain(message);
    }
    const broken = makeProject(LIB, undefined);
    writeFileSync(join(broken, 'guard.config.json'), '{ nope');
    expect(runCli([], broken).stderr).toContain('guard.config.json is not valid JSON');
  });
});

describe('options', () => {
  it('reads the config from a "guard" key in package.json', () => {
    const dir = makeProject({ ...LIB, 'package.json': JSON.stringify({ name: 'x', guard: CONFIG }), 'src/bad.ts': `import { Store } from './lib/store.js';\nexport const b = Store;\n` }, undefined);
    const result = runCli([], dir);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('src/bad.ts:1:10  non-canonical-import');
  });

  it('--config points at a config elsewhere', () => {
    const result = runCli(['--config', join(FIXTURE, 'guard.config.json'), '--format', 'json', '--no-cache'], projectWith(0));
    expect(result.code).toBe(1);
    expect((JSON.parse(result.stdout) as { violations: unknown[] }).violations).toHaveLength(17);
  });

  it('--min-score fails a run below the threshold even without violations to report as new', () => {
    const dir = projectWith(1);
    expect(runCli(['--write-baseline'], dir).code).toBe(0);
    expect(runCli([], dir).code).toBe(0);
    const low = runCli(['--min-score', '90'], dir);
    expect(low.code).toBe(1);
    expect(low.stdout).toContain('score 66.7% is below --min-score 90%');
    expect(runCli(['--min-score', '60%'], dir).code).toBe(0);
  });

  it('human output has file:line:col, rule, message, fix and the score table; no colour when not a TTY', () => {
    const result = runCli([], projectWith(1));
    expect(result.stdout).toContain(
      "src/bad/f0.ts:1:10  non-canonical-import  Store is imported from '../lib/store.js' (resolves to src/lib/store.ts) instead of its canonical module '../lib/index.js'",
    );
    expect(result.stdout).toContain("  fix: import it from '../lib/index.js' (agentwire-guard --fix does this)");
    expect(result.stdout).toMatch(/non-canonical-import\s+1\/2\s+50\.0%/);
    expect(result.stdout).not.toContain('\u001b[');
    expect(runCli(['--color'], projectWith(1)).stdout).toContain('\u001b[');
  });

  it('--output writes the report to a file', () => {
    const dir = projectWith(1);
    const result = runCli(['--format', 'json', '--output', 'report.json'], dir);
    expect(result.stdout).toBe('');
    expect(execFileSync('cat', [join(dir, 'report.json')], { encoding: 'utf8' })).toContain('"schemaVersion": 1');
  });

  it('--staged reports only on files staged in git', () => {
    const dir = projectWith(3);
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
    git('init', '-q');
    git('add', 'src/bad/f1.ts');
    const result = runCli(['--staged', '--format', 'json'], dir);
    expect(result.code).toBe(1);
    const body = JSON.parse(result.stdout) as { violations: Array<{ file: string }>; fileCount: number };
    expect(body.violations.map((v) => v.file)).toEqual(['src/bad/f1.ts']);
    expect(body.fileCount).toBe(1);
  });

  it('--staged outside a git work tree is a usage error', () => {
    const result = runCli(['--staged'], projectWith(0));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--staged needs a git work tree');
  });

  it('--help and --version exit 0', () => {
    expect(runCli(['--help'], projectWith(0)).stdout).toContain('Usage: agentwire-guard');
    expect(runCli(['--version'], projectWith(0)).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
