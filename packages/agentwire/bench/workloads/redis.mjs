// agentwire on the Redis engine: the fan-out workload at one N, with the run and the
// sockets in one gateway process, then in two (runs on A, sockets on B: every event
// crosses Redis), then in three (runs on A, the sockets split between B and C). CPU per
// event sums the gateway processes (redis-server not included).
// BENCH_REDIS_CPU_PROF=<dir> writes a CPU profile of every gateway process (summarise with
// `node bench/profile-summary.mjs <dir>`); BENCH_REDIS_PROCESSES=1,2,3 picks the setups.
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
  const users = REDIS.users.toLocaleString('en-US');
  const labels = {
    1: `1 process, ${users} users`,
    2: `2 processes (runs on A, sockets on B), ${users} users`,
    3: `3 processes (runs on A, sockets split between B and C), ${users} users`,
  };
  const setups = (process.env.BENCH_REDIS_PROCESSES ?? '1,2,3').split(',').map(Number);
  for (const processes of setups) {
    const label = labels[processes];
    if (!label) throw new Error(`BENCH_REDIS_PROCESSES: no setup with ${processes} processes`);
    rows.push({ label, processes, series: await redisSetup(processes, { runs, secret, log, label }) });
  }
  return rows;
}

async function redisSetup(processes, { runs, secret, log, label }) {
  const env = {
    BENCH_REDIS_URL: redisUrl(),
    BENCH_REDIS_PREFIX: `agentwire-bench:${randomBytes(6).toString('hex')}:`,
    BENCH_RETENTION_EVENTS: String(REDIS.retentionEvents),
  };
  const cpuProfileDir = process.env.BENCH_REDIS_CPU_PROF;
  const driver = await startServer('agentwire', { env, cpuProfileDir });
  // The processes holding the sockets: the driver itself, or B (and C), each an equal share.
  const holders = processes === 1 ? [driver] : await Promise.all(Array.from({ length: processes - 1 }, () => startServer('agentwire', { env, cpuProfileDir })));
  const client = startClient(driver);
  const series = [];
  try {
    const users = userIds(REDIS.users, 'r');
    await driver.call('prepare', { users });
    const share = Math.ceil(users.length / holders.length);
    for (const [i, holder] of holders.entries()) {
      const mine = users.slice(i * share, (i + 1) * share);
      const opened = await client.call('connect', { system: 'agentwire', port: holder.port, userIds: mine, secret, concurrency: 64 }, 120_000);
      if (opened.failed > 0) throw new Error(`${opened.failed} sockets failed (${opened.firstError})`);
    }
    const cpuOf = processes === 1 ? [driver] : [driver, ...holders];
    for (let run = 0; run < runs; run++) {
      const result = await fanoutOnce({ server: driver, client, cpuOf });
      log(`  redis ${label} run ${run + 1}/${runs}: ${Math.round(result.eventsPerSecond)} events/s, ${result.cpuMicrosPerEvent.toFixed(2)} us CPU/event`);
      series.push(result);
    }
  } finally {
    await client.stop();
    // `close` purges the bench's keys from Redis.
    await driver.call('close', {}, 30_000).catch(() => {});
    const others = holders.filter((holder) => holder !== driver);
    for (const holder of others) await holder.call('close', {}, 30_000).catch(() => {});
    await driver.stop();
    for (const holder of others) await holder.stop();
  }
  return series;
}
