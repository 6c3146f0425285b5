// End-to-end latency at a fixed total rate: emit time (in the payload) to client receipt.
import { sleep, startSession, userIds } from '../lib/session.mjs';

export const LATENCY = { users: 1_000, perSecond: 20_000, warmupMs: 500, measureMs: 2_000 };

export async function latencyRuns(system, { runs, secret, log }) {
  const session = await startSession(system, { users: userIds(LATENCY.users), secret });
  const results = [];
  try {
    for (let run = 0; run < runs; run++) {
      await session.client.call('reset', { mode: 'latency' });
      await session.server.call('rate', { perSecond: LATENCY.perSecond });
      await sleep(LATENCY.warmupMs);
      await session.client.call('latency'); // drops the warm-up samples
      await sleep(LATENCY.measureMs);
      const report = await session.client.call('latency');
      await session.server.call('stop');
      await sleep(100);
      if (!report.samples) throw new Error(`${system}: no latency samples`);
      const result = { p50Ms: report.p50 / 1000, p99Ms: report.p99 / 1000, maxMs: report.max / 1000, samples: report.samples };
      log(`  latency ${system} run ${run + 1}/${runs}: p50 ${result.p50Ms.toFixed(3)} ms, p99 ${result.p99Ms.toFixed(3)} ms, max ${result.maxMs.toFixed(2)} ms (${report.samples} events)`);
      results.push(result);
    }
  } finally {
    await session.stop();
  }
  return results;
}
