import { randomUUID } from 'node:crypto';
import { createRedisBus, type RedisBus, type RedisBusOptions } from '../../../src/redis.js';

/**
 * The shared Redis of the test machines: `REDIS_URL`, the same variable that
 * scripts/test-setup.mjs checks and the server reads, so one setting moves all three.
 */
export const TEST_REDIS_URL = process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379';

/** A key prefix no other test (or test run) uses. */
export const uniquePrefix = (): string => `aw-test:${randomUUID()}:`;

/**
 * A Redis bus for a test, or a clear failure: tests that need Redis never skip, they fail
 * and say how to provide it.
 */
export async function requireRedisBus(options: Partial<RedisBusOptions> = {}): Promise<RedisBus> {
  const url = options.url ?? TEST_REDIS_URL;
  try {
    return await createRedisBus({ prefix: uniquePrefix(), ...options, url });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(
      `Redis is required at ${url.replace(/^redis:\/\//, '')} for the integration suite: start it with ` +
        `\`redis-server --port 6379 --save "" --appendonly no\` (or point REDIS_URL at one). Cause: ${detail}`,
    );
  }
}

/** Closes a test bus after deleting every key it wrote. */
export async function purgeAndClose(bus: Pick<RedisBus, 'purge' | 'close'>): Promise<void> {
  try {
    await bus.purge();
  } finally {
    await bus.close();
  }
}
