import { HttpAgent } from '@ag-ui/client';
import { EventType, type BaseEvent } from '@ag-ui/core';
import { EventSchemas } from '@ag-ui/core/schemas';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoAgent } from '../../src/index.js';
import type { StreamEvent } from '../../src/protocol/types.js';
import { clientThreadId } from '../../src/server/client-thread-ids.js';
import { testEngines, type EngineFactory } from '../helpers/engines.js';
import { Gate, gatedAgents } from '../helpers/gated-agents.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';
import { TestClient } from '../helpers/ws-client.js';

let server: TestServer | undefined;
const clients: TestClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await server?.close();
  server = undefined;
});

async function start(gates: Map<string, Gate>, engine?: EngineFactory): Promise<TestServer> {
  return startTestServer({ agents: [createDemoAgent({ delayMs: 0 }), ...gatedAgents(gates)], ...(engine && { engine }) });
}

/** One SSE block: its `id:` (the agentwire seq), if any, and its AG-UI event. */
interface Block {
  readonly id: number | undefined;
  readonly event: BaseEvent;
}

function parseBlocks(text: string): Block[] {
  return text
    .split('\n\n')
    .filter((block) => block.includes('data: '))
    .map((block) => {
      const lines = block.split('\n');
      const id = lines.find((l) => l.startsWith('id: '));
      const data = lines.find((l) => l.startsWith('data: '))!;
      return { id: id === undefined ? undefined : Number(id.slice(4)), event: JSON.parse(data.slice(6)) as BaseEvent };
    });
}

const runInput = (threadId: string, runId: string, text: string) => ({
  threadId,
  runId,
  messages: [{ id: `m-${runId}`, role: 'user', content: text }],
  tools: [],
  context: [],
  state: {},
  forwardedProps: { agent: 'tools' },
});

async function rejoinGet(s: TestServer, token: string, threadId: string, runId: string, lastEventId?: number): Promise<Response> {
  return fetch(`${s.httpUrl}/agui?threadId=${threadId}&runId=${runId}`, {
    headers: { authorization: `Bearer ${token}`, ...(lastEventId !== undefined && { 'last-event-id': String(lastEventId) }) },
  });
}

/** Open HTTP connections to the server (the /ws client's included). */
function connections(s: TestServer): Promise<number> {
  return new Promise((resolve, reject) => s.gateway.server.getConnections((error, count) => (error ? reject(error) : resolve(count))));
}

