/**
 * The wire contract of docs/protocol.md, version 1, as TypeScript types. Server and client
 * both import these: there is one definition of every frame.
 */

export const PROTOCOL_VERSION = 1;
export const SUBPROTOCOL = 'agentwire.v1';
/** Prefix of the subprotocol entry that carries a JWT for browsers (`bearer.<jwt>`). */
export const BEARER_SUBPROTOCOL_PREFIX = 'bearer.';

/** Why a run ended without an answer (`agent_error.data.code`). */
export type RunErrorCode = 'failed' | 'cancelled' | 'timeout' | 'shutdown';

/** Token counts of a run, when its agent knows them (protocol 1.2, "Data and usage"). */
export interface RunUsage {
  input_tokens: number;
  output_tokens: number;
  total_tokens: number;
}

/** What a `user_message` does when its thread has a run in flight (protocol 1.2, "Busy threads"). */
export type IfBusy = 'queue' | 'reject' | 'interrupt';
export const IF_BUSY_POLICIES: readonly IfBusy[] = ['queue', 'reject', 'interrupt'];

/** Who runs a tool call: the agent's process (absent on the wire) or the user's front end (protocol 1.2). */
export type ToolExecutor = 'client';

/** What settled an approval request (protocol 1.2): the user's answer, its timeout, or the run's end. */
export type ApprovalResolution = 'user' | 'expired' | 'cancelled';

/** `data` of every user-stream event, by type. */
export interface StreamEventDataMap {
  /** `queued` (protocol 1.2): the run waits for the thread's earlier runs; absent otherwise. */
  user_message: { text: string; client_msg_id: string; queued?: true };
  agent_started: { agent_name: string };
  agent_thinking: { text: string };
  agent_message_delta: { message_id: string; delta: string };
  /** `executor: "client"` (protocol 1.2): the user's front end runs it and answers with `tool_result`. */
  tool_executing: { tool_call_id: string; tool_name: string; args: unknown; executor?: ToolExecutor };
  tool_completed: {
    tool_call_id: string;
    tool_name: string;
    result?: unknown;
    error?: string;
    duration_ms: number;
  };
  /** Typed extras a front end renders (protocol 1.2): `name` ≤ 64 chars, `data` ≤ 16 KiB of JSON. */
  agent_data: { name: string; data: unknown };
  agent_completed: { result: { text: string }; duration_ms: number; usage?: RunUsage };
  agent_error: { code: RunErrorCode; message: string; duration_ms: number; usage?: RunUsage };
  /** The run waits for the user to allow a tool call (protocol 1.2, "Approvals"). */
  tool_approval_requested: { tool_call_id: string; tool_name: string; args: unknown; reason?: string; expires_at: string };
  /** Exactly one per request, before the run's terminal event (protocol 1.2). */
  tool_approval_resolved: { tool_call_id: string; approved: boolean; reason?: string; resolution: ApprovalResolution };
  /** A thread was renamed (protocol 1.1). */
  thread_updated: { title: string };
  /** A thread was deleted (protocol 1.1). */
  thread_deleted: Record<string, never>;
}

export type StreamEventType = keyof StreamEventDataMap;

/** Events about a thread itself: they belong to no run and carry no `run_id` (protocol 1.1). */
export type ThreadEventType = 'thread_updated' | 'thread_deleted';
export type RunEventType = Exclude<StreamEventType, ThreadEventType>;

export function isThreadEventType(type: StreamEventType): type is ThreadEventType {
  return type === 'thread_updated' || type === 'thread_deleted';
}

export const STREAM_EVENT_TYPES: readonly StreamEventType[] = [
  'user_message',
  'agent_started',
  'agent_thinking',
  'agent_message_delta',
  'tool_executing',
  'tool_completed',
  'agent_data',
  'tool_approval_requested',
  'tool_approval_resolved',
  'agent_completed',
  'agent_error',
  'thread_updated',
  'thread_deleted',
];

/** An event before the user's stream has given it a `seq` and `ts`. */
export type StreamEventDraft<T extends StreamEventType = StreamEventType> = {
  [K in T]: K extends ThreadEventType
    ? { type: K; thread_id: string; run_id?: undefined; data: StreamEventDataMap[K] }
    : { type: K; thread_id: string; run_id: string; data: StreamEventDataMap[K] };
}[T];

