import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { check, loadConfig } from '@agentwire/guard';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import plugin from '../src/index.js';

const SPRAWL = fileURLToPath(new URL('../../guard/test/fixtures/sprawl', import.meta.url));

/** ESLint over guard's fixture with the plugin's recommended config and type information. */
async function lint(dir: string): Promise<string[]> {
  const eslint = new ESLint({
    cwd: dir,
    overrideConfigFile: true,
    overrideConfig: [
      {
        files: ['**/*.ts'],
        languageOptions: { parser: tseslint.parser, parserOptions: { project: './tsconfig.json', tsconfigRootDir: dir } },
      },
      plugin.configs.recommended as object,
    ],
  });
  const results = await eslint.lintFiles(['packages/**/*.ts']);
  return results.flatMap((result) =>
    result.messages.map((m) => `${(m.ruleId ?? '').replace('@agentwire/guard/', '')} ${relative(dir, result.filePath)}:${m.line}:${m.column} ${m.message}`),
  );
}

describe('@agentwire/eslint-plugin-guard reports what the CLI reports (one implementation, two front ends)', () => {
  let dir: string;
  let cli: string[];

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'guard-eslint-'));
    cpSync(SPRAWL, dir, { recursive: true });
    cli = check(loadConfig(dir)).violations.map((v) => `${v.rule} ${v.file}:${v.line}:${v.column} ${v.message} (fix: ${v.fix})`);
  });

  it('on the sprawl fixture: the same rules, places and messages', async () => {
    const eslint = await lint(dir);
    expect(cli).toHaveLength(17);
    expect([...eslint].sort()).toEqual([...cli].sort());
  });

  it('refuses to run without type information, saying how to get it', async () => {
    const eslint = new ESLint({
      cwd: dir,
      overrideConfigFile: true,
      overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, plugin.configs.recommended as object],
    });
    await expect(eslint.lintFiles(['packages/ws/src/index.ts'])).rejects.toThrow(/need type information/);
  });
});
