import type { RawData } from 'ws';
import type { Logger } from '../logger.js';
import { CloseCode } from '../protocol/close-codes.js';
import { replyFrame } from '../protocol/frames.js';
import type { FrameParser } from '../protocol/inbound.js';
import { answerPending, type AnswerOutcome } from '../interaction/answers.js';
import type {
  ApproveToolFrame,
  PingFrame,
  RefreshFrame,
  StopAgentFrame,
  ToolResultFrame,
  UserMessageFrame,
  WireErrorCode,
} from '../protocol/types.js';
import type { Connection } from './connection.js';
import { startRun, stopRun, type RunRequestDeps } from './run-requests.js';
import type { GatewayStats } from './stats.js';
import { verifyRefresh } from './token-refresh.js';
import type { UserScope } from './user-scope.js';

export interface InboundDeps extends RunRequestDeps {
  readonly parse: FrameParser;
  readonly stats: GatewayStats;
  readonly logger: Logger;
}

type ErrorEcho = { clientMsgId?: string | undefined; runId?: string | undefined };

/**
 * Answers every client frame of docs/protocol.md. Bad input earns an `error` frame and the
 * connection stays usable; nothing here may throw into the socket's event handler.
 */
export class InboundHandler {
  /** Frames still being handled (bus round trips), so shutdown can let them finish first. */
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly deps: InboundDeps) {}

  /** Resolves once no frame is being handled, e.g. a message between acceptance and its run's start. */
  async idle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  handle(connection: Connection, scope: UserScope, data: RawData, isBinary: boolean): void {
    const decision = connection.rate.take(Date.now());
    if (decision === 'abuse') {
      connection.close(CloseCode.tooManyRequests, 'rate limit abused');
      return;
    }
    if (decision === 'limited') {
      this.error(connection, 'rate_limited', `more than ${this.deps.options.limits.ratePerSecond} frames per second`);
      return;
    }
    if (isBinary) {
      this.error(connection, 'unsupported_frame', 'binary frames are not supported; send JSON text');
      return;
    }
    const parsed = this.deps.parse(rawToString(data));
    if (!parsed.ok) {
      this.error(connection, parsed.code, parsed.message, parsed);
      return;
    }
    const { frame } = parsed;
    switch (frame.type) {
      case 'ping':
        this.pong(connection, frame);
        return;
      case 'user_message':
        this.guard(connection, { clientMsgId: frame.client_msg_id }, this.userMessage(connection, scope, frame));
        return;
      case 'stop_agent':
        this.guard(connection, { runId: frame.run_id }, this.stopAgent(connection, scope, frame));
        return;
      case 'refresh':
        this.guard(connection, {}, this.refresh(connection, frame));
        return;
      case 'approve_tool':
        this.guard(connection, { runId: frame.run_id }, this.approveTool(connection, scope, frame));
        return;
      case 'tool_result':
        this.guard(connection, { runId: frame.run_id }, this.toolResult(connection, scope, frame));
        return;
    }
  }

  private pong(connection: Connection, frame: PingFrame): void {
    let pong: string;
    try {
      pong = replyFrame('pong', frame.client_ts === undefined ? {} : { client_ts: frame.client_ts });
    } catch {
      // JSON.parse accepts nesting that JSON.stringify overflows the stack on; that must not crash the process.
      this.error(connection, 'invalid_message', 'client_ts: too deeply nested to echo');
      return;
    }
    connection.reply(pong);
  }

  private async userMessage(connection: Connection, scope: UserScope, frame: UserMessageFrame): Promise<void> {
    const request = { text: frame.text, clientMsgId: frame.client_msg_id, threadId: frame.thread_id, agent: frame.agent, ifBusy: frame.if_busy, clientTools: frame.client_tools };
    const outcome = await startRun(this.deps, scope, request, ({ threadId, runId, queued }) =>
      connection.reply(
        replyFrame('message_accepted', { client_msg_id: frame.client_msg_id, thread_id: threadId, run_id: runId, ...(queued && { queued: true as const }) }),
      ),
    );
    if (!outcome.ok) this.error(connection, outcome.code, outcome.message, { clientMsgId: frame.client_msg_id });
  }

  private async stopAgent(connection: Connection, scope: UserScope, frame: StopAgentFrame): Promise<void> {
    const outcome = await stopRun(this.deps.options, scope.userId, frame.run_id);
    const echo = { runId: frame.run_id };
    if (outcome === 'forbidden') this.error(connection, 'forbidden', 'run_id: no such run of yours', echo);
    if (outcome === 'not_running') this.error(connection, 'not_running', 'run_id: that run has already ended', echo);
  }

  /** Protocol 1.2: the first answer to an approval request wins, from any tab on any process. */
  private async approveTool(connection: Connection, scope: UserScope, frame: ApproveToolFrame): Promise<void> {
    const ref = { runId: frame.run_id, toolCallId: frame.tool_call_id, kind: 'approval' as const };
    const value = { approved: frame.approved, ...(frame.reason !== undefined && { reason: frame.reason }) };
    this.answered(connection, frame.run_id, await answerPending(this.deps.options.bus, scope.userId, ref, value));
  }

  /** Protocol 1.2: the first outcome of a client tool call becomes its `tool_completed`. */
  private async toolResult(connection: Connection, scope: UserScope, frame: ToolResultFrame): Promise<void> {
    const ref = { runId: frame.run_id, toolCallId: frame.tool_call_id, kind: 'client_tool' as const };
    const value = frame.error !== undefined ? { error: frame.error } : { result: frame.result };
    this.answered(connection, frame.run_id, await answerPending(this.deps.options.bus, scope.userId, ref, value));
  }

  /** An accepted answer is acknowledged by its event on the stream; the others by an error. */
  private answered(connection: Connection, runId: string, outcome: AnswerOutcome): void {
    const echo = { runId };
    if (outcome === 'forbidden') this.error(connection, 'forbidden', 'tool_call_id: no such pending request in a run of yours', echo);
    if (outcome === 'already_resolved') this.error(connection, 'already_resolved', 'tool_call_id: that request was already resolved', echo);
  }

  /** Protocol 1.1: a new token of the same user moves the connection's 4001 close to its `exp`. */
  private async refresh(connection: Connection, frame: RefreshFrame): Promise<void> {
    const result = await verifyRefresh(connection.userId, frame.token, this.deps.options.verifier);
    if (!connection.isOpen) return;
    if (result.outcome === 'other_user') {
      connection.close(CloseCode.unauthorized, 'refresh token of another user');
      return;
    }
    if (result.outcome === 'unauthorized') {
      this.error(connection, 'unauthorized', result.message);
      return;
    }
    if (result.expiresAtMs === undefined) {
      // Only with `requireExp: false`: a refresh must never turn a session that ends into one
      // that does not, so the old expiry stays.
      this.error(connection, 'unauthorized', 'the refresh token has no exp; the connection keeps its expiry');
      return;
    }
    connection.expireAt(result.expiresAtMs);
    connection.reply(replyFrame('refreshed', { expires_at: new Date(result.expiresAtMs).toISOString() }));
  }

  /** Counts work begun outside a socket (`gateway.startRun`) as in flight, so shutdown waits for it too. */
  track(work: Promise<unknown>): void {
    const tracked = work.then(
      () => undefined,
      () => undefined,
    );
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  /** Turns a failure of an async handler into an `internal`/`unavailable` error frame, never a crash. */
  private guard(connection: Connection, echo: ErrorEcho, work: Promise<void>): void {
    const tracked = work.catch((error: unknown) => {
      this.deps.logger.error({ err: error, connection: connection.id }, 'frame handling failed');
      const degraded = this.deps.options.bus.health() !== 'ok';
      this.error(
        connection,
        degraded ? 'unavailable' : 'internal',
        degraded ? 'the event store is unreachable; retry shortly' : 'internal error while handling the frame',
        echo,
      );
    });
    this.pending.add(tracked);
    void tracked.finally(() => this.pending.delete(tracked));
  }

  private error(connection: Connection, code: WireErrorCode, message: string, echo: ErrorEcho = {}): void {
    this.deps.stats.inboundErrors++;
    connection.reply(
      replyFrame('error', {
        code,
        message,
        ...(echo.clientMsgId !== undefined && { client_msg_id: echo.clientMsgId }),
        ...(echo.runId !== undefined && { run_id: echo.runId }),
      }),
    );
  }
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
