import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.js';
import { GuardError } from '../src/errors.js';
import { compileGlob, compileGlobs } from '../src/glob.js';

describe('config', () => {
  it('expands shorthands and resolves paths against the config folder', () => {
    const config = parseConfig(
      {
        symbols: { A: 'src/a.ts', B: { module: 'src/b.ts', specifier: '@x/b', internal: ['src/b/**'] } },
        factoryOnly: { A: ['makeA', 'src/f.ts#Maker.create'] },
        deprecated: { old: 'A', older: { module: 'src/o.ts' } },
        noModuleState: ['src/state'],
      },
      '/repo/guard.config.json',
    );
    expect(config.tsconfig).toBe('/repo/tsconfig.json');
    expect(config.symbols).toEqual([
      { name: 'A', module: '/repo/src/a.ts', internal: [] },
      { name: 'B', module: '/repo/src/b.ts', specifier: '@x/b', internal: ['src/b/**'] },
    ]);
    expect(config.factoryOnly[0]?.factories).toEqual([{ name: 'makeA' }, { name: 'Maker.create', module: '/repo/src/f.ts' }]);
    expect(config.deprecated).toEqual([
      { name: 'old', replacement: 'A' },
      { name: 'older', module: '/repo/src/o.ts' },
    ]);
  });

  it('rejects mistakes with the exact key and a typed error', () => {
    const attempt = (raw: unknown) => () => parseConfig(raw, '/repo/guard.config.json');
    expect(attempt([])).toThrow('must be a JSON object');
    expect(attempt({ ignore: 'x', symbols: { A: 'a.ts' } })).toThrow('guard.config.json.ignore: must be an array of non-empty strings');
    expect(attempt({ factoryOnly: { A: [] } })).toThrow('guard.config.json.factoryOnly.A: needs at least one factory');
    expect(attempt({ nope: 1 })).toThrow(GuardError);
    expect(attempt({ nope: 1 })).toThrow(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});

describe('globs', () => {
  it('matches folders by prefix and supports *, ** and ?', () => {
    expect(compileGlob('src/gateway')('src/gateway/a.ts')).toBe(true);
    expect(compileGlob('src/gateway/')('src/gateway-old/a.ts')).toBe(false);
    expect(compileGlob('src/**/*.test.ts')('src/a.test.ts')).toBe(true);
    expect(compileGlob('src/**/*.test.ts')('src/x/y/a.test.ts')).toBe(true);
    expect(compileGlob('src/*.ts')('src/x/a.ts')).toBe(false);
    expect(compileGlob('src/?.ts')('src/a.ts')).toBe(true);
    expect(compileGlob('./src/(x).ts')('src/(x).ts')).toBe(true);
    expect(compileGlobs([])('anything')).toBe(false);
  });
});
