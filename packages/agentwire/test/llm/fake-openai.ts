import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

/**
 * A local stand-in for an OpenAI-compatible chat completions endpoint, speaking the real
 * wire format (SSE `data:` lines of `chat.completion.chunk` objects, `data: [DONE]`, JSON
 * error bodies) so the LLM agent is exercised through the real `openai` client. Each
 * test scripts the replies, one per request, in order.
 */

export type Delta = {
  content?: string;
  reasoning_content?: string;
  tool_calls?: Array<{ index: number; id?: string; type?: 'function'; function: { name?: string; arguments?: string } }>;
};

/** OpenAI's token counts, sent on a last chunk without choices when the request asked (`stream_options.include_usage`). */
export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
}

export interface ChunkSpec {
  delta: Delta;
  finish_reason?: 'stop' | 'tool_calls' | 'length' | null;
}

export type Reply =
  /** 200 and the chunks as SSE; `then` says how the stream ends. */
  | { kind: 'stream'; chunks: ChunkSpec[]; then?: 'done' | 'destroy' | 'stall' | 'error'; usage?: Usage }
  /** An HTTP error with OpenAI's error body. */
  | { kind: 'status'; status: number; message: string }
  /** Accepts the request and never answers. */
  | { kind: 'hang' };

export interface RecordedRequest {
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: { model: string; stream?: boolean; stream_options?: { include_usage?: boolean }; messages: Array<Record<string, unknown>>; tools?: Array<Record<string, unknown>> };
  /** Resolves when the client closed the connection before the reply was complete. */
  readonly abandoned: Promise<void>;
  readonly wasAbandoned: () => boolean;
}

export const text = (content: string): ChunkSpec => ({ delta: { content } });
export const reasoning = (piece: string): ChunkSpec => ({ delta: { reasoning_content: piece } });
export const finish = (reason: 'stop' | 'tool_calls' = 'stop'): ChunkSpec => ({ delta: {}, finish_reason: reason });
export const callStart = (index: number, id: string, name: string): ChunkSpec => ({
  delta: { tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] },
});
export const callArgs = (index: number, piece: string): ChunkSpec => ({ delta: { tool_calls: [{ index, function: { arguments: piece } }] } });

/** A whole text answer, streamed a few characters per chunk. */
export function answer(content: string, size = 4): Reply {
  const chunks: ChunkSpec[] = [];
  for (let i = 0; i < content.length; i += size) chunks.push(text(content.slice(i, i + size)));
  return { kind: 'stream', chunks: [...chunks, finish('stop')] };
}

export class FakeOpenAi {
  readonly requests: RecordedRequest[] = [];
  private readonly script: Reply[] = [];
  private readonly waiters: Array<() => void> = [];
  private readonly open = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly baseURL: string,
  ) {}

  static async start(): Promise<FakeOpenAi> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const fake = new FakeOpenAi(server, `http://127.0.0.1:${port}/v1`);
    server.on('request', (req, res) => void fake.handle(req, res));
    return fake;
  }

  /** Queues replies for the next requests, in order. */
  reply(...replies: Reply[]): this {
    this.script.push(...replies);
    return this;
  }

  /** Waits (bounded) until `count` requests have arrived. */
  async received(count: number, timeoutMs = 5000): Promise<RecordedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.requests.length < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`fake endpoint: expected ${count} requests, got ${this.requests.length}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.requests;
  }

  async close(): Promise<void> {
    for (const res of this.open) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let abandoned = false;
    let markAbandoned!: () => void;
    const abandonedPromise = new Promise<void>((resolve) => (markAbandoned = resolve));
    res.on('close', () => {
      this.open.delete(res);
      if (!res.writableFinished) {
        abandoned = true;
        markAbandoned();
      }
    });
    this.open.add(res);
    this.requests.push({
      path: req.url ?? '',
      headers: req.headers,
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as RecordedRequest['body'],
      abandoned: abandonedPromise,
      wasAbandoned: () => abandoned,
    });
    const recorded = this.requests.at(-1)!;
    for (const wake of this.waiters.splice(0)) wake();

    const reply = this.script.shift() ?? { kind: 'status', status: 500, message: 'fake endpoint: no reply scripted for this request' };
    if (reply.kind === 'hang') return;
    if (reply.kind === 'status') {
      const body = JSON.stringify({ error: { message: reply.message, type: 'fake_error', code: null } });
      res.writeHead(reply.status, { 'content-type': 'application/json' }).end(body);
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    for (const [i, spec] of reply.chunks.entries()) {
      const chunk = {
        id: 'chatcmpl-fake',
        object: 'chat.completion.chunk',
        created: 1_700_000_000,
        model: 'fake-model',
        choices: [{ index: 0, delta: i === 0 ? { role: 'assistant', ...spec.delta } : spec.delta, finish_reason: spec.finish_reason ?? null }],
      };
      res.write(`data: ${JSON.stringify(chunk)}\n\n`);
      // Let each chunk leave as its own write, as a real server streams them.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (reply.usage && recorded.body.stream_options?.include_usage) {
      res.write(`data: ${JSON.stringify({ id: 'chatcmpl-fake', object: 'chat.completion.chunk', created: 1_700_000_000, model: 'fake-model', choices: [], usage: reply.usage })}\n\n`);
    }
    const then = reply.then ?? 'done';
    if (then === 'done') res.end('data: [DONE]\n\n');
    else if (then === 'destroy') res.socket?.destroy();
    // How OpenAI-compatible servers give up mid-stream: an `error` object as a data line.
    else if (then === 'error') res.end(`data: ${JSON.stringify({ error: { message: 'the model crashed', type: 'server_error' } })}\n\n`);
  }
}
