// The one public entry point of `agentwire/client`: re-exports only.
export * from './client/client.js';
export * from './protocol/types.js';
export { CloseCode } from './protocol/close-codes.js';
