import { DEFAULTS } from '../defaults.js';
import type { StreamEvent, StreamEventDraft } from '../protocol/types.js';

/**
 * The Bus is the one seam between where events are produced and where sockets are:
 * the per-user event log (sequence, retention, replay), live fan-out, and the small
 * amount of shared state every gateway process must agree on. Two engines implement
 * it: memory (one process) and Redis (several processes).
 */

/** An event once appended: the object, its JSON text (serialised once) and its owner. */
export interface AppendedEvent {
  readonly userId: string;
  /** The stream life the event's seq belongs to (see `StreamHead.epoch`). */
  readonly epoch: string;
  /** `event.seq`, readable without `event`: a received event is read only when asked (received-event.ts). */
  readonly seq: number;
  readonly event: StreamEvent;
  /** The exact JSON text sent on every socket of the user. */
  readonly frame: string;
}

export interface StreamHead {
  /** One life of the user's stream; changes whenever its history was lost. */
  readonly epoch: string;
  /** Newest seq, 0 when the stream is empty. */
  readonly lastSeq: number;
  /** Oldest retained seq; `lastSeq + 1` when nothing is retained. */
  readonly oldestSeq: number;
}

export interface ReadResult extends StreamHead {
  /** Retained events with `seq > after`, in order. */
  readonly events: readonly AppendedEvent[];
}

export type StreamListener = (appended: AppendedEvent) => void;

/**
 * Told that the followed stream lost its history (a flushed Redis: new `epoch`, seqs
 * restart), so positions held by the follower mean nothing any more. The follower gets
 * no further events; it must resume (a socket: close with 1013 so the client resumes).
 */
export type StreamResetListener = (epoch: string) => void;

export interface Subscription {
  /** Resolves once live events are flowing to the listener. */
  readonly ready: Promise<void>;
  close(): void;
}

export interface EventLog {
  /** Gives the draft the next seq of the user's stream, retains it, then fans it out. */
  append(userId: string, draft: StreamEventDraft): Promise<AppendedEvent>;
  /**
   * `append` done before returning, for an engine that appends in this process (memory):
   * the appended event, or the coded error thrown. Optional; a caller with it saves the
   * promise and its reaction per event (issue 19, "allocations per event").
   */
  appendNow?(userId: string, draft: StreamEventDraft): AppendedEvent;
  head(userId: string): Promise<StreamHead>;
  readAfter(userId: string, afterSeq: number): Promise<ReadResult>;
  /**
   * True once the run's terminal event is appended (remembered for the retention age): a
   * run ends on the stream a moment before its process marks it finished in the run
   * directory, and its thread is free from then on (docs/protocol.md, "Busy threads").
   */
  hasEnded(userId: string, runId: string): Promise<boolean>;
  subscribe(userId: string, listener: StreamListener, onReset?: StreamResetListener): Subscription;
}

export interface MessageClaim {
  /** False when this `client_msg_id` was already accepted; the ids are then the original ones. */
  readonly fresh: boolean;
  readonly threadId: string;
  readonly runId: string;
}

/** Remembers accepted `client_msg_id`s so a resent message never starts a second run. */
export interface MessageLedger {
  claim(userId: string, clientMsgId: string, proposal: { threadId: string; runId: string }): Promise<MessageClaim>;
  /** Forgets a claim whose run could not be started, so the client may retry it. */
  release(userId: string, clientMsgId: string): Promise<void>;
}

export type RunStatus = 'running' | 'finished';

export interface RunRecord {
  readonly runId: string;
  readonly userId: string;
  readonly threadId: string;
  readonly status: RunStatus;
}

/**
 * Why a stop was requested: `user` (stop_agent, a deleted thread) or `interrupted` (a newer
 * message of the thread sent with `if_busy: "interrupt"`, protocol 1.2). Both end the run
 * with `cancelled`; the reason only chooses its message.
 */
export type StopReason = 'user' | 'interrupted';

/** Which runs exist, who owns them, and the stop requests that must reach them anywhere. */
export interface RunDirectory {
  register(run: { runId: string; userId: string; threadId: string }): Promise<void>;
  finish(runId: string): Promise<void>;
  get(runId: string): Promise<RunRecord | undefined>;
  /** Delivers a stop request to whichever process executes the run (reason default `user`). */
  requestStop(runId: string, reason?: StopReason): Promise<void>;
  onStopRequested(listener: (runId: string, reason: StopReason) => void): () => void;
}

/**
 * The order of each thread's runs (protocol 1.2, "Busy threads"; docs/protocol.md): a run
 * enters its thread's queue when accepted and leaves it when it has ended; only the head
 * may execute, so the runs of one thread never overlap, whichever processes execute them.
 * A run that ended without leaving (its process died) is recognised by its run record
 * (`finished` or gone) and dropped by whoever waits behind it (gateway/thread-turns.ts).
 */
export interface ThreadQueue {
  /**
   * Appends the run to its thread's queue and resolves with the runs ahead of it, head
   * first. With `onlyIfIdle`, appends only to an empty queue and resolves undefined when
   * the queue was not empty (nothing appended).
   */
  enter(userId: string, threadId: string, runId: string, options?: { onlyIfIdle?: boolean }): Promise<readonly string[] | undefined>;
  /** The thread's queued runs, head first. */
  list(userId: string, threadId: string): Promise<readonly string[]>;
  /** Takes the run out of its thread's queue and tells every process the thread may have advanced. */
  leave(userId: string, threadId: string, runId: string): Promise<void>;
  /** Called, on every process, when a thread's queue may have advanced (a run left it). */
  onAdvanced(listener: (threadId: string) => void): () => void;
}

