import { Redis } from 'ioredis';
import { AgentwireError } from '../../errors.js';
import type { Logger } from '../../logger.js';

/**
 * The ioredis connections of a bus. Commands fail at once while Redis is unreachable (no
 * offline queue, nothing resent blindly after a reconnect): callers decide what a failure
 * means, and appends retry with a nonce so a retried append can never be counted twice.
 * Reconnection is forever, with a short capped backoff, so recovery needs no operator.
 */
export function createRedisClient(url: string, role: 'commands' | 'subscriber', logger: Logger): Redis {
  const client = new Redis(url, {
    lazyConnect: true,
    enableOfflineQueue: false,
    autoResendUnfulfilledCommands: false,
    autoResubscribe: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 5000,
    connectionName: `agentwire-${role}`,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 5), 1000),
  });
  let lost = false;
  client.on('error', (error: Error) => logger.debug({ err: error, role }, 'redis connection error'));
  client.on('close', () => {
    if (lost) return;
    lost = true;
    logger.warn({ role, redis: redactUrl(url) }, 'redis connection lost; reconnecting');
  });
  client.on('ready', () => {
    if (!lost) return;
    lost = false;
    logger.info({ role, redis: redactUrl(url) }, 'redis connection restored');
  });
  return client;
}

/** Connects, or throws a clear error (and stops reconnecting) when Redis is unreachable. */
export async function connectOrThrow(client: Redis, url: string): Promise<void> {
  try {
    await client.connect();
  } catch (error) {
    client.disconnect();
    const detail = error instanceof Error ? error.message : String(error);
    throw new AgentwireError('AW_ERR_BUS_UNAVAILABLE', `cannot reach Redis at ${redactUrl(url)} (${detail})`, { cause: error });
  }
}

/** Resolves true once the client is ready, false if `timeoutMs` passes first. */
export function whenReady(client: Redis, timeoutMs: number): Promise<boolean> {
  if (client.status === 'ready') return Promise.resolve(true);
  if (client.status === 'end' || timeoutMs <= 0) return Promise.resolve(false);
  return new Promise((resolve) => {
    const done = (ready: boolean) => {
      clearTimeout(timer);
      client.off('ready', onReady);
      client.off('end', onEnd);
      resolve(ready);
    };
    const onReady = () => done(true);
    const onEnd = () => done(false);
    const timer = setTimeout(() => done(false), timeoutMs);
    client.on('ready', onReady);
    client.on('end', onEnd);
  });
}

/**
 * Whether a failed command may succeed if tried again: connection failures and Redis
 * saying it is busy do; a reply that rejects the command itself (a script error) does not.
 */
export function isTransient(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name !== 'ReplyError') return true;
  return /^(LOADING|BUSY|TRYAGAIN|CLUSTERDOWN|MASTERDOWN)\b/.test(error.message);
}

export async function closeClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  if (client.status !== 'ready') {
    client.disconnect();
    return;
  }
  await client.quit().catch(() => client.disconnect());
}

/** The URL without its password, for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparsable REDIS_URL)';
  }
}
