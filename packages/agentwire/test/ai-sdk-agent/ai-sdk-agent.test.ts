import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { isStepCount, streamText, tool, ToolLoopAgent, type ToolSet } from 'ai';
import { convertArrayToReadableStream, MockLanguageModelV4 } from 'ai/test';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createAiSdkAgent, type AiSdkStreamSummary } from '../../src/ai-sdk.js';
import type { AssistantMessage } from '../../src/store/types.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

// The real streamText runs on the AI SDK's own mock model (ai/test): no network.

const usage = (output: number) => ({
  inputTokens: { total: 10, noCache: 10, cacheRead: 0, cacheWrite: 0 },
  outputTokens: { total: output, text: output, reasoning: 0 },
});
const finish = (unified: 'stop' | 'tool-calls' = 'stop'): LanguageModelV4StreamPart => ({ type: 'finish', finishReason: { unified, raw: unified }, usage: usage(5) });
const text = (...deltas: string[]): LanguageModelV4StreamPart[] => [
  { type: 'text-start', id: 't' },
  ...deltas.map((delta) => ({ type: 'text-delta' as const, id: 't', delta })),
  { type: 'text-end', id: 't' },
];
const toolCall = (toolCallId: string, toolName: string, input: unknown): LanguageModelV4StreamPart => ({
  type: 'tool-call',
  toolCallId,
  toolName,
  input: JSON.stringify(input),
});
const step = (parts: LanguageModelV4StreamPart[]) => ({
  stream: convertArrayToReadableStream<LanguageModelV4StreamPart>([{ type: 'stream-start', warnings: [] }, ...parts]),
});
type SdkResult = ReturnType<typeof streamText>;

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Harness {
  socket: TestClient;
  model: MockLanguageModelV4;
  results: SdkResult[];
  summaries: AiSdkStreamSummary[];
  ask(question: string): Promise<{ runId: string; threadId: string }>;
  runEvents(runId: string): StreamEvent[];
  stored(threadId: string): Promise<AssistantMessage>;
}

async function harness(model: MockLanguageModelV4, tools: ToolSet = {}): Promise<Harness> {
  const results: SdkResult[] = [];
  const summaries: AiSdkStreamSummary[] = [];
  const agent = createAiSdkAgent({
    name: 'ai-sdk',
    onFinish: (summary) => summaries.push(summary),
    stream: ({ messages, signal }) => {
      const result = streamText({ model, messages, tools, abortSignal: signal, stopWhen: isStepCount(3), onError: () => {} });
      results.push(result);
      return result;
    },
  });
  // One event per delta, so each SDK part's event can be checked (coalescing has its own tests).
  server = await startTestServer({ agents: [agent], coalesceDeltasMs: 0 });
  const running = server;
  const userId = `ai-${Math.random().toString(36).slice(2, 8)}`;
  const token = await running.token(userId);
  const socket = await TestClient.connect(running.wsUrl, { token });
  return {
    socket,
    model,
    results,
    summaries,
    async ask(question) {
      const accepted = await socket.ask(question);
      const data = accepted.data as { run_id: string; thread_id: string };
      return { runId: data.run_id, threadId: data.thread_id };
    },
    runEvents: (runId) => socket.events().filter((e) => e.run_id === runId),
    async stored(threadId) {
      const answer = await fetch(`${running.httpUrl}/threads/${threadId}/messages`, { headers: { authorization: `Bearer ${token}` } });
      const { messages } = (await answer.json()) as { messages: Array<{ role: string }> };
      return messages.find((m) => m.role === 'assistant') as AssistantMessage;
    },
  };
}

const types = (events: StreamEvent[]) => events.map((e) => e.type);

