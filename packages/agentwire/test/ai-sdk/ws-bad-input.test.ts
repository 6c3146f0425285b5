import { afterEach, describe, expect, it } from 'vitest';
import { RawChatSocket } from './raw-socket.js';
import { readAll, startAiSdkServer, uiMessageOf, userMessage, wsTransport, type AiSdkServer } from './support.js';

let server: AiSdkServer | undefined;
const sockets: RawChatSocket[] = [];

afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.close();
  await server?.close();
  server = undefined;
});

async function open(s: AiSdkServer, userId = 'alice'): Promise<RawChatSocket> {
  const socket = await RawChatSocket.open(s.aiSdkWsUrl, await s.token(userId));
  sockets.push(socket);
  return socket;
}

const sendFrame = (requestId: string, extra: Record<string, unknown> = {}) => ({
  type: 'send',
  requestId,
  id: 'chat-bad',
  trigger: 'submit-message',
  messageId: undefined,
  messages: [userMessage('What is 2 + 2?')],
  headers: {},
  body: {},
  metadata: undefined,
  ...extra,
});

/** The socket still answers: a resume of a chat without a run is `no-active`. */
async function expectStillServing(socket: RawChatSocket, requestId: string): Promise<void> {
  socket.resume(requestId, 'chat-nothing');
  expect(await socket.last(requestId)).toEqual({ type: 'no-active', requestId });
}