/** A user-stream event as it travels on the wire and is retained for resume. */
export type StreamEvent<T extends StreamEventType = StreamEventType> = {
  [K in T]: K extends ThreadEventType
    ? { type: K; seq: number; ts: string; thread_id: string; run_id?: undefined; data: StreamEventDataMap[K] }
    : { type: K; seq: number; ts: string; thread_id: string; run_id: string; data: StreamEventDataMap[K] };
}[T];

/** `data` of every connection reply (not retained, no `seq`), by type. */
export interface ReplyDataMap {
  connection_established: {
    connection_id: string;
    user_id: string;
    protocol: number;
    last_seq: number;
    epoch: string;
    resumed: boolean;
    heartbeat_ms: number;
  };
  /** `queued` (protocol 1.2): the thread had a run in flight, so this run waits its turn. */
  message_accepted: { client_msg_id: string; thread_id: string; run_id: string; queued?: true };
  resume_gap: { requested_after: number; oldest_available: number; epoch: string };
  pong: { client_ts?: number | string };
  /** Answer to `refresh` (protocol 1.1): the connection now expires at `expires_at` (ISO 8601). */
  refreshed: { expires_at: string };
  error: { code: WireErrorCode; message: string; client_msg_id?: string; run_id?: string };
}

export type ReplyType = keyof ReplyDataMap;

export type Reply<T extends ReplyType = ReplyType> = {
  [K in T]: { type: K; data: ReplyDataMap[K] };
}[T];

/** Anything the server sends. */
export type ServerFrame = StreamEvent | Reply;

/** `error.data.code` values of docs/protocol.md, plus the documented extensions. */
export type WireErrorCode =
  | 'invalid_json'
  | 'unknown_type'
  | 'invalid_message'
  | 'forbidden'
  | 'not_running'
  | 'rate_limited'
  | 'unsupported_frame'
  | 'too_many_runs'
  | 'thread_busy'
  | 'unavailable'
  | 'unauthorized'
  | 'already_resolved'
  | 'internal';

/** Client → server frames. */
export interface UserMessageFrame {
  type: 'user_message';
  client_msg_id: string;
  text: string;
  thread_id?: string | undefined;
  agent?: string | undefined;
  /** Protocol 1.2; the server's default is `queue`. */
  if_busy?: IfBusy | undefined;
  /** Tools the front end offers for this run and runs itself (protocol 1.2, "Client tools"). */
  client_tools?: ClientToolSpec[] | undefined;
}
/** One tool a front end offers in `user_message.client_tools` (protocol 1.2). */
export interface ClientToolSpec {
  name: string;
  description: string;
  /** A JSON Schema object describing the arguments. */
  parameters: Record<string, unknown>;
}
/** The user's answer to `tool_approval_requested` (protocol 1.2). */
export interface ApproveToolFrame {
  type: 'approve_tool';
  run_id: string;
  tool_call_id: string;
  approved: boolean;
  reason?: string | undefined;
}
/** The front end's outcome of a client tool call (protocol 1.2): `result` or `error`. */
export type ToolResultFrame = {
  type: 'tool_result';
  run_id: string;
  tool_call_id: string;
} & ({ result: unknown; error?: undefined } | { error: string; result?: undefined });
export interface StopAgentFrame {
  type: 'stop_agent';
  run_id: string;
}
export interface PingFrame {
  type: 'ping';
  /** A number or a string of at most 64 characters (docs/protocol.md). */
  client_ts?: number | string | undefined;
}
/** A new token of the connection's user, so a long-lived socket renews before `exp` (protocol 1.1). */
export interface RefreshFrame {
  type: 'refresh';
  token: string;
}
export type ClientFrame = UserMessageFrame | StopAgentFrame | PingFrame | RefreshFrame | ApproveToolFrame | ToolResultFrame;
export type ClientFrameType = ClientFrame['type'];

/** Thread summary as served by `GET /threads`. */
export interface ThreadSummary {
  thread_id: string;
  title: string;
  created_at: string;
  updated_at: string;
}
