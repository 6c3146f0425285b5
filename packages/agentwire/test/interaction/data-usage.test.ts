import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Agent } from '../../src/index.js';
import { isAgentwireError, type ErrorCode } from '../../src/errors.js';
import { createLlmAgent } from '../../src/llm.js';
import { connect } from '../../src/client.js';
import { MemoryBus, Notifier } from '../../src/index.js';
import { MAX_DATA_BYTES, MAX_DATA_NAME_LENGTH, usageFromCounts } from '../../src/notifier/run-extras.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import type { AssistantMessage, ThreadMessage } from '../../src/store/types.js';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { apiFor } from '../history/support/http.js';
import { accepted, expectGoldenPath } from '../integration/support/stream-checks.js';
import { callArgs, callStart, FakeOpenAi, finish, text } from '../llm/fake-openai.js';

/**
 * docs/protocol.md, "Data and usage" (protocol 1.2): `agent_data` { name ≤ 64 chars, data
 * ≤ 16 KiB of JSON } between agent_started and the terminal event, kept in history as a
 * part { type: "data", name, data }; `usage` on the terminal event when the agent knows it,
 * kept on the assistant message.
 */

const USAGE_1 = { input_tokens: 10, output_tokens: 5, total_tokens: 15 };
const USAGE_2 = { input_tokens: 7, output_tokens: 3, total_tokens: 10 };
const SUM = { input_tokens: 17, output_tokens: 8, total_tokens: 25 };

/** The coded errors the agents' misuses threw, by case. */
const refusals = new Map<string, ErrorCode | 'none'>();

async function codeOf(misuse: () => unknown): Promise<ErrorCode | 'none'> {
  try {
    await misuse();
    return 'none';
  } catch (error) {
    if (isAgentwireError(error)) return error.code;
    throw error;
  }
}

const circular: Record<string, unknown> = {};
circular['self'] = circular;

const agents: Agent[] = [
  {
    name: 'reporter',
    async run(_input, { notifier }) {
      await notifier.data('progress', { value: 0.25 });
      await notifier.delta('Found ');
      await notifier.data('citations', [{ title: 'RFC 6455', url: 'https://www.rfc-editor.org/rfc/rfc6455' }]);
      notifier.reportUsage(USAGE_1);
      await notifier.delta('two sources.');
      await notifier.data('progress', { value: 1 });
      notifier.reportUsage(USAGE_2);
    },
  },
  {
    name: 'misuser',
    async run(_input, { notifier }) {
      const cases: Record<string, () => unknown> = {
        'empty name': () => notifier.data('', 1),
        'name too long': () => notifier.data('n'.repeat(MAX_DATA_NAME_LENGTH + 1), 1),
        'name not a string': () => notifier.data(7 as unknown as string, 1),
        'data too big': () => notifier.data('big', 'x'.repeat(MAX_DATA_BYTES)),
        'data undefined': () => notifier.data('nothing', undefined),
        'data a BigInt': () => notifier.data('bigint', 10n),
        'data circular': () => notifier.data('loop', circular),
        'usage negative': () => notifier.reportUsage({ input_tokens: -1, output_tokens: 0, total_tokens: 0 }),
        'usage fractional': () => notifier.reportUsage({ input_tokens: 1.5, output_tokens: 0, total_tokens: 1 }),
        'usage not a number': () => notifier.reportUsage({ input_tokens: '3' as unknown as number, output_tokens: 0, total_tokens: 3 }),
      };
      for (const [label, misuse] of Object.entries(cases)) refusals.set(label, await codeOf(misuse));
      // The limits themselves pass: a 64-character name, exactly 16 KiB of JSON.
      await notifier.data('n'.repeat(MAX_DATA_NAME_LENGTH), 'x'.repeat(MAX_DATA_BYTES - 2));
      await notifier.delta('still here');
    },
  },
  {
    name: 'fails-with-usage',
    async run(_input, { notifier }) {
      await notifier.data('plan', { steps: ['look', 'fail'] });
      notifier.reportUsage(USAGE_1);
      throw new Error('the model crashed');
    },
  },
];

