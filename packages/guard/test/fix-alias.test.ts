import { describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { checkDir, makeProject, TSCONFIG } from './helpers.js';

const FILES = {
  'src/server/models/user.ts': `export class User {}\n`,
  'src/server/models/index.ts': `export { User } from './user';\nexport const MODELS = 1;\n`,
  // Already imports the canonical module through the alias: the fix must merge into it.
  'src/client/deep/view.ts': `import { MODELS } from '@server/models';\nimport { User } from '../../server/models/user';\nexport const v = [MODELS, User];\n`,
  // No import of the module yet: the alias is the spelling to use.
  'src/client/deep/list.ts': `import { User } from '../../server/models/user';\nexport const l = User;\n`,
};
const CONFIG = { symbols: { User: { module: 'src/server/models/index.ts', internal: ['src/server/**'] } } };
const ALIASED = { ...TSCONFIG, compilerOptions: { ...TSCONFIG.compilerOptions, paths: { '@server/*': ['./src/server/*'] } } };

function fixedFiles(files: Record<string, string>, tsconfig: unknown): Record<string, string> {
  const plan = planFixes(checkDir(makeProject(files, CONFIG, tsconfig)));
  return Object.fromEntries(plan.files.map((f) => [f.rel, f.after]));
}

describe('--fix spells imports the way the project does (issue 17 point 3)', () => {
  it('uses a wildcard paths alias that maps to the canonical module, and merges into an existing import of it', () => {
    expect(fixedFiles(FILES, ALIASED)).toEqual({
      'src/client/deep/view.ts': `import { MODELS, User } from '@server/models';\nexport const v = [MODELS, User];\n`,
      'src/client/deep/list.ts': `import { User } from '@server/models';\nexport const l = User;\n`,
    });
  });

  it('without an alias, writes a relative path in the file extension style (none: a folder import; .js: the .js file)', () => {
    const files = {
      ...FILES,
      'src/client/deep/view.ts': `import { User } from '../../server/models/user';\nexport const v = User;\n`,
      'src/client/deep/list.ts': `import { User } from '../../server/models/user.js';\nexport const l = User;\n`,
    };
    expect(fixedFiles(files, TSCONFIG)).toEqual({
      'src/client/deep/view.ts': `import { User } from '../../server/models';\nexport const v = User;\n`,
      'src/client/deep/list.ts': `import { User } from '../../server/models/index.js';\nexport const l = User;\n`,
    });
  });
});
