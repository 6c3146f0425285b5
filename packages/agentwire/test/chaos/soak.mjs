#!/usr/bin/env node
// `npm run soak -w agentwire`: the chaos scenario for minutes, then one summary line.
// Settings (environment): SOAK_SECONDS (default 120), SOAK_USERS (20),
// SOAK_RUNS_PER_ROUND (1000), SOAK_ENGINE (memory | redis).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const packageRoot = fileURLToPath(new URL('../..', import.meta.url));
const vitest = join(dirname(createRequire(import.meta.url).resolve('vitest/package.json')), 'vitest.mjs');
const dir = mkdtempSync(join(tmpdir(), 'agentwire-soak-'));
const summaryFile = join(dir, 'summary.json');

const child = spawn(process.execPath, [vitest, 'run', '--config', 'test/chaos/vitest.soak.config.ts', '--reporter=dot'], {
  cwd: packageRoot,
  env: { ...process.env, SOAK_SUMMARY_FILE: summaryFile },
  stdio: ['ignore', 'inherit', 'inherit'],
});
child.on('exit', (code, signal) => {
  let summary;
  try {
    summary = JSON.parse(readFileSync(summaryFile, 'utf8'));
  } catch {
    summary = undefined;
  }
  rmSync(dir, { recursive: true, force: true });
  if (!summary) {
    process.stderr.write(`soak: no summary (vitest exited with ${code ?? signal})\n`);
    process.exit(code || 1);
  }
  for (const problem of summary.problems) process.stderr.write(`soak problem: ${problem}\n`);
  process.stdout.write(`${summary.line}\n`);
  process.exit(code ?? 1);
});