describe.each(testEngines())('agent_data and usage ($name engine)', (engine) => {
  let server: TestServer;
  let client: TestClient;
  let token: string;
  let users = 0;

  beforeAll(async () => {
    server = await startTestServer({ engine, agents });
  });
  afterAll(async () => {
    await server.close();
  });
  beforeEach(async () => {
    token = await server.token(`data-${process.pid}-${++users}`);
    client = await TestClient.connect(server.wsUrl, { token });
  });
  afterEach(async () => {
    await client.close();
  });

  async function run(agent: string): Promise<{ events: StreamEvent[]; assistant: AssistantMessage }> {
    const ids = accepted(await client.ask(`run ${agent}`, { agent }));
    await client.waitForRunEnd(ids.run_id);
    const events = expectGoldenPath(client.events(), ids.run_id, ids.thread_id);
    const answer = await apiFor(server.httpUrl, token).get<{ messages: ThreadMessage[] }>(`/threads/${ids.thread_id}/messages`);
    const assistant = answer.body.messages.find((m): m is AssistantMessage => m.role === 'assistant' && m.run_id === ids.run_id);
    expect(assistant).toBeDefined();
    return { events, assistant: assistant! };
  }

  it('agent_data events come in call order between agent_started and the terminal event; history keeps them as data parts; usage is summed', async () => {
    const { events, assistant } = await run('reporter');
    const shape = events.map((e) => (e.type === 'agent_data' ? `data:${e.data.name}` : e.type));
    expect(shape).toEqual(['agent_started', 'data:progress', 'agent_message_delta', 'data:citations', 'agent_message_delta', 'data:progress', 'agent_completed']);
    const data = events.filter((e): e is StreamEvent<'agent_data'> => e.type === 'agent_data');
    expect(data.map((e) => e.data)).toEqual([
      { name: 'progress', data: { value: 0.25 } },
      { name: 'citations', data: [{ title: 'RFC 6455', url: 'https://www.rfc-editor.org/rfc/rfc6455' }] },
      { name: 'progress', data: { value: 1 } },
    ]);
    expect(events.at(-1)).toMatchObject({ type: 'agent_completed', data: { result: { text: 'Found two sources.' }, usage: SUM } });
    expect(assistant.parts).toEqual([
      { type: 'data', name: 'progress', data: { value: 0.25 } },
      { type: 'text', text: 'Found ' },
      { type: 'data', name: 'citations', data: [{ title: 'RFC 6455', url: 'https://www.rfc-editor.org/rfc/rfc6455' }] },
      { type: 'text', text: 'two sources.' },
      { type: 'data', name: 'progress', data: { value: 1 } },
    ]);
    expect(assistant).toMatchObject({ status: 'completed', text: 'Found two sources.', usage: SUM });
  });

  it('data and usage outside their limits throw coded errors and append nothing; the limits themselves pass', async () => {
    const { events, assistant } = await run('misuser');
    expect(Object.fromEntries(refusals)).toEqual({
      'empty name': 'AW_ERR_NOTIFIER_DATA',
      'name too long': 'AW_ERR_NOTIFIER_DATA',
      'name not a string': 'AW_ERR_NOTIFIER_DATA',
      'data too big': 'AW_ERR_NOTIFIER_DATA',
      'data undefined': 'AW_ERR_NOTIFIER_DATA',
      'data a BigInt': 'AW_ERR_NOTIFIER_DATA',
      'data circular': 'AW_ERR_NOTIFIER_DATA',
      'usage negative': 'AW_ERR_NOTIFIER_USAGE',
      'usage fractional': 'AW_ERR_NOTIFIER_USAGE',
      'usage not a number': 'AW_ERR_NOTIFIER_USAGE',
    });
    expect(events.map((e) => e.type)).toEqual(['agent_started', 'agent_data', 'agent_message_delta', 'agent_completed']);
    expect(events.at(-1)!.data).not.toHaveProperty('usage');
    expect(assistant).not.toHaveProperty('usage');
    expect(assistant.parts[0]).toMatchObject({ type: 'data', name: 'n'.repeat(MAX_DATA_NAME_LENGTH) });
  });

  it('usage reported before a failure is on agent_error and on the failed assistant message', async () => {
    const { events, assistant } = await run('fails-with-usage');
    expect(events.at(-1)).toMatchObject({ type: 'agent_error', data: { code: 'failed', usage: USAGE_1 } });
    expect(assistant).toMatchObject({ status: 'failed', usage: USAGE_1, parts: [{ type: 'data', name: 'plan', data: { steps: ['look', 'fail'] } }] });
  });
});

describe('agent_data and usage outside a run', () => {
  function notifier(): Notifier {
    // guard-ignore-next-line factory-bypass: a unit test of the notifier builds one directly, outside any gateway scope
    return new Notifier(new MemoryBus().log, { userId: 'u', threadId: 't', runId: 'r' });
  }

  it('agent_data before agent_started or after the terminal event is refused; so is usage after it', async () => {
    const early = notifier();
    expect(await codeOf(() => early.data('progress', 1))).toBe('AW_ERR_NOTIFIER_NOT_STARTED');
    const late = notifier();
    await late.started('demo');
    await late.completed();
    expect(await codeOf(() => late.data('progress', 1))).toBe('AW_ERR_NOTIFIER_ENDED');
    expect(await codeOf(() => late.reportUsage(USAGE_1))).toBe('AW_ERR_NOTIFIER_ENDED');
  });
});

