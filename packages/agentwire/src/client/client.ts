import { createBackoff, type Backoff } from './backoff.js';
import { ServerRejectionError } from './client-errors.js';
import { ClientTools, type ClientToolAnswer, type ClientToolHandler } from './client-tools.js';
import type { Accepted, ClientEventMap, ClientOptions, ConnectionState, SendOptions, StateChange } from './client-types.js';
import { CredentialSource } from './credentials.js';
import { newClientMsgId } from './ids.js';
import { Liveness } from './liveness.js';
import { OutboundQueue, type PendingFrame } from './outbound-queue.js';
import { RunStream } from './run-stream.js';
import { defaultSocketFactory, SOCKET_OPEN, type SocketFactory, type SocketLike } from './socket-factory.js';
import { StreamCursor, type StreamPosition } from './stream-cursor.js';
import { TokenRefresher } from './token-refresh.js';
import { TypedEmitter } from './typed-emitter.js';
import { AgentwireError } from '../errors.js';
import { CloseCode, closePolicy } from '../protocol/close-codes.js';
import type { ClientFrame, ClientToolSpec, Reply, ServerFrame, StreamEvent, UserMessageFrame, WireErrorCode } from '../protocol/types.js';
import { isTerminalType } from '../protocol/terminal.js';

/** Client-side close code for a socket we abandon because it broke the seq contract. */
const CLOSE_SEQ_GAP = 4000;
/** Wire errors that say "later", not "no": the frame stays pending and is written again. */
const RETRYABLE: ReadonlySet<WireErrorCode> = new Set(['unavailable', 'rate_limited']);
const RETRY_PENDING_MS = 1000;

interface Stats {
  /** Connection attempts made (sockets opened). */
  attempts: number;
  /** `connection_established` frames received. */
  connections: number;
  /** Events dropped because their seq was already delivered. */
  duplicatesDropped: number;
  /** Sockets abandoned because an event skipped a seq. */
  gapsDetected: number;
  /** Frames written again on a later connection. */
  resends: number;
}

/**
 * The agentwire browser/Node client: one logical connection that survives socket loss.
 * It reconnects with backoff, resumes from the last delivered `seq`, delivers each event
 * exactly once in order, and keeps unacknowledged frames until the server answers them.
 */
export class AgentwireClient extends TypedEmitter<ClientEventMap> {
  readonly stats: Stats = { attempts: 0, connections: 0, duplicatesDropped: 0, gapsDetected: 0, resends: 0 };
  private current: ConnectionState = 'connecting';
  private socket: SocketLike | undefined;
  private factory: SocketFactory | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private resendTimer: ReturnType<typeof setTimeout> | undefined;
  private liveness: Liveness | undefined;
  private closed = false;
  private readonly backoff: Backoff;
  private readonly credentials: CredentialSource;
  private readonly refresher: TokenRefresher;
  private readonly cursor: StreamCursor;
  private readonly queue: OutboundQueue;
  private readonly runsByMsgId = new Map<string, RunStream>();
  private readonly runsByRunId = new Map<string, RunStream>();
  private readonly clientTools: ClientTools;
  /** Recent approval and client tool resolutions, so answering a settled request resolves at once. */
  private readonly resolutions = new Map<string, StreamEvent<'tool_approval_resolved' | 'tool_completed'>>();
  /** Requests this client saw on its stream: their resolution will follow on it too. */
  private readonly requestsSeen = new Set<string>();

  constructor(private readonly options: ClientOptions) {
    super();
    this.clientTools = new ClientTools((runId, toolCallId, outcome) => {
      // A `forbidden` is worth telling the app; a closed client is not.
      this.sendToolResult(runId, toolCallId, outcome).catch((error: unknown) => {
        if (error instanceof AgentwireError && error.code !== 'AW_ERR_CLIENT_CLOSED') this.emit('error', error);
      });
    }, options.clientTools);
    if (!URL.canParse(options.url)) throw new AgentwireError('AW_ERR_CLIENT_OPTIONS', `url is not a URL: ${options.url}`);
    this.credentials = new CredentialSource(options);
    this.backoff = createBackoff(options.backoff, options.random);
    this.cursor = new StreamCursor(options.resumeFrom);
    this.queue = new OutboundQueue(options.maxQueue ?? 100);
    this.refresher = new TokenRefresher({
      getToken: () => this.credentials.freshToken(),
      send: (frame) => {
        if (this.socket?.readyState !== SOCKET_OPEN) return false;
        this.socket.send(JSON.stringify(frame));
        return true;
      },
      adopt: (token) => this.credentials.adopt(token),
      failed: (reason) => this.emit('error', new AgentwireError('AW_ERR_CLIENT_REFRESH_FAILED', reason)),
    });
    void this.open();
  }

