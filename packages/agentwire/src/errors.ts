/**
 * The one catalogue of agentwire's coded errors. Every error the library throws is an
 * `AgentwireError` whose `code` comes from this table, so callers branch on codes,
 * never on message text.
 */
export const ErrorCodes = {
  AW_ERR_CONFIG: 'invalid configuration',
  AW_ERR_AUTH_INVALID: 'token missing, malformed or wrongly signed',
  AW_ERR_AUTH_EXPIRED: 'token expired',
  AW_ERR_TICKET_INVALID: 'ticket unknown, expired or already used',
  AW_ERR_NOTIFIER_NOT_STARTED: 'run event before agent_started',
  AW_ERR_NOTIFIER_ALREADY_STARTED: 'agent_started emitted twice',
  AW_ERR_NOTIFIER_ENDED: 'run event after the terminal event',
  AW_ERR_NOTIFIER_UNKNOWN_TOOL_CALL: 'tool_completed for an unknown or completed tool_call_id',
  AW_ERR_NOTIFIER_DUPLICATE_TOOL_CALL: 'tool_executing with a tool_call_id already used in this run',
  AW_ERR_NOTIFIER_TOOL_CALLS_OPEN: 'agent_completed while tool calls are still open',
  AW_ERR_NOTIFIER_DATA: 'agent_data outside its limits (name 1-64 characters, data at most 16 KiB of JSON)',
  AW_ERR_NOTIFIER_USAGE: 'usage counts must be non-negative whole numbers',
  AW_ERR_NOTIFIER_DUPLICATE_APPROVAL: 'tool_approval_requested with a tool_call_id already asked about in this run',
  AW_ERR_NOTIFIER_UNKNOWN_APPROVAL: 'tool_approval_resolved for an unknown or resolved request',
  AW_ERR_NOTIFIER_APPROVALS_OPEN: 'terminal event while approval requests are still open',
  AW_ERR_UNKNOWN_AGENT: 'no agent registered under that name',
  AW_ERR_UNKNOWN_TOOL: 'no tool registered under that name',
  AW_ERR_TOOL_INPUT: 'tool arguments are invalid',
  AW_ERR_LLM_ENDPOINT: 'the model endpoint failed',
  AW_ERR_LLM_MAX_STEPS: 'the model did not answer within its step limit',
  AW_ERR_BUS_UNAVAILABLE: 'the event bus is unreachable',
  AW_ERR_STORE_UNAVAILABLE: 'the store (database) is unreachable',
  AW_ERR_STORE_CURSOR: 'the pagination cursor is malformed or of another list',
  AW_ERR_STORE_OPEN: 'the store cannot be opened',
  AW_ERR_RUN_ENDED: 'the run already has its terminal event; nothing may follow it',
  AW_ERR_GATEWAY_CLOSED: 'the gateway is closed',
  AW_ERR_CLIENT_QUEUE_FULL: 'the client outbound queue is full; wait until the connection is back',
  AW_ERR_CLIENT_CLOSED: 'the client was closed',
  AW_ERR_CLIENT_UNAUTHORIZED: 'the server refused the credentials (close 1008); the client will not reconnect with them',
  AW_ERR_CLIENT_TOKEN_EXPIRED: 'the token expired (close 4001) and no getToken callback was given',
  AW_ERR_CLIENT_FATAL_CLOSE: 'the server closed the connection with a code the client must not retry',
  AW_ERR_CLIENT_CREDENTIALS: 'the getToken or getTicket callback failed',
  AW_ERR_CLIENT_REFRESH_FAILED: 'the in-band token refresh failed; the connection ends at the old exp and reconnects with a new token',
  AW_ERR_CLIENT_REJECTED: 'the server answered the frame with an error',
  AW_ERR_CLIENT_RESUME_GAP: 'events of this run were lost in a resume gap; refetch the thread over HTTP',
  AW_ERR_CLIENT_RUN_FAILED: 'the run ended with agent_error',
  AW_ERR_CLIENT_NO_WEBSOCKET: 'no WebSocket implementation found (install the ws package on Node < 22)',
  AW_ERR_CLIENT_OPTIONS: 'invalid client options',
  AW_ERR_PRODUCER_REFUSED: 'the producer API refused the request',
  AW_ERR_PRODUCER_STOPPED: 'the run ended without its producer (stop_agent, silence timeout or shutdown); stop working on it',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class AgentwireError extends Error {
  override readonly name = 'AgentwireError';
  readonly code: ErrorCode;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${ErrorCodes[code]}: ${detail}` : ErrorCodes[code], options);
    this.code = code;
  }
}

export function isAgentwireError(error: unknown, code?: ErrorCode): error is AgentwireError {
  return error instanceof AgentwireError && (code === undefined || error.code === code);
}
