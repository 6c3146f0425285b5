// The entry point of `agentwire/react`: re-exports only. React hooks over the client SDK
// and the history routes (docs/react.md); React is a peer dependency, and nothing here
// loads server code.
export { useAgentwire, socketUrlFor, type Agentwire, type AgentwireOptions } from './react/use-agentwire.js';
export { useThreads, type Threads } from './react/use-threads.js';
export { useThread, type Thread, type ThreadStatus } from './react/use-thread.js';
export { useClientTool } from './react/use-client-tool.js';
export { ThreadFold, turnsOf, type ThreadTurnView } from './react/thread-fold.js';
export { AgentwireHttp, AgentwireHttpError, type AgentwireHttpOptions, type ThreadListPage, type AgentInfo } from './react/agentwire-http.js';
