import { readFileSync } from 'node:fs';
import * as AjvModule from 'ajv';
import { describe, expect, it } from 'vitest';
import { FIXTURE, makeProject, runCli, SARIF_SCHEMA } from './helpers.js';

// The named export sidesteps CommonJS default-import differences between tsc (NodeNext) and vitest.
const Ajv = AjvModule.Ajv;

function validator() {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // The schema uses these formats; ajv core does not bundle format validators.
  ajv.addFormat('uri', (value: string) => /^[a-z][a-z0-9+.-]*:/i.test(value));
  ajv.addFormat('uri-reference', (value: string) => !/\s/.test(value));
  ajv.addFormat('date-time', (value: string) => !Number.isNaN(Date.parse(value)));
  return ajv.compile(JSON.parse(readFileSync(SARIF_SCHEMA, 'utf8')) as object);
}

describe('--format sarif', () => {
  const validate = validator();

  it('validates against the official SARIF 2.1.0 schema, with a result per violation', () => {
    const result = runCli(['--format', 'sarif'], FIXTURE);
    expect(result.code).toBe(1);
    const log = JSON.parse(result.stdout) as { runs: Array<{ results: Array<{ ruleId: string; locations: unknown[] }>; tool: { driver: { rules: Array<{ id: string }> } } }> };
    const ok = validate(log);
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
    const run = log.runs[0];
    expect(run?.results).toHaveLength(17);
    expect(run?.tool.driver.rules.map((r) => r.id)).toEqual([
      'non-canonical-import',
      'duplicate-implementation',
      'factory-bypass',
      'shared-state',
      'deprecated-path',
      'invalid-suppression',
      'unused-suppression',
    ]);
    expect(run?.results[0]?.locations[0]).toEqual({
      physicalLocation: {
        artifactLocation: { uri: 'packages/app/src/chat/chat-connection-manager.ts', uriBaseId: '%SRCROOT%' },
        region: { startLine: 3, startColumn: 14 },
      },
    });
  });

  it('stays valid with a baseline (baselineState) and with no results at all', () => {
    const dir = makeProject(
      {
        'src/lib/store.ts': `export class Store {}\n`,
        'src/lib/index.ts': `export { Store } from './store.js';\n`,
        'src/a.ts': `import { Store } from './lib/store.js';\nexport const a = Store;\n`,
      },
      { symbols: { Store: { module: 'src/lib/index.ts', internal: ['src/lib/**'] } } },
    );
    runCli(['--write-baseline'], dir);
    const withBaseline = JSON.parse(runCli(['--format', 'sarif'], dir).stdout) as { runs: Array<{ results: Array<{ baselineState: string }> }> };
    expect(validate(withBaseline)).toBe(true);
    expect(withBaseline.runs[0]?.results[0]?.baselineState).toBe('unchanged');

    const clean = makeProject({ 'src/lib/store.ts': `export class Store {}\n` }, { symbols: { Store: 'src/lib/store.ts' } });
    const empty = JSON.parse(runCli(['--format', 'sarif'], clean).stdout) as { runs: Array<{ results: unknown[] }> };
    expect(validate(empty)).toBe(true);
    expect(empty.runs[0]?.results).toEqual([]);
  });

  it('the schema is strict enough to reject a broken log', () => {
    expect(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] })).toBe(false);
    expect(validate({ version: '2.0.0', runs: [] })).toBe(false);
  });
});