describe('/ai-sdk/ws bad input', () => {
  it('answers a bad request that has a requestId with an error for it, and the socket goes on serving', async () => {
    server = await startAiSdkServer();
    const socket = await open(server);
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['no-messages', { messages: 'nope' }, /invalid request: Invalid UI messages/],
      ['bad-trigger', { trigger: 'shout' }, /invalid request: Invalid WebSocket chat send request/],
      ['no-headers', { headers: 'x' }, /invalid request: Invalid WebSocket chat request frame/],
      ['regenerate', { trigger: 'regenerate-message' }, /trigger: only submit-message/],
      ['bad-chat-id', { id: 'bad/chat' }, /id: 1 to 128 characters/],
      ['not-user-last', { messages: [{ id: 'a1', role: 'assistant', parts: [{ type: 'text', text: 'hi' }] }] }, /last message must be the user's new message/],
      ['no-text', { messages: [{ id: 'u1', role: 'user', parts: [{ type: 'step-start' }] }] }, /needs a text part/],
      ['bad-agent', { body: { agent: 42 } }, /body.agent: must be an agent name/],
      ['unknown-agent', { body: { agent: 'nope' } }, /invalid_message: agent: unknown agent "nope"/],
    ];
    for (const [requestId, extra] of cases) socket.send(sendFrame(requestId, extra));
    socket.send({ type: 'resume', requestId: 'bad-sequence', id: 'chat-bad', lastSequence: -3, headers: {}, body: {} });
    for (const [requestId, , errorText] of cases) {
      const last = await socket.last(requestId);
      expect(last).toMatchObject({ type: 'error', requestId, errorText: expect.stringMatching(errorText) });
    }
    expect(await socket.last('bad-sequence')).toMatchObject({ type: 'error', errorText: expect.stringMatching(/resume sequence/) });
    // An abort of a request the socket does not know is ignored (the transport sends aborts best-effort).
    socket.send({ type: 'abort', requestId: 'never-sent' });
    await expectStillServing(socket, 'after-errors');
    // Nothing ran: no thread was created for Alice.
    const threads = (await (await fetch(`${server.httpUrl}/threads`, { headers: { authorization: `Bearer ${await server.token('alice')}` } })).json()) as { threads: unknown[] };
    expect(threads.threads).toEqual([]);
  });

  it('refuses a second request with the id of one in flight, without touching the first', async () => {
    server = await startAiSdkServer();
    const gate = server.gate('dup');
    const socket = await open(server);
    socket.send(sendFrame('same', { messages: [userMessage('gate:dup')], body: { agent: 'tools' } }));
    await gate.reached;
    socket.send(sendFrame('same'));
    await expect.poll(() => socket.of('same').some((f) => f.type === 'error')).toBe(true);
    expect(socket.of('same').find((f) => f.type === 'error')).toMatchObject({ errorText: expect.stringMatching(/already in use/) });
    gate.release();
    await expect.poll(() => socket.of('same').at(-1)).toEqual({ type: 'end', requestId: 'same' });
    expect((await uiMessageOf(socket.chunks('same').map((c) => c.chunk))).parts.length).toBeGreaterThan(0);
  });

  it('closes with 1002 a frame that is not a request (no requestId to answer), and only that socket', async () => {
    server = await startAiSdkServer();
    const bystander = await open(server, 'bob');
    for (const bad of ['not json', JSON.stringify({ type: 'send' }), JSON.stringify([1, 2])]) {
      const socket = await open(server);
      socket.send(bad);
      expect(await socket.waitClosed()).toEqual({ code: 1002, reason: 'not a WebSocketChatTransport request frame' });
    }
    const binary = await open(server);
    binary.sendBinary(Buffer.from(JSON.stringify(sendFrame('bin'))));
    expect((await binary.waitClosed()).code).toBe(1002);
    await expectStillServing(bystander, 'bystander');
    // And the real transport of the same user still works.
    const transport = await wsTransport(server, 'alice');
    const chunks = await readAll(await transport.sendMessages({ chatId: 'after', messages: [userMessage('What is 5 * 5?')], trigger: 'submit-message', messageId: undefined, abortSignal: undefined }));
    expect(chunks.at(-1)).toEqual({ type: 'finish', finishReason: 'stop' });
    transport.close();
  });

  it('refuses upgrades on other paths with 404, a foreign Origin with 403, an expired token with 4001 and a bad one with 1008; closes at token expiry', async () => {
    server = await startAiSdkServer(undefined, { allowedOrigins: ['https://app.example'] });
    const { default: WebSocket } = await import('ws');
    const token = await server.token('alice');
    const foreign = new WebSocket(server.aiSdkWsUrl, { headers: { authorization: `Bearer ${token}`, origin: 'https://evil.example' } });
    expect(await new Promise((resolve) => foreign.on('unexpected-response', (_req, res) => resolve(res.statusCode)))).toBe(403);
    const allowed = new WebSocket(server.aiSdkWsUrl, { headers: { authorization: `Bearer ${token}`, origin: 'https://app.example' } });
    await new Promise((resolve, reject) => allowed.on('open', resolve).on('error', reject));
    allowed.close();
    const other = new WebSocket(`ws://127.0.0.1:${server.port}/ai-sdk/nope`);
    const status = await new Promise<number | undefined>((resolve) => other.on('unexpected-response', (_req, res) => resolve(res.statusCode)).on('error', () => resolve(undefined)));
    expect(status).toBe(404);
    const expired = new WebSocket(server.aiSdkWsUrl, { headers: { authorization: `Bearer ${await server.token('alice', -10)}` } });
    expect(await new Promise<number>((resolve) => expired.on('close', (code) => resolve(code)))).toBe(4001);
    // A socket whose token expires while open is closed with 4001 then, as on /ws.
    const shortLived = await RawChatSocket.open(server.aiSdkWsUrl, await server.token('alice', 1));
    sockets.push(shortLived);
    expect(await shortLived.waitClosed(5000)).toEqual({ code: 4001, reason: 'token_expired' });
    const badToken = new WebSocket(server.aiSdkWsUrl, { headers: { authorization: 'Bearer nope' } });
    const closed = await new Promise<number>((resolve) => badToken.on('close', (code) => resolve(code)));
    expect(closed).toBe(1008);
    // /ws itself is untouched by the second upgrade listener.
    const ws = new WebSocket(`${server.wsUrl}`, 'agentwire.v1', { headers: { authorization: `Bearer ${await server.token('alice')}` } });
    const first = await new Promise<string>((resolve) => ws.once('message', (data) => resolve(String(data))));
    expect(JSON.parse(first)).toMatchObject({ type: 'connection_established' });
    ws.close();
  });
});
