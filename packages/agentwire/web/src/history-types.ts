/**
 * The durable-history routes of PROTOCOL.md "History (protocol 1.1)", as the page reads them.
 * Kept here until the protocol types carry them (to be reconciled on merge with src/protocol).
 */
export type RunStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'timeout' | 'shutdown';

export interface UserMessage {
  message_id: string;
  role: 'user';
  run_id: string;
  client_msg_id: string;
  text: string;
  created_at: string;
}

export type AssistantPart =
  | { type: 'thinking'; text: string }
  | { type: 'tool_call'; tool_call_id: string; tool_name: string; args: unknown; result?: unknown; error?: string; duration_ms?: number }
  | { type: 'text'; text: string }
  // Parts of later protocol versions (approval, data) are skipped by this page.
  | { type: string; [key: string]: unknown };

export interface AssistantMessage {
  message_id: string;
  role: 'assistant';
  run_id: string;
  agent_name: string;
  status: RunStatus;
  parts: AssistantPart[];
  text: string;
  error?: { code: string; message: string };
  created_at: string;
  completed_at?: string;
  duration_ms?: number;
}

export type HistoryMessage = UserMessage | AssistantMessage;

export interface StreamMark {
  epoch: string;
  last_seq: number;
}

/** `GET /threads/:id/messages` */
export interface ThreadSnapshot {
  thread_id: string;
  title: string;
  messages: HistoryMessage[];
  next_before: string | null;
  stream: StreamMark;
}

/** `GET /threads` */
export interface ThreadPage<T> {
  threads: T[];
  next_cursor: string | null;
}

/** The thread events of protocol 1.1 (not yet in the SDK's event union). */
export type ThreadChange = { type: 'thread_updated'; seq: number; thread_id: string; data: { title: string } } | { type: 'thread_deleted'; seq: number; thread_id: string };

export function asThreadChange(event: { type: string }): ThreadChange | undefined {
  return event.type === 'thread_updated' || event.type === 'thread_deleted' ? (event as ThreadChange) : undefined;
}
