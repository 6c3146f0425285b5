import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import ts from 'typescript';

// Imports are resolved by Node itself in a child process, as a user's program would
// resolve them (npm workspaces link the package into node_modules; `npm test` builds dist/).
function nodeImport(specifier: string, expression: string): { ok: boolean; output: string } {
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `const m = await import(${JSON.stringify(specifier)}); console.log(${expression});`],
    { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8' },
  );
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

describe('the exports map', () => {
  it('exposes the server library at "agentwire"', () => {
    expect(nodeImport('agentwire', 'typeof m.createGateway, m.SUBPROTOCOL')).toEqual({ ok: true, output: 'function agentwire.v1\n' });
  });

  it('exposes the client at "agentwire/client"', () => {
    expect(nodeImport('agentwire/client', 'm.SUBPROTOCOL')).toEqual({ ok: true, output: 'agentwire.v1\n' });
  });

  it.each(['agentwire/dist/index.js', 'agentwire/dist/gateway/gateway.js', 'agentwire/src/index.ts', 'agentwire/package.json'])(
    'makes %s unimportable',
    (specifier) => {
      const result = nodeImport(specifier, '1');
      expect(result.ok).toBe(false);
      expect(result.output).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
    },
  );

  it('declares exactly "." and "./client"', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: object };
    expect(Object.keys(pkg.exports)).toEqual(['.', './client']);
  });
});

describe('entry files', () => {
  it.each(['index.ts', 'client.ts'])('src/%s only re-exports', (file) => {
    const text = readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
    const offenders = source.statements.filter((s) => !(ts.isExportDeclaration(s) && s.moduleSpecifier !== undefined));
    expect(offenders.map((s) => s.getText(source).slice(0, 60))).toEqual([]);
  });
});
