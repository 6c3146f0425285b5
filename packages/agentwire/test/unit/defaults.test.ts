import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEFAULTS } from '../../src/defaults.js';
import { tableUnder } from '../helpers/markdown-table.js';

// The README's configuration table is what operators read: it must say what the code does.
const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');

describe("the README's configuration table", () => {
  const [header, ...rows] = tableUnder(readme, 'Configuration');
  /** Variable name to its default cell, one row per variable (a row may name several). */
  const documented = new Map<string, string>();
  for (const [variables, defaultCell] of rows) {
    for (const [, name] of variables!.matchAll(/`([A-Z_]+)`/g)) documented.set(name!, defaultCell!);
  }

  it('has the columns this test reads', () => {
    expect(header).toEqual(['variable', 'default', 'meaning']);
  });

  it.each(Object.entries(DEFAULTS))('documents %s under its variable with the default the code uses', (_name, { variable, value }) => {
    expect(documented.get(variable)).toBe(`\`${String(value)}\``);
  });

  it('has no literal default that the table of defaults does not hold', () => {
    const inTable = new Set<string>(Object.values(DEFAULTS).map((d) => d.variable));
    const literal = [...documented].filter(([, cell]) => /^`[^`]+`$/.test(cell)).map(([variable]) => variable);
    expect(literal.filter((variable) => !inTable.has(variable))).toEqual([]);
  });
});
