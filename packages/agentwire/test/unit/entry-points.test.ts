import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import ts from 'typescript';

// Imports are resolved by Node itself in a child process, as a user's program would
// resolve them (npm workspaces link the package into node_modules; `npm test` builds dist/).
function nodeImport(specifier: string, expression: string, preamble = ''): { ok: boolean; output: string } {
  const result = spawnSync(
    process.execPath,
    ['--input-type=module', '-e', `${preamble}const m = await import(${JSON.stringify(specifier)}); console.log(${expression});`],
    { cwd: fileURLToPath(new URL('.', import.meta.url)), encoding: 'utf8' },
  );
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}

// The packages only the subpath entries may load: Redis, OpenAI, metrics, logging, AG-UI,
// and the SQL store engines' drivers (those engines are opened lazily).
const HEAVY = ['ioredis', 'openai', 'prom-client', 'pino', '@ag-ui/core', '@ag-ui/encoder', 'better-sqlite3', 'pg', 'kysely', 'ai'];

// A module resolve hook (registered before the import) that refuses every heavy package
// and names the module that asked for it. CommonJS `require`s inside a dependency do not
// pass through it, but every import of a package by agentwire's own (ESM) files does.
const refuseHeavy = `
const hook = ${JSON.stringify(`const heavy = new Set(${JSON.stringify(HEAVY)});
export async function resolve(specifier, context, next) {
  const name = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0];
  if (heavy.has(name)) throw new Error('heavy package ' + specifier + ' imported by ' + context.parentURL);
  return next(specifier, context);
}`)};
(await import('node:module')).register('data:text/javascript,' + encodeURIComponent(hook));
`;

describe('the exports map', () => {
  it('exposes the server library at "agentwire"', () => {
    expect(nodeImport('agentwire', 'typeof m.createGateway, m.SUBPROTOCOL')).toEqual({ ok: true, output: 'function agentwire.v1\n' });
  });

  it('exposes the client at "agentwire/client"', () => {
    expect(nodeImport('agentwire/client', 'm.SUBPROTOCOL')).toEqual({ ok: true, output: 'agentwire.v1\n' });
  });

  it('exposes the Redis engine at "agentwire/redis"', () => {
    expect(nodeImport('agentwire/redis', 'Object.keys(m).sort().join()')).toEqual({ ok: true, output: 'RedisBus,createRedisBus\n' });
  });

  it('exposes the LLM agent at "agentwire/llm"', () => {
    expect(nodeImport('agentwire/llm', 'Object.keys(m).sort().join()')).toEqual({ ok: true, output: 'LlmError,createLlmAgent\n' });
  });

  it('exposes the HTTP routes, metrics, configuration and standalone server at "agentwire/server"', () => {
    expect(nodeImport('agentwire/server', 'Object.keys(m).sort().join()')).toEqual({
      ok: true,
      output: 'AguiEventMapper,UiChunkMapper,attachAiSdkSocket,configFromEnv,createHttpHandler,createMetricsRegistry,createProducerApi,startServer\n',
    });
  });

  it('exposes the React hooks at "agentwire/react"', () => {
    expect(nodeImport('agentwire/react', 'typeof m.useThread, typeof m.useThreads, typeof m.useAgentwire')).toEqual({ ok: true, output: 'function function function\n' });
  });

  it('exposes the producer API client at "agentwire/producer", without heavy packages', () => {
    expect(nodeImport('agentwire/producer', 'Object.keys(m).sort().join()', refuseHeavy)).toEqual({
      ok: true,
      output: 'ProducerClient,ProducerRequestError,ProducerRun\n',
    });
  });

  it('exposes the AI SDK agent adapter at "agentwire/ai-sdk"; it needs only the types of ai, which the agent brings', () => {
    expect(nodeImport('agentwire/ai-sdk', 'Object.keys(m).sort().join()', refuseHeavy)).toEqual({ ok: true, output: 'createAiSdkAgent,streamToNotifier\n' });
  });

  it.each(['agentwire/dist/index.js', 'agentwire/dist/gateway/gateway.js', 'agentwire/src/index.ts', 'agentwire/package.json'])(
    'makes %s unimportable',
    (specifier) => {
      const result = nodeImport(specifier, '1');
      expect(result.ok).toBe(false);
      expect(result.output).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
    },
  );

  it.each(['agentwire/redis-bus', 'agentwire/server/http-api', 'agentwire/dist/redis.js'])('makes %s unimportable', (specifier) => {
    const result = nodeImport(specifier, '1');
    expect(result.ok).toBe(false);
    expect(result.output).toContain('ERR_PACKAGE_PATH_NOT_EXPORTED');
  });

  it('declares exactly ".", "./client", "./llm", "./redis", "./server", "./store", "./react", "./producer" and "./ai-sdk"', () => {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { exports: object };
    expect(Object.keys(pkg.exports)).toEqual(['.', './client', './llm', './redis', './server', './store', './react', './producer', './ai-sdk']);
  });
});

