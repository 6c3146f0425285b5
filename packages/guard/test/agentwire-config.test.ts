import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareBaseline, readBaseline } from '../src/baseline.js';
import { check } from '../src/check.js';
import { loadConfig } from '../src/config.js';

const CONFIG = fileURLToPath(new URL('../../agentwire/guard.config.json', import.meta.url));

describe("agentwire's own guard config checks real imports (issue 17 point 9)", () => {
  const config = loadConfig(process.cwd(), CONFIG);
  const result = check(config);

  it('checks the tests and the web page, not only src, and judges imports of public symbols', () => {
    const files = result.files;
    expect(files.some((f) => f.includes('/agentwire/test/integration/'))).toBe(true);
    expect(files.some((f) => f.includes('/agentwire/web/src/'))).toBe(true);
    expect(result.score.rules.find((r) => r.rule === 'non-canonical-import')?.checked).toBeGreaterThan(0);
  });

  it('has no violation outside its baseline', () => {
    const baseline = readBaseline(fileURLToPath(new URL('../../agentwire/guard.baseline.json', import.meta.url)));
    expect(compareBaseline(result.violations, baseline).fresh).toEqual([]);
  });
});