  get state(): ConnectionState {
    return this.current;
  }

  /** The position the next connection resumes from (save it to resume after a reload). */
  get position(): StreamPosition | undefined {
    return this.cursor.current;
  }

  /** Frames waiting for the server's answer. */
  get pendingCount(): number {
    return this.queue.size;
  }

  /** Resolves when connected (at once if already); rejects if the client goes offline first. */
  ready(): Promise<void> {
    if (this.current === 'connected') return Promise.resolve();
    return new Promise((resolve, reject) => {
      const off = this.on('state', (change) => {
        if (change.state === 'connected') resolve();
        else if (change.state === 'offline') reject(change.error ?? new AgentwireError('AW_ERR_CLIENT_CLOSED'));
        else return;
        off();
      });
    });
  }

  /**
   * Sends a message; resolves with `message_accepted`. Until then the frame is written on
   * every new connection with the same `client_msg_id`, so it is neither lost nor run twice.
   */
  send(text: string, options: SendOptions = {}): Promise<Accepted> {
    const clientMsgId = options.clientMsgId ?? newClientMsgId();
    const frame: UserMessageFrame = { type: 'user_message', client_msg_id: clientMsgId, text };
    if (options.threadId !== undefined) frame.thread_id = options.threadId;
    if (options.agent !== undefined) frame.agent = options.agent;
    if (options.ifBusy !== undefined) frame.if_busy = options.ifBusy;
    const tools = options.clientTools ?? this.clientTools.specs();
    if (tools.length > 0) frame.client_tools = tools.map((tool) => ({ ...tool }));
    this.clientTools.sent(clientMsgId);
    return this.enqueue<Accepted>(`msg:${clientMsgId}`, frame);
  }

  /**
   * Answers a `tool_approval_requested` (protocol 1.2). Resolves with the request's
   * `tool_approval_resolved` event, whichever tab's answer won (compare its `approved`);
   * rejects with `ServerRejectionError` code `forbidden` for a request that is not yours,
   * and `already_resolved` for one settled before this client saw it (or its run ended).
   * Until answered, the frame is written again on every new connection, harmlessly.
   */
  approveTool(runId: string, toolCallId: string, approved: boolean, options: { reason?: string } = {}): Promise<StreamEvent<'tool_approval_resolved'>> {
    const frame: ClientFrame = { type: 'approve_tool', run_id: runId, tool_call_id: toolCallId, approved, ...(options.reason !== undefined && { reason: options.reason }) };
    return this.answerPending('tool_approval_resolved', frame, runId, toolCallId);
  }

  /**
   * Answers a client tool call (`tool_executing` with `executor: "client"`) with `result`
   * or `error`. Resolves with its `tool_completed` event, whichever tab's answer won. Apps
   * usually register a handler instead (`registerClientTool`), which calls this.
   */
  sendToolResult(runId: string, toolCallId: string, outcome: ClientToolAnswer): Promise<StreamEvent<'tool_completed'>> {
    const frame: ClientFrame = { type: 'tool_result', run_id: runId, tool_call_id: toolCallId, ...outcome } as ClientFrame;
    return this.answerPending('tool_completed', frame, runId, toolCallId);
  }

  /**
   * Registers a tool the agent may ask this front end to run (protocol 1.2). It is offered
   * with every message sent from this client (see `SendOptions.clientTools`). A call runs
   * in ONE tab: the tab that sent the run's message at once; another tab of the user only
   * if no answer has arrived after `clientTools.graceMs` (the sending tab was closed). The
   * server keeps the first answer anyway. Returns a function that unregisters it.
   */
  registerClientTool(spec: ClientToolSpec, handler: ClientToolHandler): () => void {
    return this.clientTools.register(spec, handler);
  }

  /** Asks the server to stop a run; resolves once the run has ended (or had already ended). */
  stop(runId: string): Promise<void> {
    return this.enqueue<void>(`stop:${runId}`, { type: 'stop_agent', run_id: runId });
  }

