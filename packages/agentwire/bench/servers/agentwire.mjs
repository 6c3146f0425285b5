// agentwire through its real path: JWT auth on every socket, each user's scope from the
// gateway's factory, events emitted by a Notifier (seq, retention, delivery).
// With BENCH_REDIS_URL set it runs on the Redis engine under BENCH_REDIS_PREFIX (keys
// purged by the `close` command), with the retention BENCH_RETENTION_EVENTS.
import { runServer } from './harness.mjs';

// BENCH_AGENTWIRE_ENTRY points at another build's dist/index.js, for before/after comparisons.
const agentwire = await import(process.env.BENCH_AGENTWIRE_ENTRY ?? 'agentwire');
const { createDemoAgent, createGateway, userContext } = agentwire;

const secret = process.env.BENCH_JWT_SECRET;
if (!secret) throw new Error('BENCH_JWT_SECRET is required');
const redisUrl = process.env.BENCH_REDIS_URL;
const retention = process.env.BENCH_RETENTION_EVENTS ? { maxEvents: Number(process.env.BENCH_RETENTION_EVENTS) } : undefined;
const bus = redisUrl ? await agentwire.createRedisBus({ url: redisUrl, prefix: process.env.BENCH_REDIS_PREFIX, retention }) : undefined;

const gateway = createGateway({
  auth: { jwt: { secret } },
  agents: [createDemoAgent({ delayMs: 0 })],
  shutdownDrainMs: 0,
  ...(bus ? { bus } : retention ? { retention } : {}),
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
  async close() {
    await gateway.close();
    if (bus) {
      await bus.purge();
      await bus.close();
    }
  },
});
