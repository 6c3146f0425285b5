// The entry point of `agentwire/server`: re-exports only. The HTTP routes, metrics, AG-UI
// and the standalone server have their own subpath so that `import 'agentwire'` does not
// load prom-client, pino, openai or @ag-ui (docs/architecture.md, "Entry points").
export { createHttpHandler, type HttpApiOptions } from './server/http-api.js';
export { createMetricsRegistry } from './server/metrics.js';
export { startServer, type RunningServer, type StandaloneOptions } from './server/standalone.js';
export { configFromEnv, type ServerConfig, type LlmConfig } from './server/config.js';
export { createProducerApi, type ProducerApiOptions } from './server/producer/producer-api.js';
export type { ProducerApi } from './server/producer/producer-routes.js';
export { AguiEventMapper } from './server/agui/event-map.js';
export { attachAiSdkSocket, type AiSdkSocketEndpoint } from './server/ai-sdk/ws-endpoint.js';
export { UiChunkMapper, type AgentwireMessageMetadata } from './server/ai-sdk/chunk-map.js';