  /** Sends a message and returns its run as an async iterator of events with a `result`. */
  run(text: string, options: Omit<SendOptions, 'clientMsgId'> = {}): RunStream {
    const clientMsgId = newClientMsgId();
    const stream = new RunStream(clientMsgId);
    this.runsByMsgId.set(clientMsgId, stream);
    this.send(text, { ...options, clientMsgId }).then(
      (accepted) => this.bindRun(stream, accepted.run_id),
      (error: unknown) => this.endRun(stream, error),
    );
    return stream;
  }

  /** Closes for good: pending frames and open runs reject with `AW_ERR_CLIENT_CLOSED`. */
  close(): void {
    if (this.closed) return;
    this.goOffline(new AgentwireError('AW_ERR_CLIENT_CLOSED'));
  }

  private answerPending<T extends 'tool_approval_resolved' | 'tool_completed'>(
    type: T,
    frame: ClientFrame,
    runId: string,
    toolCallId: string,
  ): Promise<StreamEvent<T>> {
    const seen = this.resolutions.get(resolutionKey(runId, toolCallId));
    if (seen?.type === type) return Promise.resolve(seen as StreamEvent<T>);
    return this.enqueue<StreamEvent<T>>(answerKey(type, runId, toolCallId), frame);
  }

  private enqueue<T>(key: string, frame: ClientFrame): Promise<T> {
    if (this.closed) return Promise.reject(new AgentwireError('AW_ERR_CLIENT_CLOSED'));
    const existing = this.queue.get<T>(key);
    if (existing) return existing.promise;
    let entry: PendingFrame<T>;
    try {
      entry = this.queue.add<T>(key, frame);
    } catch (error) {
      return Promise.reject(error);
    }
    if (this.current === 'connected') this.write(entry);
    return entry.promise;
  }

  private write(entry: PendingFrame<unknown>): void {
    if (this.socket?.readyState !== SOCKET_OPEN) return;
    if (entry.sends > 0) this.stats.resends++;
    entry.sends++;
    this.socket.send(JSON.stringify(entry.frame));
  }

  private async open(): Promise<void> {
    this.stats.attempts++;
    try {
      this.factory ??= await (this.options.socketFactory ?? defaultSocketFactory)();
      const credential = await this.credentials.forAttempt(this.factory.supportsHeaders);
      if (this.closed) return;
      const url = new URL(this.options.url);
      for (const [name, value] of Object.entries(credential.query)) url.searchParams.set(name, value);
      const position = this.cursor.current;
      if (position) {
        url.searchParams.set('last_seq', String(position.lastSeq));
        url.searchParams.set('epoch', position.epoch);
      }
      const socket = this.factory.open({ url: url.toString(), protocols: credential.protocols, headers: credential.headers });
      this.socket = socket;
      socket.onmessage = (event) => {
        if (this.socket === socket) this.receive(event.data);
      };
      socket.onclose = (event) => {
        if (this.socket === socket) this.lost(event.code, event.reason);
      };
      socket.onerror = () => {}; // a close event always follows
    } catch (error) {
      if (this.closed) return;
      const failure = error instanceof AgentwireError ? error : new AgentwireError('AW_ERR_CLIENT_CREDENTIALS', String(error), { cause: error });
      if (failure.code === 'AW_ERR_CLIENT_NO_WEBSOCKET' || failure.code === 'AW_ERR_CLIENT_OPTIONS') {
        this.goOffline(failure);
        return;
      }
      this.emit('error', failure);
      this.scheduleRetry(undefined, failure);
    }
  }

  private receive(data: unknown): void {
    this.liveness?.heard();
    let frame: ServerFrame;
    try {
      frame = JSON.parse(typeof data === 'string' ? data : String(data)) as ServerFrame;
    } catch {
      return; // not ours to judge; the server only sends JSON
    }
    if ('seq' in frame) this.deliver(frame);
    else this.reply(frame);
  }

  private deliver(event: StreamEvent): void {
    const verdict = this.cursor.judge(event);
    if (verdict === 'duplicate') {
      this.stats.duplicatesDropped++;
      return;
    }
    if (verdict === 'gap') {
      this.stats.gapsDetected++;
      this.abandonSocket(CLOSE_SEQ_GAP, 'sequence gap');
      return;
    }
    this.cursor.advance(event);
    this.routeToRun(event);
    this.settleAnswers(event);
    this.clientTools.observe(event);
    this.emit('event', event);
    this.emit(event.type, event as never);
  }

