// The resume storm, after AnyCable's published reliability test: N users, one socket each,
// one event broadcast to every user twice a second, every socket killed without a close
// frame every 10-20 s, offline 1.5-2.5 s, then resuming (clients/storm.mjs). Per system:
// delivered exactly once and in order, missing, duplicates, replay latency, server CPU
// and peak RSS. Systems: agentwire on the memory and on the Redis engine, Socket.IO 4 with
// and without connection-state recovery.
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { spawnChild } from '../lib/control.mjs';
import { sleep, startServer, userIds } from '../lib/session.mjs';
import { listenQueueCounters } from '../lib/kernel-limits.mjs';
import { redisStatus } from './redis.mjs';

export const STORM = {
  clients: Number(process.env.BENCH_STORM_CLIENTS ?? 10_000),
  seconds: Number(process.env.BENCH_STORM_SECONDS ?? 120),
  intervalMs: 500,
  seed: Number(process.env.BENCH_STORM_SEED ?? 19),
  // After the last broadcast: the time every socket gets to come back and catch up.
  settleMs: 60_000,
  quietMs: 5_000,
  retentionEvents: 1_000,
};

/** The storm's systems: which server script, with which environment. */
export const STORM_SYSTEMS = {
  'agentwire-memory': { label: 'agentwire, memory engine', server: 'agentwire', env: () => ({}) },
  'agentwire-redis': {
    label: 'agentwire, Redis engine',
    server: 'agentwire',
    env: (redis) => ({ BENCH_REDIS_URL: redis.url, BENCH_REDIS_PREFIX: `agentwire-bench:${randomBytes(6).toString('hex')}:`, BENCH_RETENTION_EVENTS: String(STORM.retentionEvents) }),
  },
  'socketio-recovery': { label: 'Socket.IO 4, connection-state recovery', server: 'socketio', env: () => ({ BENCH_SIO_RECOVERY: '1' }) },
  socketio: { label: 'Socket.IO 4, no recovery', server: 'socketio', env: () => ({}) },
};

/** Every storm system in turn; agentwire-redis is recorded as skipped when no Redis answers. */
export async function stormRuns({ secret, log, systems = Object.keys(STORM_SYSTEMS), cpuProfileDir }) {
  const redis = await redisStatus();
  const rows = [];
  for (const system of systems) {
    if (system === 'agentwire-redis' && !redis.available) {
      rows.push({ system, label: STORM_SYSTEMS[system].label, skipped: redis.reason });
      log(`storm ${system}: not measured (${redis.reason})`);
      continue;
    }
    const result = await stormOnce(system, { secret, redis, cpuProfileDir });
    rows.push({ system, label: STORM_SYSTEMS[system].label, ...result });
    log(
      `storm ${system}: ${result.deliveredPercent.toFixed(2)}% exactly once in order, ${result.missing} missing, ${result.duplicates} duplicates, ` +
        `replay p50 ${fmtMs(result.replayP50Ms)} p99 ${fmtMs(result.replayP99Ms)} max ${fmtMs(result.replayMaxMs)}, ` +
        `server CPU ${result.cpuPercent.toFixed(0)}%, loop delay p99/max ${fmtMs(result.serverLoopP99Ms)}/${fmtMs(result.serverLoopMaxMs)}, peak RSS ${(result.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ` +
        `client CPU ${result.clientCpuPercent.toFixed(0)}%, loop delay p99/max ${fmtMs(result.clientLoopP99Ms)}/${fmtMs(result.clientLoopMaxMs)}, ` +
        `listen queue overflows ${result.listenOverflows}, SYN retransmits ${result.synRetransmits}, ${result.kills} kills, ` +
        `${result.reconnects} reconnects (${result.reconnectFailures} failed attempts, ${result.unrecovered} unrecovered, ${result.resumeGaps} resume gaps), ${result.settledOnline}/${result.users} online at the end`,
    );
  }
  return rows;
}

/**
 * Waits until every socket is back and has every event, or, for a system that lost some
 * for good, until every socket is back and no user has completed for STORM.quietMs.
 */
async function settle(client, rounds) {
  const deadline = Date.now() + STORM.settleMs;
  let settled = await client.call('settled', { rounds });
  let quietSince = Date.now();
  while (!settled.done && Date.now() < deadline) {
    await sleep(250);
    const next = await client.call('settled', { rounds });
    if (next.online !== settled.online || next.complete !== settled.complete) quietSince = Date.now();
    settled = next;
    if (settled.online === settled.users && Date.now() - quietSince >= STORM.quietMs) break;
  }
  return settled;
}

const fmtMs = (ms) => (ms === undefined ? 'n/a' : `${ms.toFixed(0)} ms`);

async function stormOnce(system, { secret, redis, cpuProfileDir }) {
  const spec = STORM_SYSTEMS[system];
  // BENCH_CPU_PROF profiles agentwire's servers, as in the fan-out.
  const profileDir = spec.server === 'agentwire' ? cpuProfileDir : undefined;
  const server = await startServer(spec.server, { env: spec.env(redis), cpuProfileDir: profileDir });
  const client = spawnChild(fileURLToPath(new URL('../clients/storm.mjs', import.meta.url)), { label: 'storm-client' });
  try {
    const users = userIds(STORM.clients, 's');
    await server.call('prepare', { users });
    const maxEvents = Math.ceil((STORM.seconds * 1000) / STORM.intervalMs) + 16;
    const opened = await client.call('connect', { system: spec.server, port: server.port, userIds: users, secret, seed: STORM.seed, maxEvents }, 300_000);
    if (opened.failed > 0) throw new Error(`${system}: ${opened.failed} of ${users.length} sockets failed to open`);
    const before = await server.call('usage');
    const queueBefore = listenQueueCounters();
    await server.call('broadcast', { intervalMs: STORM.intervalMs });
    await client.call('storm');
    await sleep(STORM.seconds * 1000);
    const clientUsage = await client.call('calm');
    const { rounds } = await server.call('stop');
    const after = await server.call('usage');
    const queueAfter = listenQueueCounters();
    const settled = await settle(client, rounds);
    const report = await client.call('report', { rounds }, 120_000);
    return {
      ...report,
      settledOnline: settled.online,
      cpuPercent: (100 * (after.cpuMicros - before.cpuMicros)) / (after.atMicros - before.atMicros),
      peakRssBytes: after.maxRssBytes,
      // Event-loop delay over the broadcast (bench/lib/loop-delay.mjs): which loop ran late.
      serverLoopP99Ms: after.loopP99Ms,
      serverLoopMaxMs: after.loopMaxMs,
      clientCpuPercent: clientUsage.cpuPercent,
      clientLoopP99Ms: clientUsage.loopP99Ms,
      clientLoopMaxMs: clientUsage.loopMaxMs,
      // Reconnects the listen queue had no room for (kernel-limits.mjs): each waits 1 s or more for its SYN to be sent again.
      listenOverflows: queueAfter.listenOverflows - queueBefore.listenOverflows,
      synRetransmits: queueAfter.synRetransmits - queueBefore.synRetransmits,
    };
  } finally {
    await client.call('closeAll').catch(() => {});
    await client.stop();
    // `close` purges the Redis engine's keys.
    await server.call('close', {}, 30_000).catch(() => {});
    await server.stop();
  }
}
