import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
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

  it('has no violation at all (no baseline; the few deliberate exceptions are suppressed inline with a reason)', () => {
    expect(result.violations.map((v) => `${v.file}: ${v.message}`)).toEqual([]);
  });
});