  private reply(frame: Reply): void {
    switch (frame.type) {
      case 'connection_established':
        this.cursor.established(frame.data);
        this.backoff.reset();
        this.stats.connections++;
        this.liveness?.stop();
        this.liveness = new Liveness(
          frame.data.heartbeat_ms,
          () => this.socket?.readyState === SOCKET_OPEN && this.socket.send(JSON.stringify({ type: 'ping' })),
          () => this.abandonSocket(CloseCode.goingAway, 'no frames for two heartbeats'),
        );
        this.liveness.start();
        // Renew ahead of exp on this socket instead of being closed 4001 and reconnecting.
        if (this.credentials.canRefresh) this.refresher.schedule(this.credentials.currentToken);
        this.setState({ state: 'connected' });
        this.emit('connected', frame.data);
        for (const entry of this.queue.entries()) this.write(entry);
        return;
      case 'message_accepted':
        this.queue.resolve(`msg:${frame.data.client_msg_id}`, frame.data);
        return;
      case 'resume_gap':
        this.failRunsAfterGap();
        this.emit('resume_gap', frame.data);
        return;
      case 'error':
        this.rejected(frame.data);
        return;
      case 'refreshed':
        this.refresher.refreshed();
        return;
      case 'pong':
        return;
    }
  }

  private rejected(error: Reply<'error'>['data']): void {
    if (error.client_msg_id === undefined && error.run_id === undefined && this.refresher.rejected(error.code, error.message)) return;
    if (RETRYABLE.has(error.code)) {
      // rate_limited carries no id; rewriting every pending frame is safe because the server dedupes them.
      this.resendTimer ??= setTimeout(() => {
        this.resendTimer = undefined;
        for (const entry of this.queue.entries()) this.write(entry);
      }, RETRY_PENDING_MS);
      return;
    }
    if (error.client_msg_id !== undefined && this.queue.reject(`msg:${error.client_msg_id}`, new ServerRejectionError(error))) return;
    if (error.run_id !== undefined && (error.code === 'already_resolved' || error.code === 'forbidden') && this.answerRejected(error)) return;
    if (error.run_id !== undefined) {
      const key = `stop:${error.run_id}`;
      if (error.code === 'not_running' ? this.queue.resolve(key, undefined) : this.queue.reject(key, new ServerRejectionError(error))) return;
    }
    this.emit('error', new ServerRejectionError(error));
  }

  /** An answer's resolution event settles its pending frame (protocol 1.2). */
  private settleAnswers(event: StreamEvent): void {
    if (event.type === 'tool_approval_requested' || (event.type === 'tool_executing' && event.data.executor === 'client')) {
      this.requestsSeen.add(resolutionKey(event.run_id, event.data.tool_call_id));
      if (this.requestsSeen.size > MAX_RESOLUTIONS) this.requestsSeen.delete(this.requestsSeen.values().next().value!);
      return;
    }
    if (event.type !== 'tool_approval_resolved' && event.type !== 'tool_completed') return;
    const key = resolutionKey(event.run_id, event.data.tool_call_id);
    this.resolutions.set(key, event);
    if (this.resolutions.size > MAX_RESOLUTIONS) this.resolutions.delete(this.resolutions.keys().next().value!);
    this.queue.resolve(answerKey(event.type, event.run_id, event.data.tool_call_id), event);
  }

  /**
   * `already_resolved`: the resolution event comes (or came) on the stream and settles the
   * answer. `forbidden`, or the run's end with answers still pending: the run's pending
   * answers are refused. The error echoes only the run, so every pending answer in it is concerned.
   */
  private answerRejected(error: Reply<'error'>['data'], runEnded = false): boolean {
    const pending = this.queue.entries().filter((entry) => entry.key.startsWith('answer:') && entry.key.includes(`:${error.run_id}:`));
    if (pending.length === 0) return false;
    for (const entry of pending) {
      // A request this client never saw was settled before its stream position: no event will tell it.
      const unseen = 'tool_call_id' in entry.frame && !this.requestsSeen.has(resolutionKey(error.run_id!, entry.frame.tool_call_id));
      if (error.code === 'forbidden' || runEnded || unseen) this.queue.reject(entry.key, new ServerRejectionError(error));
    }
    return true;
  }

