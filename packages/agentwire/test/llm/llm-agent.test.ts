import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLlmAgent, type LlmAgentOptions, LlmError } from '../../src/llm.js';
import type { Logger } from '../../src/index.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { answer, callArgs, callStart, FakeOpenAi, finish, reasoning, text, type Reply } from './fake-openai.js';

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

/** What the server logged at warn level: where the operator's detail of a failure goes. */
let logged: Array<{ obj: Record<string, unknown>; msg: string | undefined }> = [];
const capturingLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: (obj, msg) => logged.push({ obj: obj as Record<string, unknown>, msg }),
  error: (obj, msg) => logged.push({ obj: obj as Record<string, unknown>, msg }),
};

async function start(options: Partial<LlmAgentOptions> = {}): Promise<TestClient> {
  logged = [];
  const agent = createLlmAgent({ baseURL: fake.baseURL, apiKey: 'sk-test', model: 'fake-model', maxRetries: 0, ...options });
  // Every streamed piece as its own event: these tests follow the agent's mapping, not coalescing (test/unit/coalesce.test.ts).
  server = await startTestServer({ agents: [agent], logger: capturingLogger, coalesceDeltasMs: 0 });
  client = await TestClient.connect(server.wsUrl, { token: await server.token('alice') });
  return client;
}

/** Sends a message and returns the run's events once it ended. */
async function run(ws: TestClient, message: string, extra: Record<string, unknown> = {}): Promise<StreamEvent[]> {
  const accepted = await ws.ask(message, extra);
  if (accepted.type !== 'message_accepted') throw new Error(`not accepted: ${JSON.stringify(accepted)}`);
  await ws.waitForRunEnd(accepted.data.run_id);
  return ws.events().filter((e) => e.run_id === accepted.data.run_id);
}

const types = (events: StreamEvent[]) => events.map((e) => e.type);

/**
 * The end user's message is short and quotes a reference; the operator's detail is in the
 * log line with that reference, and never in the message (no URL, variable or upstream text).
 */
