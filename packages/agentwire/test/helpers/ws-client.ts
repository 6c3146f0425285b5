import WebSocket from 'ws';
import type { Reply, ServerFrame, StreamEvent } from '../../src/protocol/types.js';
import { SUBPROTOCOL } from '../../src/protocol/types.js';

export interface ConnectOptions {
  token?: string;
  ticket?: string;
  /** Subprotocols to offer (default: agentwire.v1). */
  protocols?: string[];
  query?: Record<string, string | number>;
  headers?: Record<string, string>;
}

type Waiter = { test: (frame: ServerFrame) => boolean; resolve: (frame: ServerFrame) => void; reject: (e: Error) => void; timer: NodeJS.Timeout };

/**
 * A raw protocol client over `ws` that records every frame, for tests that check the
 * wire to the letter. Waits are bounded and fail with what was received so far.
 */
export class TestClient {
  readonly frames: ServerFrame[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private readonly waiters = new Set<Waiter>();

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      const frame = JSON.parse(isBinary ? '{}' : data.toString()) as ServerFrame;
      this.frames.push(frame);
      for (const waiter of this.waiters) {
        if (waiter.test(frame)) {
          this.waiters.delete(waiter);
          clearTimeout(waiter.timer);
          waiter.resolve(frame);
        }
      }
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  static open(wsUrl: string, options: ConnectOptions = {}): TestClient {
    const url = new URL(wsUrl);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, String(v));
    if (options.ticket !== undefined) url.searchParams.set('ticket', options.ticket);
    const headers: Record<string, string> = { ...options.headers };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    const socket = new WebSocket(url, options.protocols ?? [SUBPROTOCOL], { headers });
    socket.on('error', () => {});
    return new TestClient(socket);
  }

  /** Opens and waits for `connection_established`. */
  static async connect(wsUrl: string, options: ConnectOptions = {}): Promise<TestClient> {
    const client = TestClient.open(wsUrl, options);
    await client.waitFor((f) => f.type === 'connection_established');
    return client;
  }

  get established(): Reply<'connection_established'>['data'] {
    const frame = this.frames.find((f) => f.type === 'connection_established') as Reply<'connection_established'> | undefined;
    if (!frame) throw new Error('no connection_established yet');
    return frame.data;
  }

  /** User-stream events received, in arrival order. */
  events(): StreamEvent[] {
    return this.frames.filter((f): f is StreamEvent => 'seq' in f);
  }

  replies<T extends Reply['type']>(type: T): Array<Reply<T>> {
    return this.frames.filter((f) => f.type === type) as Array<Reply<T>>;
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  waitFor(test: (frame: ServerFrame) => boolean, timeoutMs = 5000): Promise<ServerFrame> {
    const seen = this.frames.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        test,
        resolve,
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new Error(`timed out after ${timeoutMs} ms; received: ${JSON.stringify(this.frames.map((f) => f.type))}`));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
    });
  }

  /** Waits for the terminal event of `runId`. */
  waitForRunEnd(runId: string, timeoutMs = 10_000): Promise<ServerFrame> {
    return this.waitFor((f) => 'seq' in f && f.run_id === runId && (f.type === 'agent_completed' || f.type === 'agent_error'), timeoutMs);
  }

  /** Sends a user_message and resolves with its `message_accepted` (or `error`). */
  async ask(text: string, extra: Record<string, unknown> = {}, clientMsgId = `c-${Math.random().toString(36).slice(2)}`): Promise<ServerFrame> {
    this.send({ type: 'user_message', client_msg_id: clientMsgId, text, ...extra });
    return this.waitFor(
      (f) => (f.type === 'message_accepted' || f.type === 'error') && (f.data as { client_msg_id?: string }).client_msg_id === clientMsgId,
    );
  }

  close(): Promise<{ code: number; reason: string }> {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) this.socket.close(1000);
    return this.closed;
  }
}
