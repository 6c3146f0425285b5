import type { UIMessageChunk, WebSocketChatTransportResponse } from 'ai';
import WebSocket from 'ws';
import { waitUntil } from '../helpers/wait.js';

/**
 * A bare `/ai-sdk/ws` socket for what the transport never sends by itself: a `resume` from
 * a given `lastSequence`, and bad frames. Every frame received is kept, in order.
 */
export class RawChatSocket {
  readonly frames: WebSocketChatTransportResponse[] = [];
  closed: { code: number; reason: string } | undefined;

  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data) => this.frames.push(JSON.parse(String(data)) as WebSocketChatTransportResponse));
    ws.on('close', (code, reason) => (this.closed = { code, reason: reason.toString() }));
  }

  static open(url: string, token: string): Promise<RawChatSocket> {
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${token}` } });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new RawChatSocket(ws)));
      ws.once('error', reject);
    });
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  sendBinary(data: Buffer): void {
    this.ws.send(data);
  }

  resume(requestId: string, chatId: string, lastSequence?: number): void {
    this.send({ type: 'resume', requestId, id: chatId, lastSequence, headers: {}, body: {}, metadata: undefined });
  }

  of(requestId: string): WebSocketChatTransportResponse[] {
    return this.frames.filter((f) => f.requestId === requestId);
  }

  chunks(requestId: string): Array<{ sequence: number; chunk: UIMessageChunk }> {
    return this.of(requestId).flatMap((f) => (f.type === 'chunk' ? [{ sequence: f.sequence, chunk: f.chunk }] : []));
  }

  async last(requestId: string, what = `the last frame of ${requestId}`): Promise<WebSocketChatTransportResponse> {
    await waitUntil(() => this.of(requestId).some((f) => f.type !== 'chunk' && f.type !== 'start'), what);
    return this.of(requestId).at(-1)!;
  }

  async waitClosed(timeoutMs?: number): Promise<{ code: number; reason: string }> {
    await waitUntil(() => this.closed !== undefined, 'the socket to close', timeoutMs);
    return this.closed!;
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  close(): void {
    this.ws.close();
  }
}
