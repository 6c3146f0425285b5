// agentwire through its real path: JWT auth on every socket, each user's scope from the
// gateway's factory, events emitted by a Notifier (seq, retention, delivery).
// With BENCH_REDIS_URL set it runs on the Redis engine under BENCH_REDIS_PREFIX (keys
// purged by the `close` command), with the retention BENCH_RETENTION_EVENTS.
// BENCH_STORE=memory|sqlite|postgres (the `store` workload) puts the gateway on that store
// (sqlite in BENCH_STORE_DIR, postgres at BENCH_STORE_URL) and turns each user's stream
// into runs of BENCH_STORE_RUN_EVENTS events: every run touches its thread and writes its
// user message (as a send_message does), then its events go through the run recorder
// (checkpoints every 250 ms, the final message before agent_completed).
import { createServer } from 'node:http';
import { runServer } from './harness.mjs';

// BENCH_AGENTWIRE_ENTRY points at another build's dist/index.js, for before/after comparisons.
const agentwire = await import(process.env.BENCH_AGENTWIRE_ENTRY ?? 'agentwire');
const { createDemoAgent, createGateway, userContext } = agentwire;

const secret = process.env.BENCH_JWT_SECRET;
if (!secret) throw new Error('BENCH_JWT_SECRET is required');
const redisUrl = process.env.BENCH_REDIS_URL;
const retention = process.env.BENCH_RETENTION_EVENTS ? { maxEvents: Number(process.env.BENCH_RETENTION_EVENTS) } : undefined;
// The Redis engine lives behind its own entry point (`agentwire/redis`, docs/architecture.md
// "Entry points"): the light `agentwire` entry does not export createRedisBus.
const createRedisBus = redisUrl ? (await import(process.env.BENCH_AGENTWIRE_REDIS_ENTRY ?? 'agentwire/redis')).createRedisBus : undefined;
const bus = redisUrl ? await createRedisBus({ url: redisUrl, prefix: process.env.BENCH_REDIS_PREFIX, retention }) : undefined;

// The idle100k workload: BENCH_HEARTBEAT_MS makes the heartbeat ping during the hold, and
// BENCH_LISTEN_BACKLOG has the bench make the HTTP server, to listen with a backlog that holds
// the opening rate (gateway.listen() takes none).
const heartbeat = process.env.BENCH_HEARTBEAT_MS ? { heartbeatMs: Number(process.env.BENCH_HEARTBEAT_MS) } : {};
const backlog = process.env.BENCH_LISTEN_BACKLOG ? Number(process.env.BENCH_LISTEN_BACKLOG) : undefined;
const httpServer = backlog ? createServer((_request, response) => response.writeHead(426).end()) : undefined;

const storeEngine = process.env.BENCH_STORE;
const runEvents = Number(process.env.BENCH_STORE_RUN_EVENTS ?? 50);
const store = storeEngine ? await openBenchStore(storeEngine) : undefined;

const gateway = createGateway({
  auth: { jwt: { secret } },
  agents: [createDemoAgent({ delayMs: 0 })],
  shutdownDrainMs: 0,
  // All bench clients share 127.0.0.1, and raw ws and Socket.IO have no admission control:
  // the per-address and per-process connect limits (docs/deploy.md) would refuse most of them.
  connectLimits: { maxConnections: 1e9, maxConnectionsPerAddress: 1e9, connectsPerSecond: 1e9, connectsPerSecondPerAddress: 1e9 },
  ...(bus ? { bus } : retention ? { retention } : {}),
  ...(store ? { store } : {}),
  ...heartbeat,
  ...(httpServer ? { server: httpServer } : {}),
});

async function openBenchStore(engine) {
  if (engine === 'memory') return agentwire.createMemoryStore();
  const { openStore } = await import(process.env.BENCH_AGENTWIRE_STORE_ENTRY ?? 'agentwire/store');
  if (engine === 'sqlite') return openStore({ engine: 'sqlite', dataDir: process.env.BENCH_STORE_DIR });
  if (engine === 'postgres') return openStore({ engine: 'postgres', url: process.env.BENCH_STORE_URL });
  throw new Error(`BENCH_STORE: unknown engine ${engine}`);
}

let notifiers = [];
let userIdsOf = [];
const runsOf = [];
const eventsOf = [];
let failedWrites = 0;
const countError = () => void failedWrites++;

/** A new run of user i on its thread: touch + user message (not awaited, as events go on), then agent_started. */
function startRun(index) {
  const threadId = `thr_bench_${index}`;
  const runId = `run_bench_${index}_${(runsOf[index] = (runsOf[index] ?? 0) + 1)}`;
  const at = new Date().toISOString();
  const userId = userIdsOf[index];
  void store.threads
    .touch(threadId, at)
    .then(() =>
      store.messages.addUser({
        threadId,
        userId,
        message: { message_id: `msg_u_${runId}`, role: 'user', run_id: runId, client_msg_id: `c_${runId}`, text: 'What is the weather?', created_at: at },
        mark: { epoch: '', seq: null, terminalSeq: null },
      }),
    )
    .catch(countError);
  notifiers[index] = gateway.scopeFor(userContext(userId)).notifierFor(threadId, runId);
  eventsOf[index] = 0;
  return notifiers[index].started('bench');
}

await runServer({
  name: 'agentwire',
  start: async () => {
    if (!httpServer) return (await gateway.listen(0, '127.0.0.1')).port;
    await new Promise((resolve) => httpServer.listen({ port: 0, host: '127.0.0.1', backlog }, resolve));
    return httpServer.address().port;
  },
  async prepare(userIds) {
    if (store) {
      userIdsOf = userIds;
      const at = new Date().toISOString();
      await Promise.all(userIds.map((userId, i) => store.threads.create({ threadId: `thr_bench_${i}`, userId, title: 'bench', at })));
      await Promise.all(userIds.map((_, i) => startRun(i)));
      return;
    }
    notifiers = userIds.map((userId, i) => gateway.scopeFor(userContext(userId)).notifierFor(`thr_bench_${i}`, `run_bench_${i}`));
    await Promise.all(notifiers.map((notifier) => notifier.started('bench')));
  },
  emitTo(index, text) {
    // An append still queued when the bench closes the bus fails; counted, not an unhandled rejection.
    notifiers[index].thinking(text).catch(countError);
    if (store && ++eventsOf[index] >= runEvents) {
      notifiers[index].completed().catch(countError);
      startRun(index).catch(countError);
    }
  },
  connections: () => gateway.health().connections,
  async close() {
    await gateway.close();
    httpServer?.close();
    if (store) {
      if (failedWrites > 0) console.error(`agentwire bench server: ${failedWrites} appends or store writes failed`);
      await store.close();
    }
    if (bus) {
      await bus.purge();
      await bus.close();
    }
  },
});