  private routeToRun(event: StreamEvent): void {
    if (event.run_id === undefined) return;
    if (event.type === 'user_message') {
      const stream = this.runsByMsgId.get(event.data.client_msg_id);
      if (stream) this.bindRun(stream, event.run_id);
    }
    this.runsByRunId.get(event.run_id)?.push(event);
    if (isTerminalType(event.type)) {
      this.queue.resolve(`stop:${event.run_id}`, undefined);
      // Every resolution comes before the terminal event: an answer still pending missed its own.
      this.answerRejected({ code: 'already_resolved', message: 'the run ended before this answer was taken', run_id: event.run_id }, true);
      const stream = this.runsByRunId.get(event.run_id);
      if (stream) this.endRun(stream);
    }
  }

  private bindRun(stream: RunStream, runId: string): void {
    if (stream.done) return;
    stream.bind(runId);
    this.runsByRunId.set(runId, stream);
  }

  private endRun(stream: RunStream, error?: unknown): void {
    if (error !== undefined) stream.fail(error);
    this.runsByMsgId.delete(stream.clientMsgId);
    for (const [runId, s] of this.runsByRunId) if (s === stream) this.runsByRunId.delete(runId);
  }

  /** Runs that may have had events in the lost history can no longer be iterated faithfully. */
  private failRunsAfterGap(): void {
    for (const stream of new Set([...this.runsByMsgId.values(), ...this.runsByRunId.values()])) {
      const sent = (this.queue.get(`msg:${stream.clientMsgId}`)?.sends ?? 1) > 0;
      if (sent) this.endRun(stream, new AgentwireError('AW_ERR_CLIENT_RESUME_GAP'));
    }
  }

  /** Drops a socket we no longer trust and reconnects without waiting for its close handshake. */
  private abandonSocket(code: number, reason: string): void {
    const socket = this.socket;
    if (!socket) return;
    try {
      socket.close(code, reason);
    } catch {
      // already closing
    }
    this.lost(code, reason);
  }

  private lost(code: number, reason: string): void {
    this.socket = undefined;
    this.liveness?.stop();
    this.refresher.stop();
    if (this.closed) return;
    // Codes the protocol does not assign (1006 for a dropped connection, say) are worth a retry.
    const policy = closePolicy(code);
    if (policy?.action === 'stop') {
      this.goOffline(new AgentwireError(policy.clientError ?? 'AW_ERR_CLIENT_FATAL_CLOSE', `close ${code}${reason ? ` (${reason})` : ''}`), code);
      return;
    }
    if (policy?.action === 'refresh-token' && !this.credentials.tokenExpired()) {
      this.goOffline(new AgentwireError(policy.clientError ?? 'AW_ERR_CLIENT_TOKEN_EXPIRED'), code);
      return;
    }
    if (policy?.backoffPenalty !== undefined) this.backoff.penalise(policy.backoffPenalty);
    this.scheduleRetry(code);
  }

  private scheduleRetry(closeCode: number | undefined, error?: AgentwireError): void {
    const retryInMs = this.backoff.next();
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.open();
    }, retryInMs);
    this.setState({ state: 'reconnecting', retryInMs, ...(closeCode !== undefined && { closeCode }), ...(error && { error }) });
  }

  private goOffline(error: AgentwireError, closeCode?: number): void {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.resendTimer);
    this.liveness?.stop();
    this.refresher.stop();
    this.clientTools.close();
    const socket = this.socket;
    this.socket = undefined;
    if (socket && (socket.readyState === SOCKET_OPEN || socket.readyState === 0)) socket.close(CloseCode.normal, 'client closed');
    this.queue.rejectAll(error);
    for (const stream of new Set([...this.runsByMsgId.values(), ...this.runsByRunId.values()])) this.endRun(stream, error);
    this.setState({ state: 'offline', error, ...(closeCode !== undefined && { closeCode }) });
    if (error.code !== 'AW_ERR_CLIENT_CLOSED') this.emit('error', error);
  }

  private setState(change: Omit<StateChange, 'previous'>): void {
    const previous = this.current;
    this.current = change.state;
    this.emit('state', { ...change, previous });
  }
}

/** Resolution events remembered per client, so answering an already settled request resolves at once. */
const MAX_RESOLUTIONS = 200;

const resolutionKey = (runId: string, toolCallId: string): string => `${runId}:${toolCallId}`;
const answerKey = (type: string, runId: string, toolCallId: string): string => `answer:${type}:${runId}:${toolCallId}`;

/** Opens a client; it connects in the background (see `ready()` and the `state` event). */
export function connect(options: ClientOptions): AgentwireClient {
  return new AgentwireClient(options);
}
