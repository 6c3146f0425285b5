// The one public entry point of `agentwire/client`: re-exports only.
export * from './client/client.js';
export type * from './client/client-types.js';
export { ServerRejectionError, RunFailedError } from './client/client-errors.js';
export { RunStream, type RunResult } from './client/run-stream.js';
export type { ClientToolHandler, ClientToolCall, ClientToolsOptions, ClientToolAnswer } from './client/client-tools.js';
export type { StreamPosition } from './client/stream-cursor.js';
export type { BackoffOptions } from './client/backoff.js';
export type { CredentialOptions } from './client/credentials.js';
export type { SocketFactory, SocketLike, SocketRequest } from './client/socket-factory.js';
export { AgentwireError, isAgentwireError, type ErrorCode } from './errors.js';
export * from './protocol/types.js';
export { CloseCode } from './protocol/close-codes.js';
