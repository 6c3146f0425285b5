// Fan-out throughput: N users, one socket each, the driver emitting round-robin as fast as
// the client acks. Reports delivered events/s (client side) and server CPU per event.
import { sleep, startSession, userIds, waitFor } from '../lib/session.mjs';

export const FANOUT = { window: 20_000, batch: 2_000, warmupMs: 500, measureMs: 2_000 };

/** One measurement on a fresh server process with `users` connected sockets. */
export async function fanoutRun(system, users, { secret, cpuProfileDir, env, extraCpu }) {
  const session = await startSession(system, { users: userIds(users), secret, cpuProfileDir, env });
  try {
    return await fanoutOnce({ ...session, extraCpu });
  } finally {
    await session.stop();
  }
}

/**
 * One measured run. `server` drives; CPU is summed over `cpuOf` (default: the driving
 * server), so a run whose sockets live in another process is billed for both.
 * `extraCpu()` (optional, CPU µs so far of processes outside the bench, e.g. a database's
 * backends) is reported apart as `extraCpuMicrosPerEvent`.
 */
export async function fanoutOnce({ server, client, cpuOf = [server], extraCpu }) {
  await client.call('reset', { mode: 'count' });
  const { emitted: before } = await server.call('fanout', { window: FANOUT.window, batch: FANOUT.batch });
  try {
    await sleep(FANOUT.warmupMs);
    const [cpu0, seen0, extra0] = await Promise.all([cpuMicros(cpuOf), client.call('snapshot'), extraCpu?.()]);
    await sleep(FANOUT.measureMs);
    const [cpu1, seen1, extra1] = await Promise.all([cpuMicros(cpuOf), client.call('snapshot'), extraCpu?.()]);
    const events = seen1.received - seen0.received;
    if (events <= 0) throw new Error('no events delivered during the measurement');
    return {
      events,
      eventsPerSecond: (events * 1e6) / (seen1.atMicros - seen0.atMicros),
      cpuMicrosPerEvent: (cpu1 - cpu0) / events,
      ...(extraCpu ? { extraCpuMicrosPerEvent: (extra1 - extra0) / events } : {}),
    };
  } finally {
    const { emitted: after } = await server.call('stop');
    // Let the tail arrive so the next run starts from an idle pipe.
    await waitFor(async () => (await client.call('snapshot')).received >= after - before, 10_000, 'the fan-out tail');
  }
}

async function cpuMicros(servers) {
  const usages = await Promise.all(servers.map((server) => server.call('usage')));
  return usages.reduce((sum, usage) => sum + usage.cpuMicros, 0);
}
