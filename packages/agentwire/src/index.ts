// The main entry point of `agentwire`: re-exports only. The heavy optional parts have
// their own subpaths (`agentwire/redis`, `agentwire/llm`, `agentwire/server`, `agentwire/store`), so this one
// loads no Redis, OpenAI, metrics or SQL client (docs/architecture.md, "Entry points").

export { createGateway, Gateway, type GatewayHealth, type GatewayRunRequest, type RunWatch, type AgentSummary } from './gateway/gateway.js';
export type { StartRunOutcome, StopRunOutcome } from './gateway/run-requests.js';
export type { GatewayOptions } from './gateway/options.js';
export type { UserScope, RunHandle } from './gateway/user-scope.js';
export { userContext, type UserContext } from './gateway/user-context.js';

export { Notifier, type ToolOutcome, type ApprovalAsk, type ApprovalDecision } from './notifier/notifier.js';
export type { GoldenPathState } from './notifier/golden-path.js';

export type { Agent, AgentContext, AgentInput, ThreadTurn } from './agents/types.js';
export { callTool, type ToolCallOutcome } from './agents/call-tool.js';
export { ToolRegistry, type Tool, type ToolContext, type Notebook, type JsonSchemaObject } from './agents/tools/registry.js';
export { builtinTools } from './agents/tools/builtin.js';
export { createDemoAgent } from './agents/demo-agent.js';
export {
  RunInteractions,
  type ApprovalRequest,
  type ClientToolOutcome,
  type InteractionSettings,
} from './interaction/run-interactions.js';

export { createMemoryBus, MemoryBus, type MemoryBusOptions } from './bus/memory/memory-bus.js';
export type * from './bus/types.js';
export { DEFAULT_RETENTION } from './bus/types.js';

export { createMemoryStore, type MemoryStoreOptions } from './store/memory-store.js';
export type * from './store/types.js';
export type { HistoryOptions } from './gateway/options.js';
export { ThreadService } from './history/thread-service.js';
export type { ThreadSnapshot } from './history/snapshot.js';

export { createJwtVerifier, type JwtOptions, type TokenVerifier, type VerifiedToken } from './auth/jwt.js';
export { createDevLogin, type DevLogin } from './auth/dev-login.js';

export { AgentwireError, ErrorCodes, isAgentwireError, type ErrorCode } from './errors.js';
export { silentLogger, type Logger } from './logger.js';
export { CloseCode } from './protocol/close-codes.js';
export { DEFAULT_LIMITS, type Limits } from './protocol/limits.js';
export * from './protocol/types.js';
