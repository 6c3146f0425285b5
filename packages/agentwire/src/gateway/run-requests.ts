import type { AgentRunner } from './runner.js';
import type { Agent } from '../agents/types.js';
import { isAgentwireError } from '../errors.js';
import type { DurableWriter } from '../history/durable-writer.js';
import { MessageCompactor, userMessageId } from '../history/compaction.js';
import { newId } from '../ids.js';
import type { WireErrorCode } from '../protocol/types.js';
import type { AssistantMessage } from '../store/types.js';
import type { ResolvedOptions } from './options.js';
import type { UserScope } from './user-scope.js';

/** A user's request to run an agent, whichever door it came in by (`/ws`, `/agui`, host code). */
export interface StartRunRequest {
  /**
   * The user's message. Omitted: an agent-initiated run (a scheduled job, a webhook, a
   * producer): no user message is stored or streamed, the assistant message stands alone.
   */
  readonly text?: string | undefined;
  /** The title of a thread this run creates when it has no `text` to take it from. */
  readonly title?: string | undefined;
  /** Runs this agent instead of a registered one (the producer API's remote run). */
  readonly runAgent?: Agent | undefined;
  /** Per user; the same id again starts nothing and answers the first run's ids. */
  readonly clientMsgId: string;
  /** Omitted: a new thread. */
  readonly threadId?: string | undefined;
  /** Omitted: the gateway's default agent. */
  readonly agent?: string | undefined;
  /**
   * Lets `threadId` name a thread that does not exist yet, created for this user with
   * that id (AG-UI clients choose their thread ids). Another user's thread stays refused.
   */
  readonly createThread?: boolean | undefined;
}

export type StartRunOutcome =
  | { readonly ok: true; readonly fresh: boolean; readonly threadId: string; readonly runId: string }
  | { readonly ok: false; readonly code: WireErrorCode; readonly message: string };

export interface RunRequestDeps {
  readonly options: ResolvedOptions;
  readonly runner: AgentRunner;
  /** Retries the store writes that follow an append (the stream marks of user messages). */
  readonly writer: DurableWriter;
  /** False while the gateway shuts down: no new runs. */
  accepting(): boolean;
}

/**
 * The one path from a user's message to a running agent. `onAccepted` is called once the
 * ids are settled and before the run's first event (`user_message`), which is when
 * `/ws` answers `message_accepted`; it is called for a repeated `clientMsgId` too.
 */
export async function startRun(
  deps: RunRequestDeps,
  scope: UserScope,
  request: StartRunRequest,
  onAccepted?: (ids: { threadId: string; runId: string }) => void,
): Promise<StartRunOutcome> {
  // Reserved from the start, so that the release below also tells the scope it may be idle
  // after a refusal (a scope made for a caller without sockets must not linger).
  scope.reservedRuns++;
  try {
    return await accept(deps, scope, request, onAccepted);
  } finally {
    scope.releaseReservation();
  }
}

