import { safeValidateWebSocketChatTransportRequest, type UIMessageChunk, type WebSocketChatTransportResponse } from 'ai';
import type { RawData, WebSocket } from 'ws';
import type { Gateway } from '../../gateway/gateway.js';
import { isAgentwireError } from '../../errors.js';
import { CloseCode } from '../../protocol/close-codes.js';
import { chatRunInput } from './chat-request.js';
import { activeChatRun, streamRunChunks, type ChatRun, type ChunkStreamEnd } from './run-chunks.js';

/** One request of the socket being answered: a `send` or a `resume`. */
interface OpenRequest {
  readonly following: AbortController;
  run?: ChatRun;
  /** An `abort` came before the run was known: stop it once it is. */
  stopWanted: boolean;
}

/**
 * One authenticated `GET /ai-sdk/ws` socket speaking the frame set of the AI SDK's
 * `WebSocketChatTransport` (docs/ai-sdk.md): `send` starts a run in the chat's thread and
 * streams it, `resume` streams the chat's run in flight (or answers `no-active`), `abort`
 * stops the request's run. Requests are independent: several chats stream in parallel on
 * one socket. Closing the socket stops following, never the runs.
 */
export class ChatSocket {
  private readonly requests = new Map<string, OpenRequest>();
  /** Frames are checked one after another, so an `abort` is never handled before its `send`. */
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly gateway: Gateway,
    private readonly ws: WebSocket,
    private readonly userId: string,
    /** Frames that arrived while the socket was being authenticated, answered first. */
    early: ReadonlyArray<[RawData, boolean]>,
  ) {
    const onMessage = (data: RawData, isBinary: boolean): void => {
      this.tail = this.tail.then(() => this.receive(data, isBinary)).catch((error: unknown) => this.fail(error));
    };
    ws.on('message', onMessage);
    for (const [data, isBinary] of early) onMessage(data, isBinary);
    ws.on('close', () => {
      for (const request of this.requests.values()) request.following.abort();
      this.requests.clear();
    });
  }

  private async receive(data: RawData, isBinary: boolean): Promise<void> {
    let value: unknown;
    try {
      value = isBinary ? undefined : JSON.parse(rawText(data));
    } catch {
      value = undefined;
    }
    const checked = await safeValidateWebSocketChatTransportRequest({ value });
    if (!checked.success) {
      const requestId = (value as { requestId?: unknown } | undefined)?.requestId;
      // Without a request id no answer can reach the transport: the socket is the one to refuse.
      if (typeof requestId !== 'string') this.ws.close(CloseCode.protocolError, 'not a WebSocketChatTransport request frame');
      else this.send({ type: 'error', requestId, errorText: `invalid request: ${checked.error.message}` });
      return;
    }
    const frame = checked.data;
    if (frame.type === 'abort') return this.abort(frame.requestId);
    if (this.requests.has(frame.requestId)) {
      this.send({ type: 'error', requestId: frame.requestId, errorText: `requestId: "${frame.requestId}" is already in use on this socket` });
      return;
    }
    const request: OpenRequest = { following: new AbortController(), stopWanted: false };
    this.requests.set(frame.requestId, request);
    const work = frame.type === 'send' ? this.startChat(frame.requestId, request, frame) : this.resumeChat(frame.requestId, request, frame.id, frame.lastSequence);
    work.catch((error: unknown) => {
      // As over HTTP: an unreachable store or event store is the client's "retry", anything else a bug.
      const down = isAgentwireError(error, 'AW_ERR_STORE_UNAVAILABLE') || isAgentwireError(error, 'AW_ERR_BUS_UNAVAILABLE');
      if (!down) this.gateway.options.logger.error({ err: error, user: this.userId }, 'AI SDK chat request failed');
      const errorText = down ? 'unavailable: history is unavailable right now; retry shortly' : 'internal error';
      this.finish(frame.requestId, { type: 'error', requestId: frame.requestId, errorText });
    });
  }

  private async startChat(requestId: string, request: OpenRequest, frame: Parameters<typeof chatRunInput>[1]): Promise<void> {
    const input = chatRunInput(this.userId, frame);
    if (!input.ok) return this.finish(requestId, { type: 'error', requestId, errorText: input.message });
    const outcome = await this.gateway.startRun(this.userId, input.request);
    if (!outcome.ok) return this.finish(requestId, { type: 'error', requestId, errorText: `${outcome.code}: ${outcome.message}` });
    // A message sent again (same UI message id) rejoins the run it started, from the beginning.
    await this.stream(requestId, request, { threadId: outcome.threadId, runId: outcome.runId }, -1);
  }

  private async resumeChat(requestId: string, request: OpenRequest, chatId: string, lastSequence: number | undefined): Promise<void> {
    const run = await activeChatRun(this.gateway, this.userId, chatId);
    if (!run) return this.finish(requestId, { type: 'no-active', requestId });
    await this.stream(requestId, request, run, lastSequence ?? -1);
  }

  private async stream(requestId: string, request: OpenRequest, run: ChatRun, afterSequence: number): Promise<void> {
    request.run = run;
    if (request.stopWanted) this.stopRun(run);
    if (request.following.signal.aborted) return;
    this.send({ type: 'start', requestId });
    const emit = (sequence: number, chunk: UIMessageChunk): void => this.send({ type: 'chunk', requestId, sequence, chunk });
    const end = await streamRunChunks(this.gateway, this.userId, run, afterSequence, emit, request.following.signal);
    this.finish(requestId, endFrame(requestId, end));
  }

  /** `abort`: stop the request's run (docs/ai-sdk.md, "Stop"); an unknown or finished request is ignored, as the transport sends it best-effort. */
  private abort(requestId: string): void {
    const request = this.requests.get(requestId);
    if (!request) return;
    this.requests.delete(requestId);
    request.following.abort();
    if (request.run) this.stopRun(request.run);
    else request.stopWanted = true;
  }

  private stopRun(run: ChatRun): void {
    this.gateway.stopRun(this.userId, run.runId).catch((error: unknown) => {
      this.gateway.options.logger.warn({ err: error, run: run.runId }, 'AI SDK abort: stopping the run failed');
    });
  }

  /** Sends the request's last frame, unless it was aborted meanwhile (the transport has closed its stream). */
  private finish(requestId: string, frame: WebSocketChatTransportResponse | undefined): void {
    const request = this.requests.get(requestId);
    if (!request) return;
    this.requests.delete(requestId);
    if (frame && !request.following.signal.aborted) this.send(frame);
  }

  private send(frame: WebSocketChatTransportResponse): void {
    if (this.ws.readyState !== this.ws.OPEN) return;
    // A reader this far behind would hold the process's memory: it resumes from its sequence instead.
    if (this.ws.bufferedAmount > this.gateway.options.limits.maxBufferedBytes) {
      this.ws.close(CloseCode.tryAgainLater, 'too far behind; resume');
      return;
    }
    this.ws.send(JSON.stringify(frame));
  }

  private fail(error: unknown): void {
    this.gateway.options.logger.error({ err: error, user: this.userId }, 'AI SDK chat socket failed');
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(CloseCode.internalError, 'internal error');
  }
}

function endFrame(requestId: string, end: ChunkStreamEnd): WebSocketChatTransportResponse | undefined {
  switch (end) {
    case 'ended':
      return { type: 'end', requestId };
    case 'stopped':
      return undefined;
    case 'reset':
      return { type: 'error', requestId, errorText: 'the stream lost its history (server reset); resume the chat' };
    case 'unretained':
      return { type: 'error', requestId, errorText: 'this position of the run is no longer retained; resume without lastSequence for a full replay' };
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data as ArrayBuffer).toString('utf8');
}
