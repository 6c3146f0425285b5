import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

// The README's and docs' TypeScript examples are the files under examples/ (test/docs checks
// that each doc shows its file verbatim, and runs them). Here each is compiled strictly against
// the built package, as a user would compile it, so an example cannot drift from the API.
const examplesDir = fileURLToPath(new URL('../../../../examples/', import.meta.url));
const examples = readdirSync(examplesDir).filter((f) => f.endsWith('.ts'));

describe('docs examples type-check', () => {
  it('there are TypeScript examples', () => {
    expect(examples.length).toBeGreaterThan(0);
  });

  it.each(examples)('examples/%s type-checks against the built package', (name) => {
    const program = ts.createProgram([join(examplesDir, name)], {
      strict: true,
      noEmit: true,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      target: ts.ScriptTarget.ES2022,
      types: ['node'],
      skipLibCheck: true,
    });
    const messages = ts
      .getPreEmitDiagnostics(program)
      .map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(messages).toEqual([]);
  });
});
