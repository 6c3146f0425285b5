import type { Bus } from '../../src/bus/types.js';
import { MemoryBus } from '../../src/bus/memory/memory-bus.js';
import type { RetentionOptions } from '../../src/bus/types.js';
import { purgeAndClose, requireRedisBus } from '../redis/support/redis-env.js';

export type EngineName = 'memory' | 'redis';

export interface EngineFactory {
  readonly name: EngineName;
  /** A fresh bus with its own key space, so test files never see each other's data. */
  create(options: { retention?: Partial<RetentionOptions> }): Promise<Bus>;
}

const memory: EngineFactory = {
  name: 'memory',
  create: async (options) => new MemoryBus({ retention: options.retention ?? {} }),
};

/**
 * The shared Redis (REDIS_URL, default 127.0.0.1:6379), each bus under its
 * own random key prefix whose keys are deleted on close. No Redis: create() throws saying
 * how to start one, so the suite fails instead of skipping.
 */
const redis: EngineFactory = {
  name: 'redis',
  create: async (options) => {
    const bus = await requireRedisBus({ retention: options.retention ?? {} });
    const closeBus = bus.close.bind(bus);
    return Object.assign(bus, { close: () => purgeAndClose({ purge: () => bus.purge(), close: closeBus }) });
  },
};

/** Every engine the integration suite runs against. */
export function testEngines(): EngineFactory[] {
  return [memory, redis];
}
