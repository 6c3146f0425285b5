// agentwire through its real path: JWT auth on every socket, each user's scope from the
// gateway's factory, events emitted by a Notifier (seq, retention, delivery).
import { runServer } from './harness.mjs';

// BENCH_AGENTWIRE_ENTRY points at another build's dist/index.js, for before/after comparisons.
const { createDemoAgent, createGateway, userContext } = await import(process.env.BENCH_AGENTWIRE_ENTRY ?? 'agentwire');

const secret = process.env.BENCH_JWT_SECRET;
if (!secret) throw new Error('BENCH_JWT_SECRET is required');

const gateway = createGateway({
  auth: { jwt: { secret } },
  agents: [createDemoAgent({ delayMs: 0 })],
  shutdownDrainMs: 0,
});

let notifiers = [];

await runServer({
  name: 'agentwire',
  start: async () => (await gateway.listen(0, '127.0.0.1')).port,
  async prepare(userIds) {
    notifiers = userIds.map((userId, i) => gateway.scopeFor(userContext(userId)).notifierFor(`thr_bench_${i}`, `run_bench_${i}`));
    await Promise.all(notifiers.map((notifier) => notifier.started('bench')));
  },
  emitTo(index, text) {
    void notifiers[index].thinking(text);
  },
  connections: () => gateway.health().connections,
});
