import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { connect } from '../../src/client.js';
import { silentLogger } from '../../src/index.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { configFromEnv, startServer } from '../../src/server.js';
import { testToken, TEST_SECRET } from '../helpers/server.js';
import { answer, FakeOpenAi, type RecordedRequest } from '../llm/fake-openai.js';
import { exitWithin, killAll, REPO_ROOT, start } from './example-processes.js';

// Issue 13.9: every code example of the README and docs/ is a file under examples/, included
// verbatim (the doc says `<!-- example: examples/<file> -->` above the block), and each file
// runs here as written, against the built package, with a bounded wait.

const docs = ['README.md', ...readdirSync(join(REPO_ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const CODE = /```(ts|js|typescript|javascript)\n([\s\S]*?)```/g;

afterEach(killAll);

describe('docs examples are the files under examples/', () => {
  it.each(docs)('%s: every ts/js block is an example file, verbatim', (doc) => {
    const text = readFileSync(join(REPO_ROOT, doc), 'utf8');
    for (const match of text.matchAll(CODE)) {
      const before = text.slice(0, match.index);
      const marker = /<!-- example: (examples\/[\w.-]+) -->\s*$/.exec(before);
      expect(marker, `${doc}: a code block without an <!-- example: ... --> marker:\n${match[2]!.slice(0, 200)}`).not.toBeNull();
      expect(match[2], `${doc}: the block differs from ${marker![1]}`).toBe(readFileSync(join(REPO_ROOT, marker![1]!), 'utf8'));
    }
  });

  it('every example file is shown in a doc', () => {
    const shown = docs.flatMap((doc) => [...readFileSync(join(REPO_ROOT, doc), 'utf8').matchAll(/<!-- example: examples\/([\w.-]+) -->/g)].map((m) => m[1]));
    // Folders are example apps (examples/<app>/README.md) and examples in other languages
    // (examples/python-producer), built and run by their own tests (test/e2e, test/producer).
    const files = readdirSync(join(REPO_ROOT, 'examples'), { withFileTypes: true }).filter((e) => e.isFile()).map((e) => e.name);
    expect(files.sort()).toEqual([...new Set(shown)].sort());
  });
});

/**
 * Starts a server example against a fake OpenAI-compatible endpoint answering `text`, has
 * client.ts ask it, checks the answer arrived and the server exits on SIGTERM; answers the model request.
 */
async function answerThroughFakeModel(example: string, text: string): Promise<RecordedRequest> {
  const fake = await FakeOpenAi.start();
  try {
    fake.reply(answer(text));
    const server = start(example, { PORT: '0', LLM_BASE_URL: fake.baseURL, LLM_MODEL: 'fake-model' });
    const [, url] = (await server.waitFor(/listening on (http:\/\/\S+)/)) as unknown as [string, string];
    const client = start('examples/client.ts', { AGENTWIRE_URL: url, QUESTION: 'Say hello' });
    expect(await exitWithin(client, 30_000)).toBe(0);
    expect(client.stdout().split('\n')).toContain(text);
    const [request] = await fake.received(1);
    server.child.kill('SIGTERM');
    expect(await exitWithin(server, 15_000)).toBe(0);
    return request!;
  } finally {
    await fake.close();
  }
}

describe('docs examples run as written', () => {
  it('library-server.ts answers client.ts with the shout agent, serves /metrics and exits on SIGTERM', async () => {
    const server = start('examples/library-server.ts', { PORT: '0' });
    const [, url] = (await server.waitFor(/listening on (http:\/\/\S+)/)) as unknown as [string, string];
    const client = start('examples/client.ts', { AGENTWIRE_URL: url });
    expect(await exitWithin(client, 30_000)).toBe(0);
    const printed = client.stdout().split('\n');
    expect(printed).toContain('connected');
    expect(printed).not.toContain('connecting'); // the comment says the listener never sees it
    expect(printed).toContain('agent_completed');
    expect(printed).toContain('HELLO THERE ');
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('agentwire_connections_opened_total');
    server.child.kill('SIGTERM');
    expect(await exitWithin(server, 15_000)).toBe(0);
  }, 90_000);

  it('redis-server.ts: the demo agent has its tools, plain HTTP is answered, SIGTERM exits', async () => {
    const server = start('examples/redis-server.ts', {
      PORT: '0',
      REDIS_URL: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
      REDIS_PREFIX: `aw-example:${randomUUID()}:`,
      AGENTWIRE_JWT_SECRET: TEST_SECRET,
    });
    const [, url] = (await server.waitFor(/listening on (http:\/\/\S+)/)) as unknown as [string, string];
    const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
    expect(await health.json()).toEqual({ status: 'ok' });
    const client = connect({ url: `${url.replace(/^http/, 'ws')}/ws`, token: await testToken('redis-reader') });
    try {
      const run = client.run('What is 17 * 23?');
      const events: StreamEvent[] = [];
      for await (const event of run) events.push(event);
      expect((await run.result).text).toContain('391');
      const tool = events.find((e): e is StreamEvent<'tool_completed'> => e.type === 'tool_completed');
      expect(tool?.data).toMatchObject({ tool_name: 'calculator', result: { value: 391 } });
    } finally {
      client.close();
    }
    server.child.kill('SIGTERM');
    expect(await exitWithin(server, 15_000)).toBe(0);
  }, 90_000);

  it('llm-server.ts streams the model endpoint’s answer to client.ts', async () => {
    const request = await answerThroughFakeModel('examples/llm-server.ts', 'Hello from the model.');
    expect(request.body.tools?.map((t) => (t['function'] as { name: string }).name)).toEqual(expect.arrayContaining(['calculator', 'weather']));
  }, 90_000);

  it('agui-client.ts gets "17 * 23 = 391." from the standalone server over AG-UI', async () => {
    const config = configFromEnv({ AGENTWIRE_DEV: '1', PORT: '0', HOST: '127.0.0.1', AGENTWIRE_DEMO_DELAY_MS: '0' }, () => 'docs-examples-secret-0123456789abcdef01');
    const server = await startServer(config, { logger: silentLogger });
    try {
      const client = start('examples/agui-client.ts', { AGENTWIRE_URL: server.url });
      expect(await exitWithin(client, 30_000)).toBe(0);
      expect(client.stdout().trim()).toBe('17 * 23 = 391.');
    } finally {
      await server.close();
    }
  }, 90_000);

  it('ai-sdk-client.ts gets the answer from the standalone server over the AI SDK WebSocket transport', async () => {
    const config = configFromEnv({ AGENTWIRE_DEV: '1', PORT: '0', HOST: '127.0.0.1', AGENTWIRE_DEMO_DELAY_MS: '0' }, () => 'docs-examples-secret-0123456789abcdef01');
    const server = await startServer(config, { logger: silentLogger });
    try {
      const client = start('examples/ai-sdk-client.ts', { AGENTWIRE_URL: server.url });
      expect(await exitWithin(client, 30_000)).toBe(0);
      expect(client.stdout().trim()).toMatch(/17 \* 23 = 391\.$/);
    } finally {
      await server.close();
    }
  }, 60_000);

  it('ai-sdk-agent.ts streams the model answer through the AI SDK to client.ts', async () => {
    const request = await answerThroughFakeModel('examples/ai-sdk-agent.ts', 'Hello from the AI SDK.');
    expect(request.body.model).toBe('fake-model');
  }, 90_000);

  it('producer-client.ts streams an agent-initiated run into the user stream of the standalone server', async () => {
    const key = 'docs-producer-key-0123456789abcdef-0123';
    const env = { AGENTWIRE_DEV: '1', PORT: '0', HOST: '127.0.0.1', AGENTWIRE_STORE: 'memory', AGENTWIRE_PRODUCER_KEYS: key };
    const server = await startServer(configFromEnv(env, () => 'docs-examples-secret-0123456789abcdef01'), { logger: silentLogger });
    try {
      const userId = `docs-${randomUUID()}`;
      const producer = start('examples/producer-client.ts', { AGENTWIRE_URL: server.url, AGENTWIRE_PRODUCER_KEY: key, USER_ID: userId });
      expect(await exitWithin(producer, 30_000)).toBe(0);
      const events = (await server.gateway.bus.log.readAfter(userId, 0)).events.map((e) => e.event);
      expect(events.map((e) => e.type)).toEqual([
        'agent_started',
        'agent_thinking',
        'tool_executing',
        'tool_completed',
        ...Array<string>(4).fill('agent_message_delta'),
        'agent_completed',
      ]);
      expect(events.at(-1)).toMatchObject({ data: { result: { text: 'Three tickets are open.' } } });
    } finally {
      await server.close();
    }
  }, 90_000);

  it('commonjs.cjs loads the ESM-only package with import()', async () => {
    const proc = start('examples/commonjs.cjs');
    await proc.waitFor(/listening on ws:\/\/127\.0\.0\.1:\d+\/ws/);
    expect(await exitWithin(proc, 15_000)).toBe(0);
  }, 60_000);
});
