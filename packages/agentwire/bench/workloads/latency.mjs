// End-to-end latency at a fixed total rate: emit time (in the payload) to client receipt.
import { sleep, startSession, userIds } from '../lib/session.mjs';

export const LATENCY = { users: 1_000, perSecond: 20_000, warmupMs: 500, measureMs: 2_000 };

/** One measurement on a fresh server process. */
export async function latencyRun(system, { secret }) {
  const session = await startSession(system, { users: userIds(LATENCY.users), secret });
  try {
    await session.client.call('reset', { mode: 'latency' });
    await session.server.call('rate', { perSecond: LATENCY.perSecond });
    await sleep(LATENCY.warmupMs);
    await session.client.call('latency'); // drops the warm-up samples
    await sleep(LATENCY.measureMs);
    const report = await session.client.call('latency');
    await session.server.call('stop');
    if (!report.samples) throw new Error(`${system}: no latency samples`);
    return { p50Ms: report.p50 / 1000, p99Ms: report.p99 / 1000, maxMs: report.max / 1000, samples: report.samples };
  } finally {
    await session.stop();
  }
}
