// The `coalesce` workload's server: one gateway whose agent streams a long answer at model
// speed (BENCH_COALESCE_DELTAS deltas of a few characters, one every 2 to 5 ms, the same
// seeded pauses every run), with deltas coalesced within BENCH_COALESCE_MS (0: off;
// `default`: the gateway's default, DEFAULTS.coalesceDeltasMs).
// Commands on stdin (lib/control.mjs): `cpu` answers this process's CPU time so far.
import { emit, serveControl } from './lib/control.mjs';
// Seeded, so every run and both windows see the same pauses.
import { seededRandom } from './lib/seeded-random.mjs';

const agentwire = await import(process.env.BENCH_AGENTWIRE_ENTRY ?? 'agentwire');
const secret = process.env.BENCH_JWT_SECRET;
if (!secret) throw new Error('BENCH_JWT_SECRET is required');
const deltas = Number(process.env.BENCH_COALESCE_DELTAS ?? 2000);
const window = process.env.BENCH_COALESCE_MS ?? 'default';

const streamer = {
  name: 'streamer',
  description: 'streams a long answer at model speed',
  async run(_input, { notifier, signal }) {
    const random = seededRandom(42);
    for (let i = 0; i < deltas; i++) {
      signal.throwIfAborted();
      await new Promise((resolve) => setTimeout(resolve, 2 + Math.floor(random() * 4)));
      // Not awaited, as a model client streams on: with coalescing the promise settles with the window.
      void notifier.delta(`tok${i % 10} `);
    }
  },
};

const gateway = agentwire.createGateway({
  auth: { jwt: { secret } },
  agents: [streamer],
  shutdownDrainMs: 0,
  quiet: true,
  ...(window === 'default' ? {} : { coalesceDeltasMs: Number(window) }),
});
const { port } = await gateway.listen(0, '127.0.0.1');
serveControl({
  cpu: () => {
    const { user, system } = process.cpuUsage();
    return { micros: user + system };
  },
});
emit({ event: 'listening', port, pid: process.pid });