async function accept(
  deps: RunRequestDeps,
  scope: UserScope,
  request: StartRunRequest,
  onAccepted: ((ids: { threadId: string; runId: string }) => void) | undefined,
): Promise<StartRunOutcome> {
  const { options, runner } = deps;
  const { bus, limits, store } = options;
  const refuse = (code: WireErrorCode, message: string): StartRunOutcome => ({ ok: false, code, message });
  const { text } = request;
  if (text !== undefined && text.length === 0) return refuse('invalid_message', 'text must not be empty');
  if (text !== undefined && Buffer.byteLength(text, 'utf8') > limits.maxTextBytes) return refuse('invalid_message', `text exceeds ${limits.maxTextBytes} bytes of UTF-8`);
  if (request.clientMsgId.length === 0 || request.clientMsgId.length > limits.maxClientMsgIdLength) {
    return refuse('invalid_message', `client_msg_id must be 1 to ${limits.maxClientMsgIdLength} characters`);
  }
  const agent = request.runAgent ?? options.agents.get(request.agent ?? options.defaultAgent);
  if (!agent) return refuse('invalid_message', `agent: unknown agent "${request.agent}"; known: ${[...options.agents.keys()].join(', ')}`);
  if (!deps.accepting()) return refuse('unavailable', 'the server is shutting down; retry on another connection');
  if (bus.health() !== 'ok') return refuse('unavailable', 'the event store is unreachable; retry shortly');
  let newThread = request.threadId === undefined;
  if (request.threadId !== undefined) {
    const thread = await storeCall(() => store.threads.get(request.threadId!));
    if (thread === STORE_DOWN) return refuse('unavailable', HISTORY_DOWN);
    newThread = thread === undefined && request.createThread === true;
    if (!newThread && (!thread || thread.userId !== scope.userId)) return refuse('forbidden', 'thread_id: no such thread of yours');
  }
  const claim = await bus.messages.claim(scope.userId, request.clientMsgId, {
    threadId: request.threadId ?? newId('thr'),
    runId: newId('run'),
  });
  const ids = { threadId: claim.threadId, runId: claim.runId };
  if (!claim.fresh) {
    onAccepted?.(ids);
    return { ok: true, fresh: false, ...ids };
  }
  if (scope.runsInFlight > limits.maxRunsInFlightPerUser) {
    await bus.messages.release(scope.userId, request.clientMsgId);
    return refuse('too_many_runs', `at most ${limits.maxRunsInFlightPerUser} runs in flight; wait for one to end`);
  }
  const at = new Date().toISOString();
  const userMessage = text === undefined ? undefined : {
    message_id: userMessageId(claim.runId),
    role: 'user' as const,
    run_id: claim.runId,
    client_msg_id: request.clientMsgId,
    text,
    created_at: at,
  };
  try {
    // Accepted means durable (docs/protocol.md, History): the thread and the user message are
    // in the store before message_accepted is sent.
    if (newThread) {
      const created = await store.threads.create({ threadId: claim.threadId, userId: scope.userId, title: threadTitle(text ?? request.title ?? agent.name), at });
      // An id the caller chose that exists already is someone's thread: refuse, revealing nothing.
      if (!created) {
        await bus.messages.release(scope.userId, request.clientMsgId);
        return refuse('forbidden', 'thread_id: no such thread of yours');
      }
    } else await store.threads.touch(claim.threadId, at);
    if (userMessage) await store.messages.addUser({ threadId: claim.threadId, userId: scope.userId, message: userMessage, mark: UNMARKED });
    // An agent-initiated run has no user message to anchor it in history: its assistant message
    // is stored from the start instead, so a snapshot taken before its first checkpoint shows it.
    else await store.messages.putAssistant({ threadId: claim.threadId, userId: scope.userId, message: MessageCompactor.start(claim.runId, agent.name, at).message(), mark: UNMARKED });
  } catch (error) {
    await bus.messages.release(scope.userId, request.clientMsgId).catch(() => undefined);
    if (isAgentwireError(error, 'AW_ERR_STORE_UNAVAILABLE')) return refuse('unavailable', HISTORY_DOWN);
    throw error;
  }
  try {
    await bus.runs.register({ runId: claim.runId, userId: scope.userId, threadId: claim.threadId });
    onAccepted?.(ids);
    if (userMessage) {
      const appended = await bus.log.append(scope.userId, {
        type: 'user_message',
        thread_id: claim.threadId,
        run_id: claim.runId,
        data: { text: userMessage.text, client_msg_id: request.clientMsgId },
      });
      const mark = { epoch: appended.epoch, seq: appended.event.seq, terminalSeq: null };
      deps.writer.eventually(() => store.messages.mark(userMessage.message_id, mark), `stream mark of ${userMessage.message_id}`);
    }
  } catch (error) {
    // Nothing of this run reached the stream: forget the claim so that resending the same
    // client_msg_id starts it, instead of answering message_accepted for a run that never ran.
    await Promise.allSettled([
      bus.messages.release(scope.userId, request.clientMsgId),
      bus.runs.finish(claim.runId),
      // The agent-initiated run's stored message must not show it running forever.
      ...(userMessage ? [] : [store.messages.putAssistant({ threadId: claim.threadId, userId: scope.userId, message: neverStarted(claim, agent.name, at), mark: UNMARKED })]),
    ]);
    throw error;
  }
  runner.start({ scope, agent, threadId: claim.threadId, runId: claim.runId, text: text ?? '' });
  return { ok: true, fresh: true, ...ids };
}

export type StopRunOutcome = 'stopping' | 'forbidden' | 'not_running';

/** Asks the process executing one of the user's runs to end it with `cancelled`. */
export async function stopRun(options: ResolvedOptions, userId: string, runId: string): Promise<StopRunOutcome> {
  const run = await options.bus.runs.get(runId);
  if (!run || run.userId !== userId) return 'forbidden';
  // A deleted thread's runs are refused like another user's (docs/protocol.md, History).
  const thread = await storeCall(() => options.store.threads.get(run.threadId));
  if (thread === undefined) return 'forbidden';
  if (run.status !== 'running') return 'not_running';
  await options.bus.runs.requestStop(runId);
  return 'stopping';
}

/** The stored message of an agent-initiated run that could not reach the stream: failed, never started. */
function neverStarted(ids: { threadId: string; runId: string }, agentName: string, at: string): AssistantMessage {
  const message = MessageCompactor.start(ids.runId, agentName, at);
  const data = { code: 'failed' as const, message: 'the run could not be started; nothing of it reached the stream', duration_ms: 0 };
  message.fold({ type: 'agent_error', seq: 0, ts: at, thread_id: ids.threadId, run_id: ids.runId, data });
  return message.message();
}

const HISTORY_DOWN = 'history (the store) is unreachable; retry shortly';
const STORE_DOWN = Symbol('store down');
const UNMARKED = { epoch: '', seq: null, terminalSeq: null };

/** A store read whose outage is an answer (`unavailable`), not a crash. */
async function storeCall<T>(read: () => Promise<T>): Promise<T | typeof STORE_DOWN> {
  try {
    return await read();
  } catch (error) {
    if (isAgentwireError(error, 'AW_ERR_STORE_UNAVAILABLE')) return STORE_DOWN;
    throw error;
  }
}

function threadTitle(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
