import type { ErrorCode } from '../errors.js';

/**
 * The close-code policy of docs/protocol.md ("Close codes"), in one table: each code's
 * number, what it means, what a client should do (the doc's words) and what the client
 * SDK does (`action`). The server closes with `CloseCode.*`; the SDK decides with
 * `closePolicy()`. test/unit/close-codes.test.ts checks this table against the doc's.
 */

/**
 * What the client SDK does after a close:
 * - `reconnect`: reconnect with backoff, resuming from its `last_seq`;
 * - `refresh-token`: get a new token, then reconnect (stop if it has no way to get one);
 * - `stop`: go offline: reconnecting with the same credentials or frames cannot help.
 */
export type CloseAction = 'reconnect' | 'refresh-token' | 'stop';

export interface CloseCodePolicy {
  readonly code: number;
  /** The doc's "meaning" column. */
  readonly meaning: string;
  /** The doc's "client should" column. */
  readonly clientShould: string;
  readonly action: CloseAction;
  /** The error the SDK goes offline with, when `action` ends in stopping. */
  readonly clientError?: ErrorCode;
  /** Extra backoff steps before reconnecting, for closes that ask for a longer pause. */
  readonly backoffPenalty?: number;
}

export const CLOSE_POLICY = {
  normal: { code: 1000, meaning: 'normal', clientShould: 'not reconnect unless it wants to', action: 'reconnect' },
  goingAway: { code: 1001, meaning: 'server going away (shutdown, deploy)', clientShould: 'reconnect with `last_seq`', action: 'reconnect' },
  protocolError: { code: 1002, meaning: 'protocol error: subprotocol `agentwire.v1` not offered', clientShould: 'fix the client', action: 'stop', clientError: 'AW_ERR_CLIENT_FATAL_CLOSE' },
  invalidPayload: {
    code: 1007,
    meaning: 'invalid UTF-8 in a text frame (sent by `ws`)',
    clientShould: 'reconnect with backoff and `last_seq`; fix the client',
    action: 'reconnect',
  },
  unauthorized: {
    code: 1008,
    meaning: 'unauthorized: bad token or reused ticket',
    clientShould: 'not reconnect with the same credentials',
    action: 'stop',
    clientError: 'AW_ERR_CLIENT_UNAUTHORIZED',
  },
  tooBig: { code: 1009, meaning: 'frame too big', clientShould: 'fix the client', action: 'stop', clientError: 'AW_ERR_CLIENT_FATAL_CLOSE' },
  internalError: {
    code: 1011,
    meaning: 'internal error — a bug; never the result of client input',
    clientShould: 'reconnect with backoff',
    action: 'reconnect',
  },
  tryAgainLater: {
    code: 1013,
    meaning: 'try again later: overloaded, or this socket fell too far behind',
    clientShould: 'reconnect with backoff and `last_seq`',
    action: 'reconnect',
  },
  tokenExpired: {
    code: 4001,
    meaning: 'token expired or revoked',
    clientShould: 'get a new token, reconnect',
    action: 'refresh-token',
    clientError: 'AW_ERR_CLIENT_TOKEN_EXPIRED',
  },
  tooManyRequests: {
    code: 4029,
    meaning: 'rate limit abused, or too many connections for this user',
    clientShould: 'back off',
    action: 'reconnect',
    backoffPenalty: 3,
  },
} as const satisfies Record<string, CloseCodePolicy>;

type CloseCodeName = keyof typeof CLOSE_POLICY;

/** The numbers by name, for closing: `ws.close(CloseCode.tryAgainLater, reason)`. */
export const CloseCode = Object.freeze(
  Object.fromEntries(Object.entries(CLOSE_POLICY).map(([name, policy]) => [name, policy.code])) as {
    readonly [K in CloseCodeName]: (typeof CLOSE_POLICY)[K]['code'];
  },
);

export type CloseCodeValue = (typeof CloseCode)[CloseCodeName];

const BY_CODE: ReadonlyMap<number, CloseCodePolicy> = new Map(Object.values(CLOSE_POLICY).map((policy) => [policy.code, policy]));

/** The policy of a close code; undefined for codes the protocol does not assign (e.g. 1006, abnormal closure). */
export function closePolicy(code: number): CloseCodePolicy | undefined {
  return BY_CODE.get(code);
}