/**
 * Requests about a user's sessions that must reach every process: `disconnectUser` (logout,
 * ban, password change) closes that user's sockets wherever they are, as a stop request
 * reaches a run wherever it executes.
 */
export interface SessionControl {
  /** Delivers the request to every process, this one included (its listeners run before this resolves). */
  requestDisconnect(userId: string): Promise<void>;
  onDisconnectRequested(listener: (userId: string) => void): () => void;
}

/** The two questions a run may wait on (protocol 1.2): an approval, or a client tool's outcome. */
export type PendingKind = 'approval' | 'client_tool';

/** One question of one run: the key every process resolves it under. */
export interface PendingRef {
  readonly runId: string;
  readonly toolCallId: string;
  readonly kind: PendingKind;
}

/**
 * What settled a request: the user's answer, its timeout, or the run's end. `value` is the
 * kind's payload (an approval's `{ approved, reason }`, a client tool's `{ result }` or `{ error }`).
 */
export interface PendingAnswer {
  readonly by: 'user' | 'expired' | 'cancelled';
  readonly value: unknown;
}

export type SettleOutcome =
  | { readonly outcome: 'won' }
  | { readonly outcome: 'already_resolved'; readonly answer: PendingAnswer }
  /** No such open or settled request of that kind (never opened, or forgotten after `keepMs`). */
  | { readonly outcome: 'unknown' };

/**
 * The questions runs are waiting on, resolved exactly once across tabs and processes
 * (docs/protocol.md, "Approvals" and "Client tools"): the first `settle` of a request wins
 * atomically, later ones learn the winning answer. The process whose run waits hears of an
 * answer given anywhere, as a stop request reaches a run wherever it executes.
 */
export interface PendingRequests {
  /** Records the request as open; it is remembered `keepMs`, so a late answer is told it was taken. */
  open(ref: PendingRef, keepMs: number): Promise<void>;
  settle(ref: PendingRef, answer: PendingAnswer): Promise<SettleOutcome>;
  /** Told of every winning `settle`, on this process and the others. */
  onSettled(listener: (ref: PendingRef, answer: PendingAnswer) => void): () => void;
}

/** Pending (issued, unredeemed, unexpired) tickets one user may hold; issuing more drops the one that expires first. */
export const MAX_PENDING_TICKETS_PER_USER = 20;

export interface RedeemedTicket {
  readonly userId: string;
  /**
   * `exp` (ms) of the token that bought the ticket, so a ticket socket ends with its token
   * (docs/protocol.md, "Connecting"); undefined only for a ticket issued without one.
   */
  readonly expiresAtMs: number | undefined;
}

export interface TicketStore {
  /**
   * A single-use ticket for `userId`, valid `ttlMs` and never past `tokenExpiresAtMs` (the
   * buying token's `exp`, carried to the socket). Beyond MAX_PENDING_TICKETS_PER_USER
   * pending tickets of the user, the one that expires first is dropped (never refused, so a
   * user opening many tabs is not locked out, and one account cannot grow the store).
   */
  issue(userId: string, ttlMs: number, tokenExpiresAtMs?: number): Promise<{ ticket: string; expiresAt: Date }>;
  /** Returns the ticket's user and token expiry once; every later call for the same ticket returns undefined. */
  redeem(ticket: string): Promise<RedeemedTicket | undefined>;
}

/**
 * Stores the final message of a run that another process ends because its own process
 * died (the orphan reaper), before the closing events are appended: the store's rule that
 * a run's end is durable before any socket sees it holds for orphans too.
 */
export type OrphanHistory = (
  run: { readonly userId: string; readonly threadId: string; readonly runId: string },
  runEvents: readonly StreamEvent[],
  closing: readonly StreamEventDraft[],
  epoch: string,
) => Promise<void>;

export type BusHealth = 'ok' | 'degraded';

export interface Bus {
  readonly engine: 'memory' | 'redis';
  readonly log: EventLog;
  readonly messages: MessageLedger;
  readonly runs: RunDirectory;
  readonly queues: ThreadQueue;
  readonly tickets: TicketStore;
  readonly sessions: SessionControl;
  /** Approvals and client tool calls waiting for the user (protocol 1.2). */
  readonly pending: PendingRequests;
  health(): BusHealth;
  /** Engines that end other processes' runs (Redis) call this before they do (see `OrphanHistory`). */
  setOrphanHistory?(history: OrphanHistory): void;
  /** Frees what the engine holds in this process for an idle user. */
  releaseUser(userId: string): void;
  close(): Promise<void>;
}

export interface RetentionOptions {
  /** Newest events kept per user (default 1,000). */
  maxEvents: number;
  /** Age past which an event is dropped (default 15 minutes). */
  maxAgeMs: number;
  /**
   * Bytes of event frames kept per user (default 8 MiB; the memory engine only, see
   * docs): the oldest events are dropped beyond it, so one account's large events cannot
   * make every resume and thread read re-parse megabytes (issue 12). The newest event is
   * always kept.
   */
  maxBytes: number;
}

/** Default of `RetentionOptions.maxBytes`: a library option, with no environment variable of its own. */
export const DEFAULT_RETENTION_MAX_BYTES = 8 * 1024 * 1024;

export const DEFAULT_RETENTION: RetentionOptions = Object.freeze({
  maxEvents: DEFAULTS.retentionEvents.value,
  maxAgeMs: DEFAULTS.retentionMs.value,
  maxBytes: DEFAULT_RETENTION_MAX_BYTES,
});
