/**
 * The store: what outlives the stream (docs/architecture.md, "Stream and store"). Threads,
 * their messages (each run compacted into one assistant message, docs/protocol.md
 * "History") and the demo tools' notes. Three engines implement it: memory (tests and the
 * library default), SQLite (the standalone server's embedded default) and PostgreSQL
 * (production, shared by every process).
 *
 * Every operation of a store that cannot be reached rejects with `AW_ERR_STORE_UNAVAILABLE`;
 * bad input a caller could have checked (an unknown cursor) rejects with `AW_ERR_STORE_CURSOR`.
 */

import type { RunUsage } from '../protocol/types.js';

export interface ThreadRecord {
  readonly threadId: string;
  readonly userId: string;
  readonly title: string;
  /** ISO 8601, UTC, milliseconds. */
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface ThreadPage {
  /** Most recently updated first (ties: thread id descending). */
  readonly threads: ThreadRecord[];
  /** Opaque; null on the last page. */
  readonly nextCursor: string | null;
}

export interface ThreadStore {
  /** Creates the thread; resolves `false` (and changes nothing) when the id already exists. */
  create(record: { threadId: string; userId: string; title: string; at: string }): Promise<boolean>;
  get(threadId: string): Promise<ThreadRecord | undefined>;
  /**
   * One page of the user's threads. Keyset pagination on (updated_at, thread_id): a thread
   * created or touched after the first page was read is never repeated nor does it push
   * another one out of a later page.
   */
  list(userId: string, page: { limit: number; cursor?: string | undefined }): Promise<ThreadPage>;
  /** Moves `updatedAt` forward (never back); no-op for an unknown id. */
  touch(threadId: string, at: string): Promise<void>;
  /** The renamed record, or undefined for an unknown id. */
  rename(threadId: string, title: string, at: string): Promise<ThreadRecord | undefined>;
  /** Deletes the thread and every message of it; false for an unknown id. */
  delete(threadId: string): Promise<boolean>;
}

export type AssistantStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'timeout' | 'shutdown';

export type MessagePart =
  | { readonly type: 'thinking'; readonly text: string }
  | {
      readonly type: 'tool_call';
      readonly tool_call_id: string;
      readonly tool_name: string;
      readonly args: unknown;
      readonly result?: unknown;
      readonly error?: string;
      readonly duration_ms?: number;
    }
  | { readonly type: 'text'; readonly text: string }
  /** An `agent_data` event (protocol 1.2). */
  | { readonly type: 'data'; readonly name: string; readonly data: unknown }
  /** protocol 1.2: an approval request, `pending` until its `tool_approval_resolved`. */
  | {
      readonly type: 'approval';
      readonly tool_call_id: string;
      readonly tool_name: string;
      readonly args: unknown;
      readonly status: ApprovalStatus;
    };

/** An approval part's state in history (docs/protocol.md, "Approvals"). */
export type ApprovalStatus = 'pending' | 'approved' | 'denied' | 'expired' | 'cancelled';

/** A user message exactly as `GET /threads/:id/messages` serves it. */
export interface UserMessage {
  readonly message_id: string;
  readonly role: 'user';
  readonly run_id: string;
  readonly client_msg_id: string;
  readonly text: string;
  readonly created_at: string;
  /**
   * Protocol 1.2, "Busy threads": accepted while its thread had a run in flight. History
   * serves it only until the run starts (docs/protocol.md, "Busy threads").
   */
  readonly queued?: true;
}

/** An assistant message (one compacted run) exactly as `GET /threads/:id/messages` serves it. */
export interface AssistantMessage {
  readonly message_id: string;
  readonly role: 'assistant';
  readonly run_id: string;
  readonly agent_name: string;
  readonly status: AssistantStatus;
  readonly parts: readonly MessagePart[];
  readonly text: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly created_at: string;
  readonly completed_at?: string;
  readonly duration_ms?: number;
  /** The terminal event's `usage`, when the agent reported it (protocol 1.2). */
  readonly usage?: RunUsage;
}

export type ThreadMessage = UserMessage | AssistantMessage;

/**
 * Where a stored message stands on its user's stream, so that a snapshot can say exactly
 * which stream position it reflects (docs/protocol.md, "Snapshot, then follow").
 * `epoch` names the stream life the seqs belong to.
 */
export interface StreamMark {
  readonly epoch: string;
  /**
   * User message: the seq of its `user_message` event, null until that event is appended.
   * Assistant message: the seq of the last event folded into it, its terminal event excluded.
   */
  readonly seq: number | null;
  /** Assistant message only: the seq of its terminal event, null until appended. */
  readonly terminalSeq: number | null;
}

export interface StoredMessage {
  readonly threadId: string;
  readonly userId: string;
  readonly message: ThreadMessage;
  readonly mark: StreamMark;
}

export interface MessagePage {
  /** Oldest first. */
  readonly messages: StoredMessage[];
  /** Opaque cursor for older messages; null when there are none. */
  readonly nextBefore: string | null;
}

export interface MessageStore {
  /** Stores a user message (before `message_accepted`); rejects if its message_id exists. */
  addUser(stored: StoredMessage & { message: UserMessage }): Promise<void>;
  /**
   * Inserts or replaces the assistant message of `message.run_id` (a checkpoint while the
   * run is in flight, the final message at its end). A message keeps the place of its
   * first insert: right after its run's user message, however late that insert comes
   * (conversation order, docs/protocol.md "agentwire's choices where the contract is
   * silent"). Resolves false, writing nothing, when the thread no longer exists.
   */
  putAssistant(stored: StoredMessage & { message: AssistantMessage }): Promise<boolean>;
  /** Records where a stored message's event landed on the stream (see `StreamMark`). */
  mark(messageId: string, mark: StreamMark): Promise<void>;
  get(messageId: string): Promise<StoredMessage | undefined>;
  /**
   * The newest `limit` messages of a thread before the cursor, oldest first, in
   * conversation order: runs in the order their user messages were stored, each run's
   * assistant message right after its user message. Keyset pagination: messages already
   * there when a client pages back are never repeated nor skipped (an answer first written
   * meanwhile shows on an older page when its question is there, else on the live stream).
   */
  page(threadId: string, page: { limit: number; before?: string | undefined }): Promise<MessagePage>;
}

export interface Note {
  readonly id: string;
  readonly text: string;
  readonly createdAt: string;
}

/** Bounds of one user's notebook (docs/deploy.md, "Security"). */
export interface NoteLimits {
  /** Notes kept per user; adding past it drops the oldest (default 200). */
  readonly maxNotes: number;
  /** Bytes of UTF-8 text kept per user; adding past it drops the oldest (default 64 KiB). */
  readonly maxBytes: number;
  /** Newest matches a search returns (default 20). */
  readonly maxResults: number;
}

export interface NoteStore {
  add(userId: string, text: string, at: string): Promise<Note>;
  /** Newest first, at most `maxResults`; words of the query matched case-insensitively. */
  search(userId: string, query: string): Promise<Note[]>;
  /** Deletes the given notes of this user (ids of other users are ignored); resolves how many went. */
  forget(userId: string, ids: readonly string[]): Promise<number>;
}

export type StoreEngine = 'memory' | 'sqlite' | 'postgres';
export type StoreHealth = 'ok' | 'degraded';

export interface Store {
  readonly engine: StoreEngine;
  readonly threads: ThreadStore;
  readonly messages: MessageStore;
  readonly notes: NoteStore;
  /** `degraded` while the last operation failed to reach the database; recovers by itself. */
  health(): StoreHealth;
  /** Account deletion: every thread, message and note of the user. */
  deleteUser(userId: string): Promise<void>;
  close(): Promise<void>;
}
