import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeUIMessageStreamToResponse, type UIMessageChunk } from 'ai';
import type { Gateway } from '../../gateway/gateway.js';
import { clientThreadIdProblem } from '../client-thread-ids.js';
import { allow, HttpError, pathSegment, readJson } from '../http-io.js';
import { runRefusal } from '../run-refusal.js';
import { chatRunInput, parseChatBody } from './chat-request.js';
import { activeChatRun, streamRunChunks, type ChatRun } from './run-chunks.js';
import { AI_SDK_MAX_FRAME_BYTES } from './ws-endpoint.js';

/** A comment line now and then keeps proxies from closing a stream that waits on a slow tool. */
const KEEPALIVE_MS = 15_000;

const CHAT_PATH = /^\/ai-sdk\/chat\/([^/]{1,400})\/(stream|stop)$/;

/**
 * The routes the AI SDK's `DefaultChatTransport` calls (docs/ai-sdk.md, "HTTP"), answering
 * UI message streams over SSE in the AI SDK's own format (its `pipeUIMessageStreamToResponse`):
 * - `POST /ai-sdk/chat`: the chat's messages; starts a run with the last one and streams it;
 * - `GET /ai-sdk/chat/:id/stream`: the chat's run in flight from its start (`resume: true`), 204 when none;
 * - `POST /ai-sdk/chat/:id/stop`: stops the chat's run in flight, 204 either way.
 * Closing a stream never stops its run. False when the path is none of these.
 */
export async function serveAiSdkRoutes(gateway: Gateway, caller: () => Promise<string>, req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
  const method = req.method ?? 'GET';
  if (url.pathname === '/ai-sdk/chat') {
    allow(method, 'POST');
    const userId = await caller();
    const parsed = await parseChatBody(await readJson(req, AI_SDK_MAX_FRAME_BYTES));
    if (!parsed.ok) throw new HttpError(400, 'invalid_message', parsed.message);
    const input = chatRunInput(userId, parsed.send);
    if (!input.ok) throw new HttpError(400, 'invalid_message', input.message);
    const outcome = await gateway.startRun(userId, input.request);
    if (!outcome.ok) throw runRefusal(outcome.code, outcome.message, 'id');
    await streamChat(gateway, userId, { threadId: outcome.threadId, runId: outcome.runId }, res);
    return true;
  }
  const match = CHAT_PATH.exec(url.pathname);
  if (!match) return false;
  const chatId = pathSegment(match[1]!, 'chat id');
  const badId = clientThreadIdProblem('chat id', chatId);
  if (badId) throw new HttpError(400, 'invalid_request', badId);
  allow(method, match[2] === 'stream' ? 'GET' : 'POST');
  const userId = await caller();
  const run = await activeChatRun(gateway, userId, chatId);
  if (match[2] === 'stop') {
    if (run) await gateway.stopRun(userId, run.runId);
    res.writeHead(204).end();
    return true;
  }
  if (!run) {
    res.writeHead(204).end();
    return true;
  }
  await streamChat(gateway, userId, run, res);
  return true;
}

/** The run's whole UI message stream, then its end; a closed response stops following only. */
async function streamChat(gateway: Gateway, userId: string, run: ChatRun, res: ServerResponse): Promise<void> {
  const following = new AbortController();
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      const emit = (_sequence: number, chunk: UIMessageChunk): void => controller.enqueue(chunk);
      streamRunChunks(gateway, userId, run, -1, emit, following.signal).then(
        (end) => {
          if (end === 'reset' || end === 'unretained') controller.enqueue({ type: 'error', errorText: `the run's stream ended early (${end}); resume the chat` });
          if (end !== 'stopped') controller.close();
        },
        (error: unknown) => controller.error(error),
      );
    },
    cancel() {
      following.abort();
    },
  });
  await pipeUIMessageStreamToResponse({ response: res, stream, keepAliveMs: KEEPALIVE_MS });
}