describe('usageFromCounts: a provider\'s counts as the protocol\'s usage (LLM agent and AI SDK adapter)', () => {
  it('keeps whole non-negative counts, derives a missing total, and counts anything else 0', () => {
    expect(usageFromCounts({ input: 10, output: 5, total: 17 })).toEqual({ input_tokens: 10, output_tokens: 5, total_tokens: 17 });
    expect(usageFromCounts({ input: 10, output: 5 })).toEqual({ input_tokens: 10, output_tokens: 5, total_tokens: 15 });
    expect(usageFromCounts({ input: -1, output: 2.5, total: Number.NaN })).toEqual({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });
    expect(usageFromCounts({})).toEqual({ input_tokens: 0, output_tokens: 0, total_tokens: 0 });
  });
});

describe('LLM agent usage (fake OpenAI-compatible endpoint)', () => {
  let fake: FakeOpenAi;
  let server: TestServer | undefined;
  let client: TestClient | undefined;
  beforeEach(async () => {
    fake = await FakeOpenAi.start();
  });
  afterEach(async () => {
    await client?.close();
    await server?.close();
    await fake.close();
    client = server = undefined;
  });

  async function start(includeUsage?: boolean): Promise<{ ws: TestClient; token: string }> {
    const agent = createLlmAgent({ baseURL: fake.baseURL, apiKey: 'sk-test', model: 'fake-model', maxRetries: 0, ...(includeUsage !== undefined && { includeUsage }) });
    server = await startTestServer({ agents: [agent] });
    const token = await server.token('lena');
    client = await TestClient.connect(server.wsUrl, { token });
    return { ws: client, token };
  }

  it('asks for usage, sums it over the tool loop onto agent_completed, and history keeps it', async () => {
    const { ws, token } = await start();
    fake.reply(
      { kind: 'stream', chunks: [callStart(0, 'call_1', 'calculator'), callArgs(0, '{"expression":"2+2"}'), finish('tool_calls')], usage: { prompt_tokens: 40, completion_tokens: 9, total_tokens: 49 } },
      { kind: 'stream', chunks: [text('2 + 2 = 4'), finish('stop')], usage: { prompt_tokens: 60, completion_tokens: 6, total_tokens: 66 } },
    );
    const ids = accepted(await ws.ask('what is 2+2?'));
    const end = (await ws.waitForRunEnd(ids.run_id)) as StreamEvent<'agent_completed'>;
    expect(end).toMatchObject({ type: 'agent_completed', data: { result: { text: '2 + 2 = 4' }, usage: { input_tokens: 100, output_tokens: 15, total_tokens: 115 } } });
    const requests = await fake.received(2);
    for (const request of requests) expect(request.body.stream_options).toEqual({ include_usage: true });
    const history = await apiFor(server!.httpUrl, token).get<{ messages: ThreadMessage[] }>(`/threads/${ids.thread_id}/messages`);
    expect(history.body.messages.find((m) => m.role === 'assistant')).toMatchObject({ usage: { input_tokens: 100, output_tokens: 15, total_tokens: 115 } });
  });

  it('an endpoint that sends no usage: no usage on the terminal event', async () => {
    const { ws } = await start();
    fake.reply({ kind: 'stream', chunks: [text('hi'), finish('stop')] });
    const ids = accepted(await ws.ask('hello'));
    const end = await ws.waitForRunEnd(ids.run_id);
    expect(end.type).toBe('agent_completed');
    expect(end.data).not.toHaveProperty('usage');
  });

  it('includeUsage: false does not ask for it', async () => {
    const { ws } = await start(false);
    fake.reply({ kind: 'stream', chunks: [text('hi'), finish('stop')], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });
    const ids = accepted(await ws.ask('hello'));
    const end = await ws.waitForRunEnd(ids.run_id);
    expect(end.data).not.toHaveProperty('usage');
    const [request] = await fake.received(1);
    expect(request!.body).not.toHaveProperty('stream_options');
  });
});

describe('agent_data and usage through the client SDK', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ agents });
  });
  afterAll(async () => {
    await server.close();
  });

  it('run() yields the agent_data events in order and its result carries the usage', async () => {
    const client = connect({ url: server.wsUrl, token: await server.token('sdk-data') });
    try {
      await client.ready();
      const run = client.run('report', { agent: 'reporter' });
      const data: unknown[] = [];
      for await (const event of run) if (event.type === 'agent_data') data.push(event.data);
      expect(data).toEqual([
        { name: 'progress', data: { value: 0.25 } },
        { name: 'citations', data: [{ title: 'RFC 6455', url: 'https://www.rfc-editor.org/rfc/rfc6455' }] },
        { name: 'progress', data: { value: 1 } },
      ]);
      expect(await run.result).toMatchObject({ text: 'Found two sources.', usage: SUM });
    } finally {
      client.close();
    }
  });
});