describe('AI SDK agent: streamText parts become the run events', () => {
  it('text only: deltas in order, the stored message and agent_completed carry the SDK text', async () => {
    const h = await harness(new MockLanguageModelV4({ doStream: step([...text('Hel', 'lo ', 'there'), finish()]) }));
    const { runId, threadId } = await h.ask('hi');
    const terminal = (await h.socket.waitForRunEnd(runId)) as StreamEvent<'agent_completed'>;
    expect(types(h.runEvents(runId))).toEqual(['user_message', 'agent_started', 'agent_message_delta', 'agent_message_delta', 'agent_message_delta', 'agent_completed']);
    const sdkText = await h.results[0]!.text;
    expect(sdkText).toBe('Hello there');
    expect(terminal.data.result).toEqual({ text: sdkText });
    expect(await h.stored(threadId)).toMatchObject({ status: 'completed', text: sdkText });
    // The usage reaches the terminal event (protocol 1.2 `usage`) and onFinish, with the finish reason.
    expect(terminal.data.usage).toEqual({ input_tokens: 10, output_tokens: 5, total_tokens: 15 });
    expect(h.summaries).toEqual([{ finishReason: 'stop', usage: await h.results[0]!.usage }]);
    expect(h.summaries[0]!.usage?.outputTokens).toBe(5);
    expect(h.model.doStreamCalls[0]!.prompt).toEqual([{ role: 'user', content: [{ type: 'text', text: 'hi' }] }]);
  });

  it('reasoning: one agent_thinking per reasoning block, before the answer', async () => {
    const h = await harness(
      new MockLanguageModelV4({
        doStream: step([
          { type: 'reasoning-start', id: 'r' },
          { type: 'reasoning-delta', id: 'r', delta: 'Let me ' },
          { type: 'reasoning-delta', id: 'r', delta: 'think.' },
          { type: 'reasoning-end', id: 'r' },
          ...text('Done.'),
          finish(),
        ]),
      }),
    );
    const { runId, threadId } = await h.ask('why?');
    await h.socket.waitForRunEnd(runId);
    const thinking = h.runEvents(runId).filter((e) => e.type === 'agent_thinking') as Array<StreamEvent<'agent_thinking'>>;
    expect(thinking.map((e) => e.data.text)).toEqual([(await h.results[0]!.finalStep).reasoningText]);
    expect(types(h.runEvents(runId)).slice(1)).toEqual(['agent_started', 'agent_thinking', 'agent_message_delta', 'agent_completed']);
    expect((await h.stored(threadId)).parts).toEqual([{ type: 'thinking', text: 'Let me think.' }, { type: 'text', text: 'Done.' }]);
  });

  it('several tool calls in one step, with their results, then the answer; a tool error is paired as an error', async () => {
    const tools = {
      weather: tool({ inputSchema: z.object({ city: z.string() }), execute: async ({ city }) => ({ city, celsius: city.length }) }),
      broken: tool({
        inputSchema: z.object({}),
        execute: async (): Promise<string> => {
          throw new Error('the tool broke');
        },
      }),
    };
    const model = new MockLanguageModelV4({
      doStream: [
        step([toolCall('c1', 'weather', { city: 'Oslo' }), toolCall('c2', 'weather', { city: 'Lima' }), toolCall('c3', 'broken', {}), finish('tool-calls')]),
        step([...text('Oslo 4, Lima 4.'), finish()]),
      ],
    });
    const h = await harness(model, tools);
    const { runId, threadId } = await h.ask('weather?');
    await h.socket.waitForRunEnd(runId);
    const events = h.runEvents(runId);
    const executing = events.filter((e) => e.type === 'tool_executing') as Array<StreamEvent<'tool_executing'>>;
    expect(executing.map((e) => [e.data.tool_call_id, e.data.tool_name, e.data.args])).toEqual([
      ['c1', 'weather', { city: 'Oslo' }],
      ['c2', 'weather', { city: 'Lima' }],
      ['c3', 'broken', {}],
    ]);
    const completed = events.filter((e) => e.type === 'tool_completed') as Array<StreamEvent<'tool_completed'>>;
    const byId = Object.fromEntries(completed.map((e) => [e.data.tool_call_id, e.data]));
    expect(byId['c1']).toMatchObject({ result: { city: 'Oslo', celsius: 4 } });
    expect(byId['c2']).toMatchObject({ result: { city: 'Lima', celsius: 4 } });
    expect(byId['c3']!.error).toContain('the tool broke');
    expect(events.at(-1)!.type).toBe('agent_completed');
    const sdkSteps = await h.results[0]!.steps;
    const sdkToolResults = sdkSteps.flatMap((s) => s.toolResults).map((r) => [r.toolCallId, r.output]);
    expect(sdkToolResults).toEqual([
      ['c1', { city: 'Oslo', celsius: 4 }],
      ['c2', { city: 'Lima', celsius: 4 }],
    ]);
    const stored = await h.stored(threadId);
    expect(stored.text).toBe(await h.results[0]!.text);
    expect(stored.parts.filter((p) => p.type === 'tool_call').map((p) => (p as { tool_call_id: string }).tool_call_id)).toEqual(['c1', 'c2', 'c3']);
  });

  it('a model error mid-stream ends the run with agent_error failed, after the text streamed so far', async () => {
    const h = await harness(
      new MockLanguageModelV4({
        doStream: step([{ type: 'text-start', id: 't' }, { type: 'text-delta', id: 't', delta: 'Partial' }, { type: 'error', error: new Error('model overloaded') }]),
      }),
    );
    const { runId, threadId } = await h.ask('go');
    const terminal = (await h.socket.waitForRunEnd(runId)) as StreamEvent<'agent_error'>;
    expect(terminal.type).toBe('agent_error');
    expect(terminal.data.code).toBe('failed');
    expect(terminal.data.message).toContain('model overloaded');
    expect(types(h.runEvents(runId))).toEqual(['user_message', 'agent_started', 'agent_message_delta', 'agent_error']);
    expect(await h.stored(threadId)).toMatchObject({ status: 'failed', text: 'Partial' });
  });
});

