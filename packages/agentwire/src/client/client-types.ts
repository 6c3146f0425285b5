import type { BackoffOptions } from './backoff.js';
import type { CredentialOptions } from './credentials.js';
import type { SocketFactory } from './socket-factory.js';
import type { StreamPosition } from './stream-cursor.js';
import type { AgentwireError } from '../errors.js';
import type { ClientToolsOptions } from './client-tools.js';
import type { ClientToolSpec, IfBusy, ReplyDataMap, StreamEvent, StreamEventType } from '../protocol/types.js';

/**
 * `connecting`: first attempt; `connected`: `connection_established` received;
 * `reconnecting`: lost or refused, retrying with backoff; `offline`: given up
 * (closed by the app, or a close code that must not be retried, e.g. 1008).
 */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

export interface ClientOptions extends CredentialOptions {
  /** The gateway's WebSocket endpoint, e.g. `wss://host/ws`. */
  url: string;
  backoff?: BackoffOptions;
  /** Frames allowed to wait for acknowledgement (sent or not yet sent); default 100. */
  maxQueue?: number;
  /** Resume from a saved position (e.g. kept in sessionStorage across a page reload). */
  resumeFrom?: StreamPosition;
  /** Random source for backoff jitter (tests pass a seeded one). */
  random?: () => number;
  /** Overrides how sockets are made (default: global WebSocket, else `ws`). */
  socketFactory?: () => Promise<SocketFactory>;
  /** Which tab runs a client tool call (protocol 1.2); see `registerClientTool`. */
  clientTools?: ClientToolsOptions;
}

export interface SendOptions {
  /** Post into an existing thread; omitted starts a new one. */
  threadId?: string;
  /** Agent name; omitted uses the server's default agent. */
  agent?: string;
  /** Supply your own idempotency key; default a random id. */
  clientMsgId?: string;
  /**
   * When the thread has a run in flight (protocol 1.2): `queue` (the server's default; the
   * accepted answer then has `queued: true`), `reject` (the send rejects with `thread_busy`)
   * or `interrupt` (the running run ends `cancelled`).
   */
  ifBusy?: IfBusy;
  /**
   * Tools offered to the agent for this run (`user_message.client_tools`, protocol 1.2);
   * default: every tool registered with `registerClientTool`.
   */
  clientTools?: readonly ClientToolSpec[];
}

export type Accepted = ReplyDataMap['message_accepted'];
export type Established = ReplyDataMap['connection_established'];
export type ResumeGap = ReplyDataMap['resume_gap'];

export interface StateChange {
  state: ConnectionState;
  previous: ConnectionState;
  /** Close code of the socket that was lost, when the change came from a close. */
  closeCode?: number;
  /** Delay before the next attempt, when reconnecting. */
  retryInMs?: number;
  error?: AgentwireError;
}

/** Every event the client emits: one per stream event type, plus connection events. */
export type ClientEventMap = { [K in StreamEventType]: StreamEvent<K> } & {
  /** Every user-stream event, once, in `seq` order. */
  event: StreamEvent;
  state: StateChange;
  connected: Established;
  /** History was lost: refetch threads over HTTP (`GET /threads/:id/events`). */
  resume_gap: ResumeGap;
  /** Server `error` frames no pending request claimed, and client-side failures. */
  error: AgentwireError;
};