describe('a light main entry', () => {
  it(`"agentwire" loads none of ${HEAVY.join(', ')}`, () => {
    expect(nodeImport('agentwire', 'typeof m.createGateway, typeof m.createMemoryBus', refuseHeavy)).toEqual({ ok: true, output: 'function function\n' });
  });

  it('"agentwire/client" loads none of them either', () => {
    expect(nodeImport('agentwire/client', 'typeof m.connect', refuseHeavy)).toEqual({ ok: true, output: 'function\n' });
  });

  // The hooks run in a browser bundle: no server code, and of React only \`react\` itself.
  it('"agentwire/react" loads none of them, nor react-dom', () => {
    const refuseServerAndDom = refuseHeavy.replace('const heavy = new Set([', 'const heavy = new Set([\\"react-dom\\",\\"ws\\",');
    expect(refuseServerAndDom).not.toBe(refuseHeavy);
    expect(nodeImport('agentwire/react', 'typeof m.useThread', refuseServerAndDom)).toEqual({ ok: true, output: 'function\n' });
  });

  // Node resolves a module's imports concurrently, so which refusal comes first can vary
  // where an entry loads several heavy packages (the server).
  it.each([
    ['agentwire/redis', ['ioredis']],
    ['agentwire/llm', ['openai']],
    ['agentwire/server', HEAVY],
    ['agentwire/store', ['kysely', 'better-sqlite3', 'pg']],
  ])('the check works: importing %s is refused', (specifier, heavy) => {
    const result = nodeImport(specifier, '1', refuseHeavy);
    expect(result.ok).toBe(false);
    const refused = /heavy package (\S+) imported by file:\/\/\S*\/dist\//.exec(result.output);
    expect(heavy).toContain(refused?.[1]);
  });
});

// Each public symbol has exactly one import path: no two entry files export the same name
// (the client shares only the wire types, the error class and CloseCode with the server).
describe('one import path per symbol', () => {
  const entries = ['index.ts', 'client.ts', 'llm.ts', 'redis.ts', 'server.ts', 'react.ts'];
  const program = ts.createProgram(
    entries.map((file) => fileURLToPath(new URL(`../../src/${file}`, import.meta.url))),
    { module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, strict: true, noEmit: true, types: ['node'] },
  );
  const checker = program.getTypeChecker();
  const exportsOf = (file: string): string[] => {
    const source = program.getSourceFile(fileURLToPath(new URL(`../../src/${file}`, import.meta.url)))!;
    return checker.getExportsOfModule(checker.getSymbolAtLocation(source)!).map((symbol) => symbol.name);
  };

  it('the server-side entries share no name', () => {
    const owners = new Map<string, string[]>();
    for (const file of ['index.ts', 'llm.ts', 'redis.ts', 'server.ts']) for (const name of exportsOf(file)) owners.set(name, [...(owners.get(name) ?? []), file]);
    expect([...owners].filter(([, files]) => files.length > 1)).toEqual([]);
  });

  it('the React entry shares no name with any other entry', () => {
    const elsewhere = new Set(['index.ts', 'client.ts', 'llm.ts', 'redis.ts', 'server.ts'].flatMap(exportsOf));
    expect(exportsOf('react.ts').filter((name) => elsewhere.has(name))).toEqual([]);
  });

  it('the subpath entries export what moved out of the main entry', () => {
    expect(exportsOf('redis.ts').sort()).toEqual(['RedisBus', 'RedisBusOptions', 'createRedisBus']);
    expect(exportsOf('llm.ts').sort()).toEqual(['LlmAgentOptions', 'LlmError', 'createLlmAgent']);
    expect(exportsOf('server.ts').sort()).toEqual(
      [
        'AguiEventMapper',
        'AgentwireMessageMetadata',
        'AiSdkSocketEndpoint',
        'UiChunkMapper',
        'attachAiSdkSocket',
        'HttpApiOptions',
        'LlmConfig',
        'ProducerApi',
        'ProducerApiOptions',
        'RunningServer',
        'ServerConfig',
        'StandaloneOptions',
        'configFromEnv',
        'createHttpHandler',
        'createMetricsRegistry',
        'createProducerApi',
        'startServer',
      ].sort(),
    );
  });
});

describe('entry files', () => {
  it.each(['index.ts', 'client.ts', 'llm.ts', 'redis.ts', 'server.ts', 'react.ts'])('src/%s only re-exports', (file) => {
    const text = readFileSync(new URL(`../../src/${file}`, import.meta.url), 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest);
    const offenders = source.statements.filter((s) => !(ts.isExportDeclaration(s) && s.moduleSpecifier !== undefined));
    expect(offenders.map((s) => s.getText(source).slice(0, 60))).toEqual([]);
  });
});
