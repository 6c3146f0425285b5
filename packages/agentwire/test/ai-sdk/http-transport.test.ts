import { DefaultChatTransport, type UIMessage } from 'ai';
import { afterEach, describe, expect, it } from 'vitest';
import { clientThreadId } from '../../src/server/client-thread-ids.js';
import { testEngines } from '../helpers/engines.js';
import { eventually } from '../helpers/wait.js';
import { agentwireIds, expectedParts, expectMatchesStored, historyParts, startAiSdkServer, storedAnswer, TestChat, type AiSdkServer } from './support.js';

let server: AiSdkServer | undefined;
const chats: TestChat[] = [];

afterEach(async () => {
  for (const chat of chats.splice(0)) await chat.dispose();
  await server?.close();
  server = undefined;
});

/** The AI SDK's `Chat` over `DefaultChatTransport`, pointed at agentwire: only the transport is agentwire's. */
async function chatOf(s: AiSdkServer, userId: string, id: string, agent?: string, messages: UIMessage[] = []): Promise<TestChat> {
  const token = await s.token(userId);
  const transport = new DefaultChatTransport<UIMessage>({
    api: `${s.httpUrl}/ai-sdk/chat`,
    headers: { authorization: `Bearer ${token}` },
    ...(agent && { body: { agent } }),
    // DefaultChatTransport's resume GET is `${api}/${id}/stream`, agentwire's route.
  });
  const chat = new TestChat({ id, transport });
  chat.messages = messages;
  chats.push(chat);
  return chat;
}

/** The chat's last message (the answer) equals the stored answer of its run. */
async function expectAnswerStored(s: AiSdkServer, userId: string, chat: TestChat): Promise<UIMessage> {
  const answer = chat.lastMessage!;
  await expectMatchesStored(s, userId, answer);
  return answer;
}

describe.each(testEngines().map((engine) => [engine.name, engine] as const))('DefaultChatTransport and Chat against /ai-sdk/chat (%s engine)', (_name, engine) => {
  it('golden path: useChat logic sends, the answer streams over SSE and equals the stored answer', async () => {
    server = await startAiSdkServer(engine);
    const chat = await chatOf(server, 'alice', 'http-golden');
    await chat.sendMessage({ text: 'What is 17 * 23?' });
    expect(chat.status).toBe('ready');
    expect(chat.error).toBeUndefined();
    const answer = await expectAnswerStored(server, 'alice', chat);
    expect(answer.parts.some((p) => p.type === 'text' && p.text.includes('391'))).toBe(true);
    expect(agentwireIds(answer).thread_id).toBe(clientThreadId('alice', 'http-golden').threadId);
  });

  it('a dropped response leaves the run running; a reloaded chat resumes it whole (resume: true) and ends as stored', async () => {
    server = await startAiSdkServer(engine);
    const gate = server.gate('drop');
    const chat = await chatOf(server, 'alice', 'http-drop', 'tools');
    const sending = chat.sendMessage({ text: 'gate:drop' });
    await gate.reached;
    await eventually('the first tool result on the page', () => chat.lastMessage?.parts.some((p) => p.type === 'tool-calculator' && p.state === 'output-available'));
    // The page goes away mid-answer: the fetch is aborted, the response dropped.
    await chat.stop();
    await sending;
    const userMessage = chat.messages[0]!;
    // Reloaded: the page has the user's message, and `resume: true` asks for the stream in flight.
    const reloaded = await chatOf(server, 'alice', 'http-drop', 'tools', [userMessage]);
    const resuming = reloaded.resumeStream();
    await eventually('the replayed tool result', () => reloaded.lastMessage?.parts.some((p) => p.type === 'tool-calculator' && p.state === 'output-available'));
    gate.release();
    await resuming;
    const answer = await expectAnswerStored(server, 'alice', reloaded);
    expect((await storedAnswer(server, 'alice', agentwireIds(answer).thread_id, agentwireIds(answer).run_id)).status).toBe('completed');
    expect(reloaded.messages.map((m) => m.role)).toEqual(['user', 'assistant']);
  });
});

