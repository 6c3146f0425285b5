import type { Bus } from '../../src/bus/types.js';
import { MemoryBus } from '../../src/bus/memory/memory-bus.js';
import type { RetentionOptions } from '../../src/bus/types.js';

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

/** Every engine the integration suite runs against. */
export function testEngines(): EngineFactory[] {
  return [memory];
}
