// Fan-out throughput: N users, one socket each, the driver emitting round-robin as fast as
// the client acks. Reports delivered events/s (client side) and server CPU per event.
import { sleep, startSession, userIds, waitFor } from '../lib/session.mjs';

export const FANOUT = { window: 20_000, batch: 2_000, warmupMs: 500, measureMs: 2_000 };

/** Runs `runs` measurements against one server process; returns one result per run. */
export async function fanoutRuns(system, users, { runs, secret, cpuProfileDir, log }) {
  const session = await startSession(system, { users: userIds(users), secret, cpuProfileDir });
  const results = [];
  try {
    for (let run = 0; run < runs; run++) {
      const result = await fanoutOnce(session);
      log(`  fanout ${system} N=${users} run ${run + 1}/${runs}: ${Math.round(result.eventsPerSecond)} events/s, ${result.cpuMicrosPerEvent.toFixed(2)} us CPU/event`);
      results.push(result);
    }
  } finally {
    await session.stop();
  }
  return results;
}

async function fanoutOnce({ server, client }) {
  await client.call('reset', { mode: 'count' });
  const { emitted: before } = await server.call('fanout', { window: FANOUT.window, batch: FANOUT.batch });
  try {
    await sleep(FANOUT.warmupMs);
    const [cpu0, seen0] = await Promise.all([server.call('usage'), client.call('snapshot')]);
    await sleep(FANOUT.measureMs);
    const [cpu1, seen1] = await Promise.all([server.call('usage'), client.call('snapshot')]);
    const events = seen1.received - seen0.received;
    if (events <= 0) throw new Error('no events delivered during the measurement');
    return {
      events,
      eventsPerSecond: (events * 1e6) / (seen1.atMicros - seen0.atMicros),
      cpuMicrosPerEvent: (cpu1.cpuMicros - cpu0.cpuMicros) / events,
      serverCpuShare: (cpu1.cpuMicros - cpu0.cpuMicros) / (cpu1.atMicros - cpu0.atMicros),
    };
  } finally {
    const { emitted: after } = await server.call('stop');
    // Let the tail arrive so the next run starts from an idle pipe.
    await waitFor(async () => (await client.call('snapshot')).received >= after - before, 10_000, 'the fan-out tail');
  }
}
