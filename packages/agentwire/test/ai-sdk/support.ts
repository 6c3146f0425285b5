import { AbstractChat, readUIMessageStream, WebSocketChatTransport, type ChatState, type ChatStatus, type UIMessage, type UIMessageChunk } from 'ai';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { createDemoAgent } from '../../src/index.js';
import { attachAiSdkSocket } from '../../src/server.js';
import type { AssistantMessage, MessagePart } from '../../src/store/types.js';
import type { EngineFactory } from '../helpers/engines.js';
import { Gate, gatedAgents } from '../helpers/gated-agents.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

export interface AiSdkServer extends TestServer {
  readonly aiSdkWsUrl: string;
  readonly gates: Map<string, Gate>;
  /** A new gate the `tools` agent waits on when the run's text is `gate:<name>`. */
  gate(name: string): Gate;
}

/** The test gateway and HTTP routes with `/ai-sdk/ws` attached, and agents the tests steer. */
export async function startAiSdkServer(engine?: EngineFactory, options: { retention?: { maxEvents?: number }; allowedOrigins?: string[] } = {}): Promise<AiSdkServer> {
  const gates = new Map<string, Gate>();
  const server = await startTestServer({ ...(engine && { engine }), ...options, agents: [createDemoAgent({ delayMs: 0 }), ...gatedAgents(gates)] });
  const endpoint = attachAiSdkSocket(server.gateway);
  return {
    ...server,
    aiSdkWsUrl: `ws://127.0.0.1:${server.port}/ai-sdk/ws`,
    gates,
    gate(name) {
      const gate = new Gate();
      gates.set(name, gate);
      return gate;
    },
    async close() {
      endpoint.close();
      await server.close();
    },
  };
}

/** The `ws` package as the transport's WebSocket, with a Bearer header on the handshake (the Node way). */
export function bearerWebSocket(token: string): typeof WebSocket {
  return class BearerWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols, { headers: { authorization: `Bearer ${token}` } });
    }
  } as typeof WebSocket;
}

/** The real `WebSocketChatTransport` of `userId`, over `ws` with a Bearer header. */
export async function wsTransport(server: AiSdkServer, userId: string): Promise<WebSocketChatTransport<UIMessage>> {
  return new WebSocketChatTransport<UIMessage>({ url: server.aiSdkWsUrl, webSocket: bearerWebSocket(await server.token(userId)) as never });
}

let messageCounter = 0;
/** A user's new UI message, as `Chat` makes it. */
export function userMessage(text: string): UIMessage {
  messageCounter++;
  return { id: `user-msg-${messageCounter}-${Date.now()}`, role: 'user', parts: [{ type: 'text', text }] };
}

/** Reads a chunk stream to its end. */
export function readAll(stream: ReadableStream<UIMessageChunk>): Promise<UIMessageChunk[]> {
  return readRest(stream.getReader());
}

/** Reads what is left of a chunk stream already being read. */
export async function readRest(reader: ReadableStreamDefaultReader<UIMessageChunk>): Promise<UIMessageChunk[]> {
  const chunks: UIMessageChunk[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return chunks;
    chunks.push(value);
  }
}

