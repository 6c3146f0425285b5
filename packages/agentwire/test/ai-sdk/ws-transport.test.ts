import { WebSocketChatTransport, type UIMessage, type UIMessageChunk } from 'ai';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import { clientThreadId } from '../../src/server/client-thread-ids.js';
import { testEngines } from '../helpers/engines.js';
import { eventually, waitUntil } from '../helpers/wait.js';
import { RawChatSocket } from './raw-socket.js';
import {
  agentwireIds,
  expectMatchesStored,
  readAll,
  readRest,
  readSome,
  startAiSdkServer,
  storedAnswer,
  uiMessageOf,
  userMessage,
  wsTransport,
  type AiSdkServer,
} from './support.js';

let server: AiSdkServer | undefined;
const cleanups: Array<() => void> = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) cleanup();
  await server?.close();
  server = undefined;
});

async function transportOf(s: AiSdkServer, userId: string): Promise<WebSocketChatTransport<UIMessage>> {
  const transport = await wsTransport(s, userId);
  cleanups.push(() => transport.close());
  return transport;
}

async function rawSocket(s: AiSdkServer, userId: string): Promise<RawChatSocket> {
  const socket = await RawChatSocket.open(s.aiSdkWsUrl, await s.token(userId));
  cleanups.push(() => socket.close());
  return socket;
}

function send(transport: WebSocketChatTransport<UIMessage>, chatId: string, text: string, agent?: string, abortSignal?: AbortSignal) {
  return transport.sendMessages({ chatId, messages: [userMessage(text)], trigger: 'submit-message', messageId: undefined, abortSignal, ...(agent && { body: { agent } }) });
}

/** The UI message of `chunks` (built by the AI SDK) equals the stored answer of the same run. */
async function expectHistoryMatch(s: AiSdkServer, userId: string, chunks: readonly UIMessageChunk[]): Promise<UIMessage> {
  const message = await uiMessageOf(chunks);
  await expectMatchesStored(s, userId, message);
  return message;
}

