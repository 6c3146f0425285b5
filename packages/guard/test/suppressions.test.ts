import { describe, expect, it } from 'vitest';
import { checkDir, makeProject, runCli, summarise } from './helpers.js';

const LIB = {
  'src/lib/store.ts': `export class Store {}\n`,
  'src/lib/index.ts': `export { Store } from './store.js';\n`,
};
const CONFIG = { symbols: { Store: { module: 'src/lib/index.ts', internal: ['src/lib/**'] } }, noModuleState: ['src/state'] };

const FILES = {
  ...LIB,
  // Suppressed with a reason: silenced, reported as used.
  'src/a.ts': `// guard-ignore-next-line non-canonical-import: the bundle splits here on purpose\nimport { Store } from './lib/store.js';\nexport const a = Store;\n`,
  // No reason: silences nothing and is itself reported.
  'src/b.ts': `// guard-ignore-next-line non-canonical-import\nimport { Store } from './lib/store.js';\nexport const b = Store;\n`,
  // Nothing on the next line to suppress: unused.
  'src/c.ts': `import { Store } from './lib/index.js';\n// guard-ignore-next-line non-canonical-import: was needed once\nexport const c = Store;\n`,
  // A rule that does not exist.
  'src/d.ts': `// guard-ignore-next-line no-such-rule: typo\nexport const d = 1;\n`,
  // Names another rule than the one found: the finding stays, the comment is unused.
  'src/state/e.ts': `// guard-ignore-next-line non-canonical-import: wrong rule\nlet e = 0;\nexport const bump = () => ++e;\n`,
  // In a string, not a comment.
  'src/f.ts': `export const f = \`\n// guard-ignore-next-line shared-state: not a comment\n\`;\n`,
};

describe('inline suppressions with a required reason, reported as used or unused (issue 17 point 5)', () => {
  const result = checkDir(makeProject(FILES, CONFIG));

  it('silences the finding on the next line only for the named rule, when a reason is given', () => {
    expect(summarise(result)).toEqual([
      'invalid-suppression src/b.ts:1:4 non-canonical-import',
      'non-canonical-import src/b.ts:2:10 Store',
      'unused-suppression src/c.ts:2:4 non-canonical-import',
      'invalid-suppression src/d.ts:1:4 no-such-rule',
      'unused-suppression src/state/e.ts:1:4 non-canonical-import',
      'shared-state src/state/e.ts:2:5 e',
    ]);
    expect(result.suppressed.map(({ violation, reason }) => `${violation.file}:${violation.line} ${violation.rule}: ${reason}`)).toEqual([
      'src/a.ts:2 non-canonical-import: the bundle splits here on purpose',
    ]);
    expect(result.suppressions.map((s) => `${s.file}:${s.line} ${s.used ? 'used' : 'unused'}`)).toEqual([
      'src/a.ts:1 used',
      'src/c.ts:2 unused',
      'src/state/e.ts:1 unused',
    ]);
  });

  it('explains what is wrong with a comment', () => {
    const message = (file: string) => result.violations.find((v) => v.file === file && v.rule !== 'non-canonical-import' && v.rule !== 'shared-state')?.message;
    expect(message('src/b.ts')).toBe('guard-ignore-next-line non-canonical-import has no reason');
    expect(message('src/c.ts')).toBe('guard-ignore-next-line non-canonical-import suppresses nothing on line 3');
    expect(message('src/d.ts')).toMatch(/^guard-ignore-next-line names unknown rule no-such-rule \(known: /);
  });

  it('a suppressed finding passes the run, is counted in the score and listed in the JSON report', () => {
    const dir = makeProject({ ...LIB, 'src/a.ts': FILES['src/a.ts'] }, { symbols: CONFIG.symbols });
    const run = runCli(['--format', 'json'], dir);
    expect(run.code).toBe(0);
    const body = JSON.parse(run.stdout) as {
      violations: unknown[];
      suppressed: Array<{ file: string; reason: string }>;
      score: { rules: Array<{ rule: string; checked: number; violations: number }> };
    };
    expect(body.violations).toEqual([]);
    expect(body.suppressed.map((s) => [s.file, s.reason])).toEqual([['src/a.ts', 'the bundle splits here on purpose']]);
    expect(body.score.rules.find((r) => r.rule === 'non-canonical-import')).toMatchObject({ checked: 1, violations: 1 });
    expect(runCli([], dir).stdout).toContain('1 suppressed inline');
  });
});
