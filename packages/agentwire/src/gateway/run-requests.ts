import type { AgentRunner } from './runner.js';
import type { Agent } from '../agents/types.js';
import { isAgentwireError } from '../errors.js';
import type { DurableWriter } from '../history/durable-writer.js';
import { MessageCompactor, userMessageId } from '../history/compaction.js';
import { newId } from '../ids.js';
import type { ClientToolSpec, IfBusy, WireErrorCode } from '../protocol/types.js';
import type { AssistantMessage } from '../store/types.js';
import type { Bus } from '../bus/types.js';
import { dropEndedRuns, type QueuedRun } from './thread-turns.js';
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
  /** When the thread has a run in flight (protocol 1.2, "Busy threads"); default `queue`. */
  readonly ifBusy?: IfBusy | undefined;
  /** `user_message.client_tools` (protocol 1.2), handed to the agent as `AgentInput.clientTools`. */
  readonly clientTools?: readonly ClientToolSpec[] | undefined;
}

/** The ids of an accepted run; `queued` when it waits for earlier runs of its thread (never set on a resend). */
export interface AcceptedIds {
  readonly threadId: string;
  readonly runId: string;
  readonly queued: boolean;
}

export type StartRunOutcome =
  | ({ readonly ok: true; readonly fresh: boolean } & AcceptedIds)
  | { readonly ok: false; readonly code: WireErrorCode; readonly message: string };

/** `agent_error.message` of a run ended by a newer message sent with `if_busy: "interrupt"`. */
export const INTERRUPTED_MESSAGE = 'interrupted by a newer message in this thread';

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
 * Messages to one thread are accepted one at a time in this process, in the order they
 * came, so their thread queue order, their `message_accepted` and their `user_message`
 * events agree (docs/protocol.md, "Busy threads").
 */
export async function startRun(
  deps: RunRequestDeps,
  scope: UserScope,
  request: StartRunRequest,
  onAccepted?: (ids: AcceptedIds) => void,
): Promise<StartRunOutcome> {
  // Reserved from the start, so that the release below also tells the scope it may be idle
  // after a refusal (a scope made for a caller without sockets must not linger).
  scope.reservedRuns++;
  try {
    const work = () => accept(deps, scope, request, onAccepted);
    return await (request.threadId === undefined ? work() : scope.acceptOrder.run(request.threadId, work));
  } finally {
    scope.releaseReservation();
  }
}

