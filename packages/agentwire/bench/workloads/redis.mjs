// agentwire on the Redis engine: the fan-out workload at one N, with the run and the
// sockets in one gateway process, then in two (runs on A, sockets on B: every event
// crosses Redis). CPU per event sums the gateway processes (redis-server not included).
import { randomBytes } from 'node:crypto';
import * as agentwire from 'agentwire/redis';
import { Redis } from 'ioredis';
import { startClient, startServer, userIds } from '../lib/session.mjs';
import { fanoutOnce } from './fanout.mjs';

export const REDIS = { users: 1_000, retentionEvents: 100 };
const redisUrl = () => process.env.BENCH_REDIS_URL ?? process.env.AGENTWIRE_REDIS_URL ?? 'redis://127.0.0.1:6379';

export async function redisStatus() {
  if (typeof agentwire.createRedisBus !== 'function') {
    return { available: false, reason: 'the built package exports no createRedisBus' };
  }
  const client = new Redis(redisUrl(), { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  try {
    await client.connect();
    await client.ping();
    return { available: true, url: redisUrl() };
  } catch (error) {
    return { available: false, reason: `no Redis at ${redisUrl()} (${error?.message ?? error}); start one or set BENCH_REDIS_URL` };
  } finally {
    client.disconnect();
  }
}

export async function redisRuns({ runs, secret, log }) {
  const rows = [];
  for (const processes of [1, 2]) {
    const label = processes === 1 ? `1 process, ${REDIS.users.toLocaleString('en-US')} users` : `2 processes (runs on A, sockets on B), ${REDIS.users.toLocaleString('en-US')} users`;
    rows.push({ label, series: await redisSetup(processes, { runs, secret, log, label }) });
  }
  return rows;
}

async function redisSetup(processes, { runs, secret, log, label }) {
  const env = {
    BENCH_REDIS_URL: redisUrl(),
    BENCH_REDIS_PREFIX: `agentwire-bench:${randomBytes(6).toString('hex')}:`,
    BENCH_RETENTION_EVENTS: String(REDIS.retentionEvents),
  };
  const driver = await startServer('agentwire', { env });
  const holder = processes === 2 ? await startServer('agentwire', { env }) : driver;
  const client = startClient(driver);
  const series = [];
  try {
    const users = userIds(REDIS.users, 'r');
    await driver.call('prepare', { users });
    const opened = await client.call('connect', { system: 'agentwire', port: holder.port, userIds: users, secret, concurrency: 64 }, 120_000);
    if (opened.failed > 0) throw new Error(`${opened.failed} sockets failed (${opened.firstError})`);
    for (let run = 0; run < runs; run++) {
      const result = await fanoutOnce({ server: driver, client, cpuOf: processes === 2 ? [driver, holder] : [driver] });
      log(`  redis ${label} run ${run + 1}/${runs}: ${Math.round(result.eventsPerSecond)} events/s, ${result.cpuMicrosPerEvent.toFixed(2)} us CPU/event`);
      series.push(result);
    }
  } finally {
    await client.stop();
    // `close` purges the bench's keys from Redis.
    await driver.call('close', {}, 30_000).catch(() => {});
    if (holder !== driver) await holder.call('close', {}, 30_000).catch(() => {});
    await driver.stop();
    if (holder !== driver) await holder.stop();
  }
  return series;
}
