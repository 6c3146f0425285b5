import { HttpAgent } from '@ag-ui/client';
import { EventType, type BaseEvent } from '@ag-ui/core';
import { EventSchemas } from '@ag-ui/core/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoAgent } from '../../src/index.js';
import { createLlmAgent } from '../../src/llm.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { clientThreadId } from '../../src/server/client-thread-ids.js';
import type { HttpApiOptions } from '../../src/server.js';
import { testEngines, type EngineFactory } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { answer, callArgs, callStart, FakeOpenAi, finish, reasoning, text } from '../llm/fake-openai.js';

let server: TestServer | undefined;
let fake: FakeOpenAi | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  await fake?.close();
  server = fake = undefined;
});

async function startWithLlm(engine?: EngineFactory, http?: HttpApiOptions): Promise<TestServer> {
  fake = await FakeOpenAi.start();
  const llm = createLlmAgent({ baseURL: fake.baseURL, model: 'fake-model', maxRetries: 0 });
  return startTestServer({ agents: [createDemoAgent({ delayMs: 0 }), llm], ...(engine && { engine }), ...(http && { http }) });
}

async function watch(s: TestServer, userId: string): Promise<TestClient> {
  const client = await TestClient.connect(s.wsUrl, { token: await s.token(userId) });
  clients.push(client);
  return client;
}

/** Runs one AG-UI run with the real HttpAgent and returns every event it delivered. */
async function runWithHttpAgent(s: TestServer, userId: string, threadId: string, message: string, runId: string) {
  const agent = new HttpAgent({ url: `${s.httpUrl}/agui`, headers: { authorization: `Bearer ${await s.token(userId)}` }, threadId });
  agent.addMessage({ id: `u-${runId}`, role: 'user', content: message });
  const events: BaseEvent[] = [];
  await agent.runAgent({ runId }, { onEvent: ({ event }) => void events.push(event) });
  return { agent, events };
}

function post(s: TestServer, body: unknown, token: string | undefined, raw = false): Promise<Response> {
  return fetch(`${s.httpUrl}/agui`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', ...(token && { authorization: `Bearer ${token}` }) },
    body: raw ? (body as string) : JSON.stringify(body),
  });
}

/** The AG-UI events of a raw SSE body (an `id:` line before `data:` aside). */
async function sseEvents(response: Response): Promise<BaseEvent[]> {
  const body = await response.text();
  return body
    .split('\n\n')
    .map((block) => block.split('\n').find((line) => line.startsWith('data: ')))
    .filter((line) => line !== undefined)
    .map((line) => JSON.parse(line.slice('data: '.length)) as BaseEvent);
}

const input = (threadId: string, runId: string, content: string, extra: Record<string, unknown> = {}) => ({
  threadId,
  runId,
  messages: [{ id: `m-${runId}`, role: 'user', content }],
  tools: [],
  context: [],
  state: {},
  forwardedProps: {},
  ...extra,
});

