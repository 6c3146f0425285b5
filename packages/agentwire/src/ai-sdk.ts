// The entry point of `agentwire/ai-sdk`: agents written with the AI SDK (`streamText`,
// `ToolLoopAgent`) running in the gateway. A subpath of its own so that `import 'agentwire'`
// does not load `ai` (docs/architecture.md, "Entry points").
export { createAiSdkAgent, type AiSdkAgentOptions, type AiSdkRunInput, type AiSdkStreamSource } from './agents/ai-sdk/ai-sdk-agent.js';
export { streamToNotifier, type AiSdkStreamSummary } from './agents/ai-sdk/stream-to-notifier.js';