/** Reads chunks until `count` arrived, leaving the stream open. */
export async function readSome(reader: ReadableStreamDefaultReader<UIMessageChunk>, count: number): Promise<UIMessageChunk[]> {
  const chunks: UIMessageChunk[] = [];
  while (chunks.length < count) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended after ${chunks.length} of ${count} chunks`);
    chunks.push(value);
  }
  return chunks;
}

/**
 * The UI message the AI SDK's own stream processing builds from `chunks` (it throws on a
 * chunk sequence it cannot apply, e.g. a delta before its start); `error` chunks are
 * collected in `errors`.
 */
export async function uiMessageOf(chunks: readonly UIMessageChunk[], errors: unknown[] = []): Promise<UIMessage> {
  const stream = new ReadableStream<UIMessageChunk>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
  let last: UIMessage | undefined;
  for await (const message of readUIMessageStream<UIMessage>({ stream, onError: (e) => errors.push(e) })) last = message;
  if (!last) throw new Error('no UI message was built');
  return last;
}

/** The parts of a UI message in agentwire's history shape (docs/protocol.md, "History"). */
export function historyParts(message: UIMessage): MessagePart[] {
  return message.parts.flatMap((part): MessagePart[] => {
    if (part.type === 'text') return [{ type: 'text', text: part.text }];
    if (part.type === 'reasoning') return [{ type: 'thinking', text: part.text }];
    if (part.type.startsWith('tool-')) {
      const tool = part as { type: string; toolCallId: string; input: unknown; output?: unknown; errorText?: string };
      const outcome = tool.errorText !== undefined ? { error: tool.errorText } : tool.output !== undefined ? { result: tool.output } : {};
      return [{ type: 'tool_call', tool_call_id: tool.toolCallId, tool_name: tool.type.slice('tool-'.length), args: tool.input, ...outcome }];
    }
    return [];
  });
}

/** Where the history routes are and how to get a token: a test server or a gateway process. */
export type HistoryServer = Pick<TestServer, 'httpUrl' | 'token'>;

/** The stored assistant message of `runId`, as `GET /threads/:id/messages` serves it. */
export async function storedAnswer(server: HistoryServer, userId: string, threadId: string, runId: string): Promise<AssistantMessage> {
  const response = await fetch(`${server.httpUrl}/threads/${threadId}/messages`, { headers: { authorization: `Bearer ${await server.token(userId)}` } });
  if (response.status !== 200) throw new Error(`GET messages: ${response.status}`);
  const body = (await response.json()) as { messages: Array<AssistantMessage | { role: 'user' }> };
  const found = body.messages.find((m): m is AssistantMessage => m.role === 'assistant' && m.run_id === runId);
  if (!found) throw new Error(`no stored answer of ${runId}`);
  return found;
}

/** A UI message equals the stored answer: same id, same parts (tool durations aside), same text. */
export function expectedParts(stored: AssistantMessage): MessagePart[] {
  return stored.parts.map((part) => {
    if (part.type !== 'tool_call') return part;
    const { duration_ms: _duration, ...rest } = part;
    return rest;
  });
}

/** A UI message equals the stored answer of its run (GET /threads/:id/messages): id, parts, and so text. */
export async function expectMatchesStored(server: HistoryServer, userId: string, message: UIMessage): Promise<AssistantMessage> {
  const ids = agentwireIds(message);
  const stored = await storedAnswer(server, userId, ids.thread_id, ids.run_id);
  expect(message.role).toBe('assistant');
  expect(message.id).toBe(stored.message_id);
  expect(historyParts(message)).toEqual(expectedParts(stored));
  return stored;
}

/** The agentwire ids `start` carries in its metadata. */
export function agentwireIds(message: UIMessage): { thread_id: string; run_id: string } {
  return (message.metadata as { agentwire: { thread_id: string; run_id: string } }).agentwire;
}

/** A `ChatState` kept in an array: `AbstractChat` without a UI framework. */
class ArrayChatState implements ChatState<UIMessage> {
  status: ChatStatus = 'ready';
  error: Error | undefined = undefined;
  messages: UIMessage[] = [];
  pushMessage = (message: UIMessage): void => void this.messages.push(message);
  popMessage = (): void => void this.messages.pop();
  replaceMessage = (index: number, message: UIMessage): void => void (this.messages[index] = message);
  snapshot = <T>(thing: T): T => structuredClone(thing);
}

/** The AI SDK's `Chat` logic (`AbstractChat`) with plain state, as `useChat` drives it. */
export class TestChat extends AbstractChat<UIMessage> {
  constructor(init: ConstructorParameters<typeof AbstractChat<UIMessage>>[0] extends infer T ? Omit<T & object, 'state'> : never) {
    super({ ...init, state: new ArrayChatState() });
  }
}
