// The entry point of `agentwire/llm`: re-exports only. The OpenAI-compatible agent has its
// own subpath so that `import 'agentwire'` does not load openai (docs/architecture.md,
// "Entry points").
export { createLlmAgent, type LlmAgentOptions } from './agents/llm/llm-agent.js';
export { LlmError } from './agents/llm/errors.js';