describe('DefaultChatTransport and Chat against /ai-sdk/chat', () => {
  it('streams two tools and an error as the stored answers have them', async () => {
    server = await startAiSdkServer();
    const tools = await chatOf(server, 'alice', 'http-tools', 'tools');
    await tools.sendMessage({ text: 'no gate' });
    const answer = await expectAnswerStored(server, 'alice', tools);
    expect(answer.parts.filter((p) => p.type.startsWith('tool-')).map((p) => [p.type, (p as { state: string }).state])).toEqual([
      ['tool-calculator', 'output-available'],
      ['tool-lookup', 'output-error'],
    ]);
    const errors: Error[] = [];
    const broken = new TestChat({
      id: 'http-broken',
      transport: new DefaultChatTransport<UIMessage>({ api: `${server.httpUrl}/ai-sdk/chat`, headers: { authorization: `Bearer ${await server.token('alice')}` }, body: { agent: 'broken' } }),
      onError: (error) => errors.push(error),
    });
    chats.push(broken);
    await broken.sendMessage({ text: 'hello' });
    expect(broken.status).toBe('error');
    expect(errors.map((e) => e.message)).toEqual(['failed: The model broke.']);
    await expectAnswerStored(server, 'alice', broken);
  });

  it('stops a run only when asked: POST /ai-sdk/chat/:id/stop, stored as cancelled; the stream then answers 204', async () => {
    server = await startAiSdkServer();
    const chat = await chatOf(server, 'alice', 'http-stop', 'held');
    const sending = chat.sendMessage({ text: 'Keep going' });
    await eventually('the answer text on the page', () => chat.lastMessage?.parts.some((p) => p.type === 'text' && p.text === 'Keep going'));
    const auth = { authorization: `Bearer ${await server.token('alice')}` };
    const bobAuth = { authorization: `Bearer ${await server.token('bob')}` };
    // Bob's stop of the same chat id reaches his own (empty) chat, not Alice's run.
    expect((await fetch(`${server.httpUrl}/ai-sdk/chat/http-stop/stop`, { method: 'POST', headers: bobAuth })).status).toBe(204);
    expect((await fetch(`${server.httpUrl}/ai-sdk/chat/http-stop/stream`, { headers: bobAuth })).status).toBe(204);
    expect(chat.status).toBe('streaming');
    expect((await fetch(`${server.httpUrl}/ai-sdk/chat/http-stop/stop`, { method: 'POST', headers: auth })).status).toBe(204);
    await sending;
    const answer = chat.lastMessage!;
    const stored = await storedAnswer(server, 'alice', agentwireIds(answer).thread_id, agentwireIds(answer).run_id);
    expect(stored.status).toBe('cancelled');
    expect(historyParts(answer)).toEqual(expectedParts(stored));
    expect((await fetch(`${server.httpUrl}/ai-sdk/chat/http-stop/stream`, { headers: auth })).status).toBe(204);
  });

  it('answers the SSE format and headers of the AI SDK, and 204 for a chat without a run in flight', async () => {
    server = await startAiSdkServer();
    const auth = { authorization: `Bearer ${await server.token('alice')}`, 'content-type': 'application/json' };
    const body = { id: 'http-raw', trigger: 'submit-message', messages: [{ id: 'u-raw', role: 'user', parts: [{ type: 'text', text: 'What is 6 * 7?' }] }] };
    const response = await fetch(`${server.httpUrl}/ai-sdk/chat`, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.headers.get('x-vercel-ai-ui-message-stream')).toBe('v1');
    const text = await response.text();
    const data = text.split('\n\n').filter((block) => block.startsWith('data: '));
    expect(data[0]!.startsWith('data: {"type":"start"')).toBe(true);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect((await fetch(`${server.httpUrl}/ai-sdk/chat/http-raw/stream`, { headers: auth })).status).toBe(204);
    expect((await fetch(`${server.httpUrl}/ai-sdk/chat/never-used/stream`, { headers: auth })).status).toBe(204);
  });

  it('refuses bad input with a clear error and starts nothing', async () => {
    server = await startAiSdkServer();
    const token = await server.token('alice');
    const post = (body: string, headers: Record<string, string> = { authorization: `Bearer ${token}` }) =>
      fetch(`${server!.httpUrl}/ai-sdk/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    const expectError = async (response: Response, status: number, code: string, message?: RegExp) => {
      expect(response.status).toBe(status);
      const error = ((await response.json()) as { error: { code: string; message: string } }).error;
      expect(error.code).toBe(code);
      if (message) expect(error.message).toMatch(message);
    };
    const good = { id: 'http-bad', trigger: 'submit-message', messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'hi' }] }] };
    await expectError(await post(JSON.stringify(good), {}), 401, 'unauthorized');
    await expectError(await post('{"id":', undefined), 400, 'invalid_json');
    await expectError(await post(JSON.stringify({ ...good, id: 7 })), 400, 'invalid_message', /^id:/);
    await expectError(await post(JSON.stringify({ ...good, id: 'bad/id' })), 400, 'invalid_message', /^id: 1 to 128/);
    await expectError(await post(JSON.stringify({ ...good, trigger: undefined })), 400, 'invalid_message', /^trigger/);
    await expectError(await post(JSON.stringify({ ...good, trigger: 'regenerate-message' })), 400, 'invalid_message', /only submit-message/);
    await expectError(await post(JSON.stringify({ ...good, messages: [{ role: 'user' }] })), 400, 'invalid_message', /^messages:/);
    await expectError(await post(JSON.stringify({ ...good, messages: [] })), 400, 'invalid_message', /^messages:/);
    await expectError(await post(JSON.stringify({ ...good, agent: 'nope' })), 400, 'invalid_message', /unknown agent "nope"/);
    await expectError(await post(JSON.stringify({ ...good, messages: [{ id: 'u2', role: 'user', parts: [{ type: 'text', text: 'x'.repeat(1100 * 1024) }] }] })), 413, 'too_large');
    await expectError(await fetch(`${server.httpUrl}/ai-sdk/chat`, { headers: { authorization: `Bearer ${token}` } }), 405, 'method_not_allowed');
    await expectError(await fetch(`${server.httpUrl}/ai-sdk/chat/x/stream`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }), 405, 'method_not_allowed');
    await expectError(await fetch(`${server.httpUrl}/ai-sdk/chat/x/stop`, { headers: { authorization: `Bearer ${token}` } }), 405, 'method_not_allowed');
    await expectError(await fetch(`${server.httpUrl}/ai-sdk/chat/x/stream`), 401, 'unauthorized');
    await expectError(await fetch(`${server.httpUrl}/ai-sdk/chat/${encodeURIComponent('a b')}/stream`, { headers: { authorization: `Bearer ${token}` } }), 400, 'invalid_request', /chat id/);
    const threads = (await (await fetch(`${server.httpUrl}/threads`, { headers: { authorization: `Bearer ${token}` } })).json()) as { threads: unknown[] };
    expect(threads.threads).toEqual([]);
  });
});