function expectSplit(end: StreamEvent, userText: RegExp, logDetail: RegExp): void {
  if (end.type !== 'agent_error') throw new Error(`expected agent_error, got ${end.type}`);
  const message = end.data.message;
  expect(message).toMatch(userText);
  const reference = /\(reference (llm-[0-9a-f]{8})\)$/.exec(message)?.[1];
  expect(reference, message).toBeDefined();
  expect(message).not.toMatch(/https?:|AGENTWIRE_|127\.0\.0\.1|"/);
  const line = logged.find((l) => l.obj['err'] instanceof LlmError && (l.obj['err'] as LlmError).reference === reference);
  expect(line, 'a log line with the reference').toBeDefined();
  expect((line!.obj['err'] as LlmError).message).toMatch(logDetail);
}
const terminal = (events: StreamEvent[]) => events.at(-1)!;

describe('LLM agent against an OpenAI-compatible endpoint', () => {
  it('streams the answer as deltas and completes with the joined text', async () => {
    const ws = await start();
    fake.reply(answer('Hello there, Alice!'));
    const events = await run(ws, 'Say hello');
    const deltas = events.filter((e): e is StreamEvent<'agent_message_delta'> => e.type === 'agent_message_delta');
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.map((d) => d.data.delta).join('')).toBe('Hello there, Alice!');
    expect(terminal(events)).toMatchObject({ type: 'agent_completed', data: { result: { text: 'Hello there, Alice!' } } });

    const [request] = await fake.received(1);
    expect(request!.path).toBe('/v1/chat/completions');
    expect(request!.headers.authorization).toBe('Bearer sk-test');
    expect(request!.body).toMatchObject({ model: 'fake-model', stream: true });
    expect(request!.body.messages.at(-1)).toEqual({ role: 'user', content: 'Say hello' });
    const calculator = request!.body.tools?.find((t) => (t['function'] as { name: string }).name === 'calculator');
    expect(calculator).toMatchObject({ type: 'function', function: { parameters: { type: 'object', required: ['expression'] } } });
  });

  it('reports reasoning content as coalesced agent_thinking before the answer', async () => {
    const ws = await start();
    const pieces = ['The user', ' wants', ' a greeting.', ' I will', ' keep it', ' short', ' and', ' friendly', ' for', ' them.'];
    fake.reply({ kind: 'stream', chunks: [...pieces.map(reasoning), text('Hi!'), finish()] });
    const events = await run(ws, 'Greet me');
    const thoughts = events.filter((e): e is StreamEvent<'agent_thinking'> => e.type === 'agent_thinking');
    expect(thoughts.length).toBeGreaterThan(0);
    expect(thoughts.length).toBeLessThan(pieces.length);
    expect(thoughts.map((t) => t.data.text).join(' ')).toBe(pieces.join('').trim());
    expect(types(events).indexOf('agent_thinking')).toBeLessThan(types(events).indexOf('agent_message_delta'));
  });

  it('assembles two tool calls split across chunks, runs them and feeds the results back', async () => {
    const ws = await start();
    fake.reply(
      {
        kind: 'stream',
        chunks: [
          callStart(0, 'call_a', 'calculator'),
          callArgs(0, '{"expr'),
          callStart(1, 'call_b', 'calculator'),
          callArgs(1, '{"expression'),
          callArgs(0, 'ession": "17 *'),
          callArgs(1, '": "2 ^ 10"}'),
          callArgs(0, ' 23"}'),
          finish('tool_calls'),
        ],
      },
      answer('17 * 23 = 391 and 2 ^ 10 = 1024.'),
    );
    const events = await run(ws, 'What are 17 * 23 and 2 ^ 10?');
    expect(types(events)).toEqual([
      'user_message',
      'agent_started',
      'tool_executing',
      'tool_completed',
      'tool_executing',
      'tool_completed',
      ...events.filter((e) => e.type === 'agent_message_delta').map(() => 'agent_message_delta'),
      'agent_completed',
    ]);
    const executing = events.filter((e): e is StreamEvent<'tool_executing'> => e.type === 'tool_executing');
    expect(executing.map((e) => [e.data.tool_name, e.data.args])).toEqual([
      ['calculator', { expression: '17 * 23' }],
      ['calculator', { expression: '2 ^ 10' }],
    ]);
    const completed = events.filter((e): e is StreamEvent<'tool_completed'> => e.type === 'tool_completed');
    expect(completed.map((e) => (e.data.result as { value: number }).value)).toEqual([391, 1024]);
    expect(completed.map((e) => e.data.tool_call_id)).toEqual(executing.map((e) => e.data.tool_call_id));

    const requests = await fake.received(2);
    const second = requests[1]!.body.messages;
    expect(second.at(-3)).toMatchObject({
      role: 'assistant',
      tool_calls: [
        { id: 'call_a', type: 'function', function: { name: 'calculator', arguments: '{"expression": "17 * 23"}' } },
        { id: 'call_b', type: 'function', function: { name: 'calculator', arguments: '{"expression": "2 ^ 10"}' } },
      ],
    });
    expect(second.at(-2)).toEqual({ role: 'tool', tool_call_id: 'call_a', content: '{"expression":"17 * 23","value":391}' });
    expect(second.at(-1)).toEqual({ role: 'tool', tool_call_id: 'call_b', content: '{"expression":"2 ^ 10","value":1024}' });
    expect(terminal(events)).toMatchObject({ type: 'agent_completed', data: { result: { text: '17 * 23 = 391 and 2 ^ 10 = 1024.' } } });
  });

  it('fails a call whose arguments are not JSON, tells the model, and still answers', async () => {
    const ws = await start();
    fake.reply(
      { kind: 'stream', chunks: [callStart(0, 'call_x', 'calculator'), callArgs(0, '{"expression": 1 +'), finish('tool_calls')] },
      answer('Sorry, I could not calculate that.'),
    );
    const events = await run(ws, 'Compute something');
    const completed = events.find((e): e is StreamEvent<'tool_completed'> => e.type === 'tool_completed');
    expect(completed?.data.error).toMatch(/not valid JSON/);
    const requests = await fake.received(2);
    expect(requests[1]!.body.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_x', content: expect.stringContaining('not valid JSON') });
    expect(terminal(events).type).toBe('agent_completed');
  });

  it('sends the thread’s earlier turns with the next message (conversation memory)', async () => {
    const ws = await start({ systemPrompt: 'Be brief.' });
    fake.reply(answer('Nice to meet you, Ada.'), answer('Your name is Ada.'));
    const first = await run(ws, 'My name is Ada.');
    await run(ws, 'What is my name?', { thread_id: first[0]!.thread_id });
    const requests = await fake.received(2);
    expect(requests[1]!.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Nice to meet you, Ada.' },
      { role: 'user', content: 'What is my name?' },
    ]);
    // A new thread starts with no memory.
    fake.reply(answer('I do not know.'));
    await run(ws, 'What is my name?');
    expect((await fake.received(3))[2]!.body.messages).toHaveLength(2);
  });

  it('stop_agent aborts the HTTP stream to the endpoint', async () => {
    const ws = await start();
    fake.reply({ kind: 'stream', chunks: [text('Thinking about it')], then: 'stall' });
    const accepted = await ws.ask('Write a long essay');
    if (accepted.type !== 'message_accepted') throw new Error('not accepted');
    const runId = accepted.data.run_id;
    await ws.waitFor((f) => f.type === 'agent_message_delta' && f.run_id === runId);
    const [request] = await fake.received(1);
    expect(request!.wasAbandoned()).toBe(false);
    ws.send({ type: 'stop_agent', run_id: runId });
    const end = await ws.waitForRunEnd(runId);
    expect(end).toMatchObject({ type: 'agent_error', data: { code: 'cancelled' } });
    await request!.abandoned;
    expect(request!.wasAbandoned()).toBe(true);
  });

  it('ends with a timeout when the endpoint never starts answering', async () => {
    const ws = await start({ requestTimeoutMs: 300 });
    fake.reply({ kind: 'hang' });
    const events = await run(ws, 'Hello?');
    expect(terminal(events)).toMatchObject({ type: 'agent_error', data: { code: 'timeout' } });
    expectSplit(terminal(events), /^The model did not answer in time\./, /did not start answering for 300 ms.*AGENTWIRE_LLM_TIMEOUT_MS/);
    await fake.requests[0]!.abandoned;
  });

  it('ends with a timeout when the stream stalls mid-answer', async () => {
    const ws = await start({ requestTimeoutMs: 300 });
    fake.reply({ kind: 'stream', chunks: [text('Half an ')], then: 'stall' });
    const events = await run(ws, 'Hello?');
    expect(types(events)).toContain('agent_message_delta');
    expect((terminal(events) as StreamEvent<'agent_error'>).data.code).toBe('timeout');
    expectSplit(terminal(events), /^The model stopped answering part-way\./, /stopped sending mid-answer/);
  });

  const failures: Array<[string, Reply, RegExp, RegExp]> = [
    ['401', { kind: 'status', status: 401, message: 'Incorrect API key provided' }, /^The model is not set up correctly\./, /refused the API key \(401\).*check AGENTWIRE_LLM_API_KEY/],
    ['429', { kind: 'status', status: 429, message: 'Rate limit reached' }, /^The model is busy right now\./, /rate limiting or out of quota \(429\).*Rate limit reached.*retry/],
    ['500', { kind: 'status', status: 500, message: 'boom' }, /^The model could not be reached\./, /endpoint failed \(500\).*retry shortly/],
    ['404', { kind: 'status', status: 404, message: 'model not found' }, /^The model is not set up correctly\./, /no model "fake-model".*AGENTWIRE_LLM_MODEL/],
    ['a stream broken mid-answer', { kind: 'stream', chunks: [text('The answer is')], then: 'destroy' }, /^The model stopped answering part-way\./, /broke off the stream mid-answer/],
    ['an error object mid-stream', { kind: 'stream', chunks: [text('The answer is')], then: 'error' }, /^The model stopped answering part-way\./, /reported an error mid-answer.*the model crashed/],
  ];
  it.each(failures)('turns %s into a short agent_error for the user and the detail into the log', async (_name, reply, userText, logDetail) => {
    const ws = await start();
    fake.reply(reply);
    const events = await run(ws, 'Hello?');
    const end = terminal(events) as StreamEvent<'agent_error'>;
    expect(end.type).toBe('agent_error');
    expect(end.data.code).toBe('failed');
    expectSplit(end, userText, logDetail);
    // The upstream body stays in the log.
    expect(end.data.message).not.toMatch(/Incorrect API key|Rate limit reached|boom|model not found|crashed/);
  });

  it('says so when the endpoint cannot be reached', async () => {
    const gone = fake.baseURL;
    await fake.close();
    fake = await FakeOpenAi.start();
    const ws = await start({ baseURL: gone });
    const events = await run(ws, 'Hello?');
    expectSplit(terminal(events), /^The model could not be reached\./, /could not reach the model endpoint at http:\/\/127\.0\.0\.1:\d+\/v1.*AGENTWIRE_LLM_BASE_URL/);
  });

  it('keeps credentials in the base URL out of the message and the log', async () => {
    const gone = new URL(fake.baseURL);
    await fake.close();
    fake = await FakeOpenAi.start();
    gone.username = 'operator';
    gone.password = 'hunter2';
    const ws = await start({ baseURL: gone.toString() });
    const events = await run(ws, 'Hello?');
    expectSplit(terminal(events), /^The model could not be reached\./, /could not reach the model endpoint at http:\/\/\*\*\*@127\.0\.0\.1/);
    expect(JSON.stringify(events)).not.toContain('hunter2');
    expect(logged.map((l) => (l.obj['err'] as Error | undefined)?.message ?? '').join('\n')).not.toContain('hunter2');
  });

  it('bounds the tool loop with maxSteps', async () => {
    const ws = await start({ maxSteps: 2 });
    const asksForTool = (id: string): Reply => ({
      kind: 'stream',
      chunks: [callStart(0, id, 'calculator'), callArgs(0, '{"expression": "1 + 1"}'), finish('tool_calls')],
    });
    fake.reply(asksForTool('call_1'), asksForTool('call_2'), asksForTool('call_3'));
    const events = await run(ws, 'Loop forever');
    expect(fake.requests).toHaveLength(2);
    expect(types(events).filter((t) => t === 'tool_executing')).toHaveLength(1);
    expect((terminal(events) as StreamEvent<'agent_error'>).data.code).toBe('failed');
    expectSplit(terminal(events), /^The model kept using tools without answering\./, /kept calling tools for 2 steps.*maxSteps/);
  });

  it('offers only the tools it is configured with', async () => {
    const ws = await start({ tools: ['clock'] });
    fake.reply(
      { kind: 'stream', chunks: [callStart(0, 'call_c', 'calculator'), callArgs(0, '{"expression":"1+1"}'), finish('tool_calls')] },
      answer('I cannot calculate.'),
    );
    const events = await run(ws, 'What is 1+1?');
    const [first] = await fake.received(1);
    expect(first!.body.tools?.map((t) => (t['function'] as { name: string }).name)).toEqual(['clock']);
    const completed = events.find((e): e is StreamEvent<'tool_completed'> => e.type === 'tool_completed');
    expect(completed?.data.error).toMatch(/calculator/);
  });
});
