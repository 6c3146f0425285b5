import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every Markdown file a source or test file cites (`docs/protocol.md`, a bare
// `PROTOCOL.md`, `../../README.md`) must exist in the repository: a comment that sends
// the reader to a missing document is a broken link. Plain names and `docs/...` paths are
// read from the repository root; paths starting with `./` or `../` from the citing file.
const packageDir = fileURLToPath(new URL('../../', import.meta.url));
const repoRoot = resolve(packageDir, '../..');
const citation = /(?<![\w./-])((?:\.{1,2}\/)*(?:[\w.-]+\/)*[\w-]+\.md)\b/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs)$/.test(entry.name) ? [path] : [];
  });
}

function brokenCitations(file: string, text: string): string[] {
  return text.split('\n').flatMap((line, index) =>
    [...line.matchAll(citation)]
      .map((m) => m[1]!)
      .filter((cited) => !existsSync(cited.startsWith('.') ? resolve(dirname(file), cited) : resolve(repoRoot, cited)))
      .map((cited) => `${relative(repoRoot, file)}:${index + 1} cites ${cited}`),
  );
}

describe('documents cited in code', () => {
  // This file names the missing documents on purpose, so it is not scanned.
  const self = fileURLToPath(import.meta.url);
  const files = [...sourceFiles(join(packageDir, 'src')), ...sourceFiles(join(packageDir, 'test'))].filter((f) => f !== self);

  it('finds the citations (the scan is not empty)', () => {
    const cited = files.flatMap((file) => [...readFileSync(file, 'utf8').matchAll(citation)].map((m) => m[1]));
    expect(cited).toContain('docs/protocol.md');
  });

  it('every cited document exists in the repository', () => {
    expect(files.flatMap((file) => brokenCitations(file, readFileSync(file, 'utf8')))).toEqual([]);
  });

  it('reports a citation of a document that is not in the repository', () => {
    // The check itself, on the two documents the code used to cite, which are not here.
    const file = join(packageDir, 'src/example.ts');
    const text = '/** The frames of PROTOCOL.md (DESIGN.md, "Gateway"); docs/protocol.md, docs/nowhere.md. */';
    expect(brokenCitations(file, text)).toEqual([
      'packages/agentwire/src/example.ts:1 cites PROTOCOL.md',
      'packages/agentwire/src/example.ts:1 cites DESIGN.md',
      'packages/agentwire/src/example.ts:1 cites docs/nowhere.md',
    ]);
  });
});