async function accept(
  deps: RunRequestDeps,
  scope: UserScope,
  request: StartRunRequest,
  onAccepted: ((ids: AcceptedIds) => void) | undefined,
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
  if (!claim.fresh) {
    const repeated = { threadId: claim.threadId, runId: claim.runId, queued: false };
    onAccepted?.(repeated);
    return { ok: true, fresh: false, ...repeated };
  }
  // Queued runs count: every accepted run not yet ended is in flight (docs/protocol.md, "Busy threads").
  if (scope.runsInFlight > limits.maxRunsInFlightPerUser) {
    await bus.messages.release(scope.userId, request.clientMsgId);
    return refuse('too_many_runs', `at most ${limits.maxRunsInFlightPerUser} runs in flight; wait for one to end`);
  }
  const run = { userId: scope.userId, threadId: claim.threadId, runId: claim.runId };
  const entered = await enterThread(bus, run, request.ifBusy ?? 'queue', newThread, request.clientMsgId);
  if (!entered) return refuse('thread_busy', 'thread_id: the thread has a run in flight (if_busy: "reject"); nothing was appended');
  const ids: AcceptedIds = { threadId: claim.threadId, runId: claim.runId, queued: entered.queued };
  const undo = () => forget(bus, run, request.clientMsgId);
  const at = new Date().toISOString();
  const userMessage = text === undefined ? undefined : {
    message_id: userMessageId(claim.runId),
    role: 'user' as const,
    run_id: claim.runId,
    client_msg_id: request.clientMsgId,
    text,
    created_at: at,
    ...(ids.queued && { queued: true as const }),
  };
  try {
    // Accepted means durable (docs/protocol.md, History): the thread and the user message are
    // in the store before message_accepted is sent.
    if (newThread) {
      const created = await store.threads.create({ threadId: claim.threadId, userId: scope.userId, title: threadTitle(text ?? request.title ?? agent.name), at });
      // An id the caller chose that exists already is someone's thread: refuse, revealing nothing.
      if (!created) {
        await undo();
        return refuse('forbidden', 'thread_id: no such thread of yours');
      }
    } else await store.threads.touch(claim.threadId, at);
    if (userMessage) await store.messages.addUser({ threadId: claim.threadId, userId: scope.userId, message: userMessage, mark: UNMARKED });
    // An agent-initiated run has no user message to anchor it in history: its assistant message
    // is stored from the start instead, so a snapshot taken before its first checkpoint shows it.
    else await store.messages.putAssistant({ threadId: claim.threadId, userId: scope.userId, message: MessageCompactor.start(claim.runId, agent.name, at).message(), mark: UNMARKED });
  } catch (error) {
    await undo();
    if (isAgentwireError(error, 'AW_ERR_STORE_UNAVAILABLE')) return refuse('unavailable', HISTORY_DOWN);
    throw error;
  }
  try {
    onAccepted?.(ids);
    if (userMessage) {
      const appended = await bus.log.append(scope.userId, {
        type: 'user_message',
        thread_id: claim.threadId,
        run_id: claim.runId,
        data: { text: userMessage.text, client_msg_id: request.clientMsgId, ...(ids.queued && { queued: true as const }) },
      });
      const mark = { epoch: appended.epoch, seq: appended.seq, terminalSeq: null };
      deps.writer.eventually(() => store.messages.mark(userMessage.message_id, mark), `stream mark of ${userMessage.message_id}`);
    }
  } catch (error) {
    // Nothing of this run reached the stream: forget the claim so that resending the same
    // client_msg_id starts it, instead of answering message_accepted for a run that never ran.
    await Promise.allSettled([
      undo(),
      // The agent-initiated run's stored message must not show it running forever.
      ...(userMessage ? [] : [store.messages.putAssistant({ threadId: claim.threadId, userId: scope.userId, message: neverStarted(claim, agent.name, at), mark: UNMARKED })]),
    ]);
    throw error;
  }
  // Started first: whatever happens next, an accepted run gets its terminal event.
  runner.start({ scope, agent, threadId: claim.threadId, runId: claim.runId, text: text ?? '', clientTools: request.clientTools });
  // Interrupt: the earlier runs end `cancelled`; this one starts once they have (its place in the queue).
  const stops = await Promise.allSettled(entered.interrupt.map((runId) => bus.runs.requestStop(runId, 'interrupted')));
  for (const stop of stops) {
    // The new run then waits for them to end on their own, as a queued one does.
    if (stop.status === 'rejected') options.logger.warn({ err: stop.reason as unknown, runId: claim.runId }, 'interrupt not delivered');
  }
  return { ok: true, fresh: true, ...ids };
}

/**
 * Registers the run and puts it in its thread's queue under the `if_busy` policy
 * (docs/protocol.md, "Busy threads"). Undefined for `reject` on a busy thread: then
 * nothing of the run is left behind. Runs ahead that already ended are dropped first, so
 * a thread whose run's process died is not taken for busy.
 */
async function enterThread(
  bus: Bus,
  run: QueuedRun,
  ifBusy: IfBusy,
  newThread: boolean,
  clientMsgId: string,
): Promise<{ queued: boolean; interrupt: readonly string[] } | undefined> {
  await bus.runs.register(run);
  try {
    if (!newThread) await dropEndedRuns(bus, run);
    const ahead = await bus.queues.enter(run.userId, run.threadId, run.runId, { onlyIfIdle: ifBusy === 'reject' });
    if (ahead === undefined) {
      await forget(bus, run, clientMsgId, false);
      return undefined;
    }
    return { queued: ifBusy === 'queue' && ahead.length > 0, interrupt: ifBusy === 'interrupt' ? ahead : [] };
  } catch (error) {
    await forget(bus, run, clientMsgId);
    throw error;
  }
}

/** Undoes an acceptance that did not reach the stream: the claim, the run record, its queue place. */
async function forget(bus: Bus, run: QueuedRun, clientMsgId: string, queued = true): Promise<void> {
  await Promise.allSettled([bus.messages.release(run.userId, clientMsgId), bus.runs.finish(run.runId)]);
  if (queued) await bus.queues.leave(run.userId, run.threadId, run.runId).catch(() => undefined);
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