describe('AI SDK agent: a ToolLoopAgent', () => {
  it("runs its tool loop through agentwire: the agent's stream becomes the run's events", async () => {
    const model = new MockLanguageModelV4({
      doStream: [step([toolCall('c1', 'lookup', { q: 'x' }), finish('tool-calls')]), step([...text('Found ', 'it.'), finish()])],
    });
    const loop = new ToolLoopAgent({ model, tools: { lookup: tool({ inputSchema: z.object({ q: z.string() }), execute: async ({ q }) => ({ q, hits: 1 }) }) } });
    server = await startTestServer({ agents: [createAiSdkAgent({ name: 'loop', stream: ({ messages, signal }) => loop.stream({ messages, abortSignal: signal }) })] });
    const socket = await TestClient.connect(server.wsUrl, { token: await server.token('loop-user') });
    const accepted = await socket.ask('find x');
    const runId = (accepted.data as { run_id: string }).run_id;
    const terminal = await socket.waitForRunEnd(runId);
    expect(terminal).toMatchObject({ type: 'agent_completed', data: { result: { text: 'Found it.' } } });
    expect(types(socket.events().filter((e) => e.run_id === runId))).toEqual([
      'user_message',
      'agent_started',
      'tool_executing',
      'tool_completed',
      // The gateway's default coalescing window: the model's two deltas travel as one event.
      'agent_message_delta',
      'agent_completed',
    ]);
    await socket.close();
  });
});

describe('AI SDK agent: stop_agent aborts the model call', () => {
  it('during a tool: the tool sees the abort, its call is paired, the run ends cancelled', async () => {
    let toolSignal: AbortSignal | undefined;
    const tools = {
      crawl: tool({
        inputSchema: z.object({}),
        execute: (_input, { abortSignal }) =>
          new Promise<string>((_resolve, reject) => {
            toolSignal = abortSignal;
            abortSignal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
          }),
      }),
    };
    const h = await harness(new MockLanguageModelV4({ doStream: [step([toolCall('c1', 'crawl', {}), finish('tool-calls')]), step([...text('never'), finish()])] }), tools);
    const { runId, threadId } = await h.ask('crawl');
    await h.socket.waitFor((f) => f.type === 'tool_executing');
    h.socket.send({ type: 'stop_agent', run_id: runId });
    const terminal = (await h.socket.waitForRunEnd(runId)) as StreamEvent<'agent_error'>;
    expect(terminal.data.code).toBe('cancelled');
    expect(types(h.runEvents(runId))).toEqual(['user_message', 'agent_started', 'tool_executing', 'tool_completed', 'agent_error']);
    expect(toolSignal?.aborted).toBe(true);
    expect(h.model.doStreamCalls).toHaveLength(1);
    expect(await h.stored(threadId)).toMatchObject({ status: 'cancelled', error: { code: 'cancelled' } });
  });

  it('during text: the model call signal is aborted and nothing follows the terminal event', async () => {
    let calls: LanguageModelV4CallOptions | undefined;
    const model = new MockLanguageModelV4({
      doStream: async (options) => {
        calls = options;
        const stream = new ReadableStream<LanguageModelV4StreamPart>({
          start(controller) {
            controller.enqueue({ type: 'stream-start', warnings: [] });
            controller.enqueue({ type: 'text-start', id: 't' });
            controller.enqueue({ type: 'text-delta', id: 't', delta: 'Once upon ' });
            // The model keeps the stream open, as a slow model does, until the call is aborted.
            options.abortSignal?.addEventListener('abort', () => controller.error(options.abortSignal?.reason), { once: true });
          },
        });
        return { stream };
      },
    });
    const h = await harness(model);
    const { runId, threadId } = await h.ask('story');
    await h.socket.waitFor((f) => f.type === 'agent_message_delta');
    h.socket.send({ type: 'stop_agent', run_id: runId });
    const terminal = (await h.socket.waitForRunEnd(runId)) as StreamEvent<'agent_error'>;
    expect(terminal.data.code).toBe('cancelled');
    expect(calls?.abortSignal?.aborted).toBe(true);
    expect(types(h.runEvents(runId))).toEqual(['user_message', 'agent_started', 'agent_message_delta', 'agent_error']);
    expect(await h.stored(threadId)).toMatchObject({ status: 'cancelled', text: 'Once upon ' });
  });
});
