// The one public entry point of `agentwire`: re-exports only.

export { createGateway, Gateway, type GatewayHealth, type GatewayRunRequest, type RunWatch, type AgentSummary } from './gateway/gateway.js';
export type { StartRunOutcome, StopRunOutcome } from './gateway/run-requests.js';
export type { GatewayOptions } from './gateway/options.js';
export type { UserScope, RunHandle } from './gateway/user-scope.js';
export { userContext, type UserContext } from './gateway/user-context.js';

export { Notifier, type ToolOutcome } from './notifier/notifier.js';
export type { GoldenPathState } from './notifier/golden-path.js';

export type { Agent, AgentContext, AgentInput, ThreadTurn } from './agents/types.js';
export { callTool, type ToolCallOutcome } from './agents/call-tool.js';
export { ToolRegistry, type Tool, type ToolContext, type Notebook, type JsonSchemaObject } from './agents/tools/registry.js';
export { builtinTools } from './agents/tools/builtin.js';
export { createDemoAgent } from './agents/demo-agent.js';
export { createLlmAgent, type LlmAgentOptions } from './agents/llm/llm-agent.js';
export { LlmError } from './agents/llm/errors.js';

export { createMemoryBus, MemoryBus, type MemoryBusOptions } from './bus/memory/memory-bus.js';
export { createRedisBus, RedisBus, type RedisBusOptions } from './bus/redis/redis-bus.js';
export type * from './bus/types.js';
export { DEFAULT_RETENTION } from './bus/types.js';

export { createJwtVerifier, type JwtOptions, type TokenVerifier, type VerifiedToken } from './auth/jwt.js';
export { createDevLogin, type DevLogin } from './auth/dev-login.js';

export { createHttpHandler, type HttpApiOptions } from './server/http-api.js';
export { createMetricsRegistry } from './server/metrics.js';
export { startServer, type RunningServer, type StandaloneOptions } from './server/standalone.js';
export { configFromEnv, type ServerConfig, type LlmConfig } from './server/config.js';
export { AguiEventMapper } from './server/agui/event-map.js';

export { AgentwireError, ErrorCodes, isAgentwireError, type ErrorCode } from './errors.js';
export { silentLogger, type Logger } from './logger.js';
export { CloseCode } from './protocol/close-codes.js';
export { DEFAULT_LIMITS, type Limits } from './protocol/limits.js';
export * from './protocol/types.js';