describe.each(testEngines().map((engine) => [engine.name, engine] as const))('resumable POST /agui (%s engine)', (_name, engine) => {
  it('a dropped stream leaves the run running; @ag-ui/client rejoins with Last-Event-ID and gets exactly the rest', async () => {
    const gates = new Map([['ag', new Gate()]]);
    server = await start(gates, engine);
    const token = await server.token('alice');
    const ws = await TestClient.connect(server.wsUrl, { token });
    clients.push(ws);
    const dropped = new AbortController();
    const response = await fetch(`${server.httpUrl}/agui`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(runInput('ag-thread', 'ag-run', 'gate:ag')),
      signal: dropped.signal,
    });
    expect(response.status).toBe(200);
    await gates.get('ag')!.reached;
    // Read up to the first tool result: the events before the gate.
    const reader = response.body!.getReader();
    let text = '';
    while (!parseBlocks(text).some((b) => b.event.type === EventType.TOOL_CALL_RESULT)) text += new TextDecoder().decode((await reader.read()).value);
    const before = parseBlocks(text);
    const lastId = before.at(-1)!.id!;
    expect(lastId).toBeGreaterThan(0);
    // Every agentwire event's batch ends with its seq as the SSE id, in order.
    const ids = before.flatMap((b) => (b.id === undefined ? [] : [b.id]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    const base = await connections(server);
    dropped.abort();
    await reader.cancel().catch(() => undefined);
    await waitUntil(async () => (await connections(server!)) === base - 1, 'the server to see the stream closed');

    const agent = new HttpAgent({ url: `${server.httpUrl}/agui`, headers: { authorization: `Bearer ${token}`, 'last-event-id': String(lastId) }, threadId: 'ag-thread' });
    agent.addMessage({ id: 'm-ag-run', role: 'user', content: 'gate:ag' });
    const rest: BaseEvent[] = [];
    const rejoined = agent.runAgent({ runId: 'ag-run', forwardedProps: { agent: 'tools' } }, { onEvent: ({ event }) => void rest.push(event) });
    gates.get('ag')!.release();
    await rejoined;
    for (const event of rest) expect(() => EventSchemas.parse(event)).not.toThrow();
    // The prologue (RUN_STARTED again: AG-UI clients require it first), then exactly what came after lastId.
    expect(rest[0]).toMatchObject({ type: EventType.RUN_STARTED, threadId: 'ag-thread', runId: 'ag-run' });
    const full = parseBlocks(await (await rejoinGet(server, token, 'ag-thread', 'ag-run')).text()).map((b) => b.event);
    expect([...before.map((b) => b.event), ...rest.slice(1)]).toEqual(full);
    expect(full.at(-1)).toMatchObject({ type: EventType.RUN_FINISHED, outcome: { type: 'success' } });
    const end = (await ws.waitFor((f) => f.type === 'agent_completed')) as StreamEvent<'agent_completed'>;
    expect(end.data.result.text).toBe('Let me check. 17 * 23 = 391.');
    expect(agent.messages.some((m) => m.role === 'assistant' && m.content === '17 * 23 = 391.')).toBe(true);

    // The run shows in the user's threads and history like any other.
    const threadId = clientThreadId('alice', 'ag-thread').threadId;
    const threads = (await (await fetch(`${server.httpUrl}/threads`, { headers: { authorization: `Bearer ${token}` } })).json()) as { threads: Array<{ thread_id: string }> };
    expect(threads.threads.map((t) => t.thread_id)).toEqual([threadId]);
    const history = (await (await fetch(`${server.httpUrl}/threads/${threadId}/messages`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
      messages: Array<{ role: string; status?: string; text: string }>;
    };
    expect(history.messages.map((m) => [m.role, m.status])).toEqual([
      ['user', undefined],
      ['assistant', 'completed'],
    ]);
    expect(history.messages[1]!.text).toBe('Let me check. 17 * 23 = 391.');
  });
});

describe('GET /agui (rejoin a run)', () => {
  it('from every Last-Event-ID, sends the prologue and then exactly the rest of the run', async () => {
    server = await start(new Map());
    const token = await server.token('alice');
    const post = await fetch(`${server.httpUrl}/agui`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(runInput('every', 'every-run', 'no gate')),
    });
    const blocks = parseBlocks(await post.text());
    const full = parseBlocks(await (await rejoinGet(server, token, 'every', 'every-run')).text());
    expect(full).toEqual(blocks);
    const ids = blocks.flatMap((b) => (b.id === undefined ? [] : [b.id]));
    for (const id of ids) {
      const got = parseBlocks(await (await rejoinGet(server, token, 'every', 'every-run', id)).text());
      const after = blocks.slice(blocks.findIndex((b) => b.id === id) + 1);
      if (after.length === 0) {
        expect(got).toEqual([]);
        continue;
      }
      const prologue = got.slice(0, got.length - after.length);
      expect(got.slice(prologue.length)).toEqual(after);
      expect(prologue[0]?.event.type).toBe(EventType.RUN_STARTED);
      expect(prologue.every((b) => b.id === undefined)).toBe(true);
      expect(prologue.slice(1).every((b) => b.event.type === EventType.TEXT_MESSAGE_START || b.event.type === EventType.REASONING_START)).toBe(true);
    }
  });

  it('refuses bad input with a clear error, and another user’s run as unknown', async () => {
    server = await start(new Map());
    const alice = await server.token('alice');
    const bob = await server.token('bob');
    await (
      await fetch(`${server.httpUrl}/agui`, {
        method: 'POST',
        headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json' },
        body: JSON.stringify(runInput('mine', 'my-run', 'no gate')),
      })
    ).text();
    const expectError = async (response: Response, status: number, code: string, message: RegExp) => {
      expect(response.status).toBe(status);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
    };
    await expectError(await fetch(`${server.httpUrl}/agui?threadId=mine&runId=my-run`), 401, 'unauthorized', /Bearer/);
    await expectError(await fetch(`${server.httpUrl}/agui?runId=my-run`, { headers: { authorization: `Bearer ${alice}` } }), 400, 'invalid_request', /^threadId/);
    await expectError(await fetch(`${server.httpUrl}/agui?threadId=mine`, { headers: { authorization: `Bearer ${alice}` } }), 400, 'invalid_request', /^runId/);
    await expectError(await rejoinGet(server, alice, 'mine', 'other-run'), 404, 'not_found', /no such run/);
    await expectError(await rejoinGet(server, bob, 'mine', 'my-run'), 404, 'not_found', /no such run/);
    await expectError(await rejoinGet(server, bob, clientThreadId('alice', 'mine').threadId, 'my-run'), 404, 'not_found', /no such run/);
    const badId = await fetch(`${server.httpUrl}/agui?threadId=mine&runId=my-run`, { headers: { authorization: `Bearer ${alice}`, 'last-event-id': 'abc' } });
    await expectError(badId, 400, 'invalid_request', /^Last-Event-ID/);
    const badPost = await fetch(`${server.httpUrl}/agui`, {
      method: 'POST',
      headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json', 'last-event-id': '-1' },
      body: JSON.stringify(runInput('mine', 'my-run', 'no gate')),
    });
    await expectError(badPost, 400, 'invalid_request', /^Last-Event-ID/);
    // Still serving Alice.
    expect((await rejoinGet(server, alice, 'mine', 'my-run')).status).toBe(200);
  });
});
