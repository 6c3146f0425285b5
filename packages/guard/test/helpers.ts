import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, type CheckResult } from '../src/check.js';
import { loadConfig } from '../src/config.js';
import { run } from '../src/run.js';

export const FIXTURE = fileURLToPath(new URL('./fixtures/sprawl', import.meta.url));
export const SARIF_SCHEMA = fileURLToPath(new URL('./fixtures/sarif-schema-2.1.0.json', import.meta.url));

export function tempDir(prefix = 'guard-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** --fix must never touch the committed fixture. */
export function copyFixture(): string {
  const dir = tempDir('guard-sprawl-');
  cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

export const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'ESNext',
    moduleResolution: 'Bundler',
    lib: ['ES2022'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
  include: ['src'],
};

/** A throwaway project: files relative to its root, plus guard.config.json and tsconfig.json. */
export function makeProject(files: Record<string, string>, config: unknown, tsconfig: unknown = TSCONFIG): string {
  const dir = tempDir();
  const all: Record<string, string> = {
    'tsconfig.json': JSON.stringify(tsconfig, null, 2),
    ...(config === undefined ? {} : { 'guard.config.json': JSON.stringify(config, null, 2) }),
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    const file = join(dir, path);
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return dir;
}

export function checkDir(dir: string): CheckResult {
  return check(loadConfig(dir));
}

/** Violations as `rule file:line:col symbol` lines: easy to compare exactly and to read in a diff. */
export function summarise(result: CheckResult): string[] {
  return result.violations.map((v) => `${v.rule} ${v.file}:${v.line}:${v.column} ${v.symbol}`);
}

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], cwd: string): CliRun {
  let stdout = '';
  let stderr = '';
  const code = run(args, {
    cwd,
    stdout: (text) => (stdout += text),
    stderr: (text) => (stderr += text),
    isTTY: false,
  });
  return { code, stdout, stderr };
}
