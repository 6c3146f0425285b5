import { describe, expect, it } from 'vitest';
import { checkDir, makeProject, runCli, summarise } from './helpers.js';

const FILES = {
  'src/lib/api.ts': [
    `export class Client {`,
    `  /** @deprecated use send() */`,
    `  post(): void {}`,
    `  send(): void {}`,
    `  close(): void {}`,
    `}`,
    `/** @deprecated pass an options object */`,
    `export function open(url: string): void;`,
    `export function open(options: { url: string }): void;`,
    `export function open(_x: unknown): void {}`,
    ``,
  ].join('\n'),
  'src/lib/index.ts': `export { Client, open } from './api.js';\n/** @deprecated use open */\nexport { open as connect } from './api.js';\n`,
  'src/app.ts': [
    `import { Client, connect, open } from './lib/index.js';`,
    `const client = new Client();`,
    `client.post();`,
    `client.send();`,
    `client.close();`,
    `open('x');`,
    `open({ url: 'x' });`,
    `connect({ url: 'x' });`,
    ``,
  ].join('\n'),
};

describe('@deprecated JSDoc tags, with config entries as an addition (issue 17 point 4)', () => {
  const result = checkDir(makeProject(FILES, { deprecated: { 'Client.close': { module: 'src/lib/index.ts', replacement: 'src/lib/index.ts#Client' } } }));

  it('reports deprecated members, the deprecated overload where it is chosen, deprecated re-exports, and configured members', () => {
    expect(summarise(result)).toEqual([
      'deprecated-path src/app.ts:3:8 post',
      'deprecated-path src/app.ts:5:8 Client.close',
      'deprecated-path src/app.ts:6:1 open',
      'deprecated-path src/app.ts:8:1 open',
    ]);
    const messages = result.violations.map((v) => v.message);
    expect(messages).toContain('post is marked @deprecated: use send()');
    expect(messages).toContain('open is marked @deprecated: pass an options object');
    expect(messages).toContain('open (as connect) is marked @deprecated: use open');
  });

  it('a config entry guard cannot resolve is a configuration error, not silently nothing', () => {
    const run = runCli([], makeProject(FILES, { deprecated: { 'Client.nope': { module: 'src/lib/index.ts' } } }));
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('"Client" in src/lib/index.ts has no member "nope"');
  });
});