describe.each(testEngines().map((engine) => [engine.name, engine] as const))('POST /agui (%s engine)', (_name, engine) => {
  it('runs the agent for the real HttpAgent: valid AG-UI events whose text equals the answer on the WebSocket', async () => {
    server = await startTestServer({ engine });
    const ws = await watch(server, 'alice');
    const { agent, events } = await runWithHttpAgent(server, 'alice', 'thread-ag-1', 'What is 17 * 23?', 'run-ag-1');

    for (const event of events) expect(() => EventSchemas.parse(event), JSON.stringify(event)).not.toThrow();
    const kinds = events.map((e) => e.type);
    expect(kinds[0]).toBe(EventType.RUN_STARTED);
    expect(kinds.at(-1)).toBe(EventType.RUN_FINISHED);
    expect(events[0]).toMatchObject({ threadId: 'thread-ag-1', runId: 'run-ag-1' });
    expect(kinds).toEqual(expect.arrayContaining([EventType.REASONING_START, EventType.REASONING_MESSAGE_CONTENT, EventType.TEXT_MESSAGE_START]));
    const toolKinds = kinds.filter((k) => k.startsWith('TOOL_CALL'));
    expect(toolKinds).toEqual([EventType.TOOL_CALL_START, EventType.TOOL_CALL_ARGS, EventType.TOOL_CALL_END, EventType.TOOL_CALL_RESULT]);
    const args = events.find((e) => e.type === EventType.TOOL_CALL_ARGS) as BaseEvent & { delta: string };
    expect(JSON.parse(args.delta)).toEqual({ expression: '17 * 23' });
    const result = events.find((e) => e.type === EventType.TOOL_CALL_RESULT) as BaseEvent & { content: string };
    expect(JSON.parse(result.content)).toMatchObject({ value: 391 });

    const aguiText = events
      .filter((e) => e.type === EventType.TEXT_MESSAGE_CONTENT)
      .map((e) => (e as BaseEvent & { delta: string }).delta)
      .join('');
    const runId = (events[0] as BaseEvent & { metadata: { agentwire: { run_id: string } } }).metadata.agentwire.run_id;
    const end = (await ws.waitForRunEnd(runId)) as StreamEvent<'agent_completed'>;
    expect(end.type).toBe('agent_completed');
    expect(aguiText).toBe(end.data.result.text);
    expect(aguiText).toContain('17 * 23 = 391');

    // The same run on the user's stream, with gap-free seq, started by the AG-UI message.
    const onWs = ws.events().filter((e) => e.run_id === runId);
    expect(onWs[0]).toMatchObject({ type: 'user_message', thread_id: clientThreadId('alice', 'thread-ag-1').threadId, data: { text: 'What is 17 * 23?', client_msg_id: 'agui:run-ag-1' } });
    const seqs = ws.events().map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
    // The client applied the events into its conversation.
    expect(agent.messages.some((m) => m.role === 'assistant' && m.content === end.data.result.text)).toBe(true);
  });

  it('keeps an AG-UI thread as one agentwire thread across runs', async () => {
    server = await startTestServer({ engine });
    await runWithHttpAgent(server, 'alice', 'thread-ag-2', 'What is 1 + 1?', 'run-a');
    await runWithHttpAgent(server, 'alice', 'thread-ag-2', 'What is 2 + 2?', 'run-b');
    const token = await server.token('alice');
    const threads = (await (await fetch(`${server.httpUrl}/threads`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      threads: Array<{ thread_id: string }>;
    };
    expect(threads.threads.map((t) => t.thread_id)).toEqual([clientThreadId('alice', 'thread-ag-2').threadId]);
    const history = (await (await fetch(`${server.httpUrl}/threads/${clientThreadId('alice', 'thread-ag-2').threadId}/events`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      events: StreamEvent[];
    };
    expect(history.events.filter((e) => e.type === 'agent_completed')).toHaveLength(2);
  });

  it('streams reasoning, tool calls and errors of the LLM agent as AG-UI events', async () => {
    server = await startWithLlm(engine);
    fake!.reply(
      {
        kind: 'stream',
        chunks: [
          reasoning('I should use the calculator. '),
          text('Let me check. '),
          callStart(0, 'call_1', 'calculator'),
          callArgs(0, '{"expression":'),
          callArgs(0, '"6 * 7"}'),
          finish('tool_calls'),
        ],
      },
      answer('6 * 7 = 42.'),
      { kind: 'status', status: 401, message: 'bad key' },
    );
    const token = await server.token('alice');
    const ok = await post(server, input('thread-ag-3', 'run-ok', 'What is 6 * 7?', { forwardedProps: { agent: 'llm' } }), token);
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('text/event-stream');
    const events = await sseEvents(ok);
    for (const event of events) EventSchemas.parse(event);
    expect(events.map((e) => e.type)).toEqual([
      EventType.RUN_STARTED,
      EventType.REASONING_START,
      EventType.REASONING_MESSAGE_START,
      EventType.REASONING_MESSAGE_CONTENT,
      EventType.REASONING_MESSAGE_END,
      EventType.REASONING_END,
      EventType.TEXT_MESSAGE_START,
      EventType.TEXT_MESSAGE_CONTENT,
      EventType.TEXT_MESSAGE_END,
      EventType.TOOL_CALL_START,
      EventType.TOOL_CALL_ARGS,
      EventType.TOOL_CALL_END,
      EventType.TOOL_CALL_RESULT,
      EventType.TEXT_MESSAGE_START,
      ...events.filter((e) => e.type === EventType.TEXT_MESSAGE_CONTENT).slice(1).map(() => EventType.TEXT_MESSAGE_CONTENT),
      EventType.TEXT_MESSAGE_END,
      EventType.RUN_FINISHED,
    ]);
    expect(events.at(-1)).toMatchObject({ result: { text: 'Let me check. 6 * 7 = 42.' }, outcome: { type: 'success' } });

    const failed = await post(server, input('thread-ag-3', 'run-err', 'Hello', { forwardedProps: { agent: 'llm' } }), token);
    const errorEvents = await sseEvents(failed);
    for (const event of errorEvents) EventSchemas.parse(event);
    expect(errorEvents.map((e) => e.type)).toEqual([EventType.RUN_STARTED, EventType.RUN_ERROR]);
    // The end user's sentence and reference; the detail ("refused the API key (401)") is in the log only.
    expect(errorEvents[1]).toMatchObject({ code: 'failed', message: expect.stringMatching(/^The model is not set up correctly\..*\(reference llm-[0-9a-f]{8}\)$/) });
    expect(JSON.stringify(errorEvents[1])).not.toContain('bad key');
  });

  it('with aguiStopOnClose (the old behaviour), stops the run when the AG-UI client aborts, as stop_agent does', async () => {
    server = await startWithLlm(engine, { aguiStopOnClose: true });
    fake!.reply({ kind: 'stream', chunks: [text('Once upon a time')], then: 'stall' });
    const ws = await watch(server, 'alice');
    const agent = new HttpAgent({ url: `${server.httpUrl}/agui`, headers: { authorization: `Bearer ${await server.token('alice')}` } });
    agent.addMessage({ id: 'u1', role: 'user', content: 'Tell me a long story' });
    let sawText!: () => void;
    const textArrived = new Promise<void>((resolve) => (sawText = resolve));
    const running = agent.runAgent({ runId: 'run-abort', forwardedProps: { agent: 'llm' } }, {
      onTextMessageContentEvent: () => sawText(),
    });
    await textArrived;
    agent.abortRun();
    await running.catch(() => undefined);
    const end = await ws.waitFor((f) => f.type === 'agent_error');
    expect(end).toMatchObject({ data: { code: 'cancelled' } });
    await fake!.requests[0]!.abandoned;
  });

  it('refuses bad input and another user’s thread as /ws does, and appends nothing', async () => {
    server = await startTestServer({ engine });
    const alice = await server.token('alice');
    const bob = await server.token('bob');
    const aliceWs = await watch(server, 'alice');
    await runWithHttpAgent(server, 'alice', 'alice-thread', 'What is 3 * 3?', 'run-1');
    await aliceWs.waitFor((f) => f.type === 'agent_completed');
    const aliceEvents = aliceWs.events().length;

    const expectError = async (response: Response, status: number, code: string, message?: RegExp) => {
      expect(response.status).toBe(status);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe(code);
      if (message) expect(body.error.message).toMatch(message);
    };
    await expectError(await post(server, input('t', 'r', 'hi'), undefined), 401, 'unauthorized');
    await expectError(await post(server, input('t', 'r', 'hi'), 'not-a-jwt'), 401, 'unauthorized');
    await expectError(await post(server, '{"threadId": ', bob, true), 400, 'invalid_json');
    await expectError(await post(server, { threadId: 't', messages: [] }, bob), 400, 'invalid_message', /runId/);
    await expectError(await post(server, input('t', 'r', '   '), bob), 400, 'invalid_message', /user message with text/);
    await expectError(await post(server, input('bad/thread', 'r', 'hi'), bob), 400, 'invalid_message', /threadId/);
    await expectError(await post(server, input('t', 'r', 'hi', { forwardedProps: { agent: 'nope' } }), bob), 400, 'invalid_message', /unknown agent "nope"/);
    // Alice's thread as agentwire names it, and an unknown one of that form, are refused alike.
    const aliceThread = clientThreadId('alice', 'alice-thread').threadId;
    await expectError(await post(server, input(aliceThread, 'r2', 'What did Alice say?'), bob), 404, 'not_found');
    await expectError(await post(server, input('thr_unknown', 'r3', 'hi'), bob), 404, 'not_found');
    await expectError(await post(server, input('alice-thread', 'run-1', 'again'), alice), 409, 'duplicate_run');
    const put = await fetch(`${server.httpUrl}/agui`, { method: 'PUT', headers: { authorization: `Bearer ${bob}` } });
    expect(put.status).toBe(405);

    // Nothing reached Alice's stream, and Bob got no thread.
    await aliceWs.ask('ping through', { thread_id: aliceThread });
    await aliceWs.waitFor((f) => f.type === 'user_message' && f.data.text === 'ping through');
    const after = aliceWs.events().slice(aliceEvents);
    expect(after[0]).toMatchObject({ type: 'user_message', data: { text: 'ping through' } });
    const bobThreads = (await (await fetch(`${server.httpUrl}/threads`, { headers: { authorization: `Bearer ${bob}` } })).json()) as { threads: unknown[] };
    expect(bobThreads.threads).toEqual([]);

    // The same client-chosen id names a private thread per user: Bob's run sees nothing of Alice's.
    const bobWs = await watch(server, 'bob');
    await runWithHttpAgent(server, 'bob', 'alice-thread', 'What is 2 * 2?', 'run-bob');
    const bobStart = (await bobWs.waitFor((f) => f.type === 'user_message')) as { thread_id: string };
    expect(bobStart.thread_id).toBe(clientThreadId('bob', 'alice-thread').threadId);
    expect(bobStart.thread_id).not.toBe(aliceThread);
  });
});

describe('GET /agents', () => {
  it('lists the agents a user may pick and the default', async () => {
    server = await startWithLlm();
    const response = await fetch(`${server.httpUrl}/agents`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { agents: Array<{ name: string; description: string }>; default: string };
    expect(body.default).toBe('demo');
    expect(body.agents.map((a) => a.name)).toEqual(['demo', 'llm']);
    expect(body.agents[1]!.description).toMatch(/fake-model/);
  });
});