describe.each(testEngines().map((engine) => [engine.name, engine] as const))('WebSocketChatTransport against /ai-sdk/ws (%s engine)', (_name, engine) => {
  it('golden path: the demo agent answers, and the UI message equals the stored answer', async () => {
    server = await startAiSdkServer(engine);
    const chunks = await readAll(await send(await transportOf(server, 'alice'), 'chat-golden', 'What is 17 * 23?'));
    expect(chunks[0]).toMatchObject({ type: 'start' });
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    const message = await expectHistoryMatch(server, 'alice', chunks);
    expect(message.parts.some((p) => p.type === 'text' && p.text.includes('391'))).toBe(true);
    // The chat id names a thread of Alice's, listed in her history like any other.
    const threadId = clientThreadId('alice', 'chat-golden').threadId;
    expect(agentwireIds(message).thread_id).toBe(threadId);
    const threads = (await (await fetch(`${server.httpUrl}/threads`, { headers: { authorization: `Bearer ${await server.token('alice')}` } })).json()) as {
      threads: Array<{ thread_id: string }>;
    };
    expect(threads.threads.map((t) => t.thread_id)).toEqual([threadId]);
  });

  it('resumes a run in the middle from every lastSequence, and replays it whole, each exactly the rest', async () => {
    server = await startAiSdkServer(engine);
    const gate = server.gate('mid');
    const transport = await transportOf(server, 'alice');
    const reader = (await send(transport, 'chat-resume', 'gate:mid', 'tools')).getReader();
    await gate.reached;
    // Up to the gate: start, a reasoning part (3 chunks + end), a text part (start, delta, end), one tool call (input, output).
    const before = await readSome(reader, 10);
    expect(before.map((c) => c.type)).toEqual([
      'start',
      'reasoning-start',
      'reasoning-delta',
      'reasoning-delta',
      'reasoning-end',
      'text-start',
      'text-delta',
      'text-end',
      'tool-input-available',
      'tool-output-available',
    ]);
    const raw = await rawSocket(server, 'alice');
    const positions = [undefined, ...before.map((_, i) => i)];
    positions.forEach((lastSequence, i) => raw.resume(`r${i}`, 'chat-resume', lastSequence));
    // Every resume has caught up to the gate before the run goes on.
    await waitUntil(() => positions.every((lastSequence, i) => raw.chunks(`r${i}`).length === before.length - 1 - (lastSequence ?? -1)), 'every resume to reach the gate');
    // The real transport's own resume (a full replay) mid-run too.
    const replay = await transportOf(server, 'alice');
    const replayed = await replay.reconnectToStream({ chatId: 'chat-resume' });
    expect(replayed).not.toBeNull();
    gate.release();

    const full = [...before, ...(await readRest(reader))];
    expect(full.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    await expectHistoryMatch(server, 'alice', full);
    expect(await readAll(replayed!)).toEqual(full);
    for (const [i, lastSequence] of positions.entries()) {
      expect(await raw.last(`r${i}`)).toEqual({ type: 'end', requestId: `r${i}` });
      const got = raw.chunks(`r${i}`);
      const from = (lastSequence ?? -1) + 1;
      expect(got.map((c) => c.sequence)).toEqual(full.slice(from).map((_, k) => from + k));
      expect(got.map((c) => c.chunk)).toEqual(full.slice(from));
    }
  });
});


describe('WebSocketChatTransport against /ai-sdk/ws', () => {
  it('maps two tools (one failing), reasoning and text to the parts of the stored answer', async () => {
    server = await startAiSdkServer();
    const chunks = await readAll(await send(await transportOf(server, 'alice'), 'chat-tools', 'no gate', 'tools'));
    const message = await expectHistoryMatch(server, 'alice', chunks);
    expect(message.parts.filter((p) => p.type.startsWith('tool-'))).toMatchObject([
      { type: 'tool-calculator', toolCallId: 'call_calc', state: 'output-available', input: { expression: '17 * 23' }, output: { value: 391 } },
      { type: 'tool-lookup', toolCallId: 'call_lookup', state: 'output-error', input: { key: 'answer' }, errorText: 'no such key' },
    ]);
  });

  it('ends a failed run with an error chunk and finish "error", as stored', async () => {
    server = await startAiSdkServer();
    const chunks = await readAll(await send(await transportOf(server, 'alice'), 'chat-broken', 'hello', 'broken'));
    expect(chunks.slice(-2)).toEqual([
      { type: 'error', errorText: 'failed: The model broke.' },
      { type: 'finish', finishReason: 'error' },
    ]);
    const message = await expectHistoryMatch(server, 'alice', chunks);
    expect((await storedAnswer(server, 'alice', agentwireIds(message).thread_id, agentwireIds(message).run_id)).status).toBe('failed');
  });

  it('abort stops the run (cancelled, stored so), and the chat then has no active stream', async () => {
    server = await startAiSdkServer();
    const transport = await transportOf(server, 'alice');
    const stop = new AbortController();
    const reader = (await send(transport, 'chat-stop', 'Keep going', 'held', stop.signal)).getReader();
    const first = await readSome(reader, 6);
    const { thread_id, run_id } = agentwireIds(await uiMessageOf(first));
    stop.abort();
    const stored = await eventually('the run to be stored as cancelled', async () => {
      const answer = await storedAnswer(server!, 'alice', thread_id, run_id);
      return answer.status === 'cancelled' && answer;
    });
    expect(stored.error).toMatchObject({ code: 'cancelled' });
    expect(await transport.reconnectToStream({ chatId: 'chat-stop' })).toBeNull();
  });

  it('answers no-active for a chat without a run in flight: unknown, or finished', async () => {
    server = await startAiSdkServer();
    const transport = await transportOf(server, 'alice');
    expect(await transport.reconnectToStream({ chatId: 'never-used' })).toBeNull();
    await readAll(await send(transport, 'chat-done', 'What is 2 + 2?'));
    expect(await transport.reconnectToStream({ chatId: 'chat-done' })).toBeNull();
  });

  it('a message sent again (same UI message id) starts nothing and streams the run it started', async () => {
    server = await startAiSdkServer();
    const transport = await transportOf(server, 'alice');
    const message = userMessage('What is 8 * 8?');
    const again = () => transport.sendMessages({ chatId: 'chat-again', messages: [message], trigger: 'submit-message', messageId: undefined, abortSignal: undefined });
    const first = await readAll(await again());
    const second = await readAll(await again());
    expect(second).toEqual(first);
    const { thread_id } = agentwireIds(await expectHistoryMatch(server, 'alice', second));
    const history = (await (await fetch(`${server.httpUrl}/threads/${thread_id}/messages`, { headers: { authorization: `Bearer ${await server.token('alice')}` } })).json()) as { messages: unknown[] };
    expect(history.messages).toHaveLength(2);
  });

  it('streams two chats in parallel on one socket, each its own run', async () => {
    server = await startAiSdkServer();
    const [gateA, gateB] = [server.gate('a'), server.gate('b')];
    const transport = await transportOf(server, 'alice');
    const [streamA, streamB] = await Promise.all([send(transport, 'chat-a', 'gate:a', 'tools'), send(transport, 'chat-b', 'gate:b', 'tools')]);
    await Promise.all([gateA.reached, gateB.reached]);
    const [readA, readB] = [readAll(streamA), readAll(streamB)];
    gateB.release();
    const chunksB = await readB;
    gateA.release();
    const chunksA = await readA;
    const [a, b] = [await expectHistoryMatch(server, 'alice', chunksA), await expectHistoryMatch(server, 'alice', chunksB)];
    expect(agentwireIds(a).thread_id).not.toBe(agentwireIds(b).thread_id);
    expect(agentwireIds(a).run_id).not.toBe(agentwireIds(b).run_id);
  });

  it('keeps two users apart: the same chat id names two threads, and neither reaches the other’s run', async () => {
    server = await startAiSdkServer();
    const gate = server.gate('alice');
    const alice = await transportOf(server, 'alice');
    const bob = await transportOf(server, 'bob');
    const aliceStream = await send(alice, 'shared-id', 'gate:alice', 'tools');
    await gate.reached;
    // Bob's "shared-id" is his own (new) thread: nothing of Alice's run is in flight there.
    expect(await bob.reconnectToStream({ chatId: 'shared-id' })).toBeNull();
    // Alice's thread by its agentwire id is refused to Bob, as on /ws.
    const aliceThread = clientThreadId('alice', 'shared-id').threadId;
    expect(await bob.reconnectToStream({ chatId: aliceThread })).toBeNull();
    await expect(readAll(await send(bob, aliceThread, 'let me in'))).rejects.toThrow(/forbidden: thread_id: no such thread of yours/);
    const bobChunks = await readAll(await send(bob, 'shared-id', 'What is 1 + 1?'));
    gate.release();
    const aliceMessage = await expectHistoryMatch(server, 'alice', await readAll(aliceStream));
    const bobMessage = await expectHistoryMatch(server, 'bob', bobChunks);
    expect(agentwireIds(bobMessage).thread_id).toBe(clientThreadId('bob', 'shared-id').threadId);
    expect(agentwireIds(bobMessage).thread_id).not.toBe(agentwireIds(aliceMessage).thread_id);
  });

  it('authenticates a browser by ?ticket= and by the bearer subprotocol; refuses a socket without credentials', async () => {
    server = await startAiSdkServer();
    const s = server;
    const token = await s.token('alice');
    const ticketTransport = new WebSocketChatTransport<UIMessage>({
      url: s.aiSdkWsUrl,
      webSocket: WebSocket as never,
      params: async () => {
        const response = await fetch(`${s.httpUrl}/auth/ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
        return { ticket: ((await response.json()) as { ticket: string }).ticket };
      },
    });
    cleanups.push(() => ticketTransport.close());
    await expectHistoryMatch(s, 'alice', await readAll(await send(ticketTransport, 'chat-ticket', 'What is 3 * 3?')));

    const protocolTransport = new WebSocketChatTransport<UIMessage>({ url: s.aiSdkWsUrl, webSocket: WebSocket as never, protocols: ['agentwire.v1', `bearer.${token}`] });
    cleanups.push(() => protocolTransport.close());
    await expectHistoryMatch(s, 'alice', await readAll(await send(protocolTransport, 'chat-protocol', 'What is 4 * 4?')));

    const anonymous = new WebSocketChatTransport<UIMessage>({ url: s.aiSdkWsUrl, webSocket: WebSocket as never });
    cleanups.push(() => anonymous.close());
    await expect(send(anonymous, 'chat-anon', 'hello').then(readAll)).rejects.toThrow(/WebSocket chat network connection/);
    const bare = new WebSocket(s.aiSdkWsUrl);
    const closed = await new Promise<[number, string]>((resolve) => bare.on('close', (code, reason) => resolve([code, reason.toString()])));
    expect(closed).toEqual([1008, 'unauthorized']);
  });
});
