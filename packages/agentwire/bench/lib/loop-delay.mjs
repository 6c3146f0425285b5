// Event-loop delay of a bench process, for the storm's report: which process's loop was late
// (a late loop delays every socket it serves, so its p99 shows in the replay latency).
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** A histogram of this process's loop delay at 10 ms resolution; `take()` reads and resets it. */
export function loopDelay() {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  return {
    take() {
      const taken = { loopP99Ms: histogram.percentile(99) / 1e6, loopMaxMs: histogram.max / 1e6 };
      histogram.reset();
      return taken;
    },
  };
}
