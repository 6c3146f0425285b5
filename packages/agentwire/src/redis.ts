// The entry point of `agentwire/redis`: re-exports only. The Redis stream engine has its
// own subpath so that `import 'agentwire'` does not load ioredis (docs/architecture.md,
// "Entry points").
export { createRedisBus, RedisBus, type RedisBusOptions } from './bus/redis/redis-bus.js';
