// The server of the producer bench (bench/producer.mjs): a gateway with the producer API on a
// free loopback port (memory engine, memory store), driven over IPC: `cpu` answers its CPU
// time, `inproc` runs the same events through in-process notifiers for comparison.
import { createServer } from 'node:http';
import { createGateway } from 'agentwire';
import { createHttpHandler, createProducerApi } from 'agentwire/server';

const DELTA = 'a streamed word or two of the answer, ';

// The in-process comparison: an agent whose run emits `input.text` deltas through its notifier.
const benchAgent = {
  name: 'bench',
  async run(input, { notifier }) {
    const count = Number(input.text);
    for (let i = 0; i < count; i++) await notifier.delta(DELTA);
  },
};

const server = createServer({ keepAliveTimeout: 120_000 });
const gateway = createGateway({
  server,
  quiet: true,
  auth: { jwt: { secret: process.env.BENCH_JWT_SECRET } },
  agents: [benchAgent],
  shutdownDrainMs: 0,
  runTimeoutMs: 30 * 60_000,
});
const producer = createProducerApi(gateway, { keys: [process.env.BENCH_PRODUCER_KEY], silenceMs: 10 * 60_000 });
server.on('request', createHttpHandler(gateway, { producer }));
const { port } = await gateway.listen(0, '127.0.0.1');

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

async function inProcess(users, perRun) {
  const before = cpuMicros();
  const startedAt = performance.now();
  const ended = [];
  for (let i = 0; i < users; i++) {
    let done;
    ended.push(new Promise((resolve) => (done = resolve)));
    const watch = { onEvent: (event) => event.type === 'agent_completed' && done() };
    await gateway.startRun(`inproc-${i}`, { agent: 'bench', text: String(perRun) }, watch);
  }
  await Promise.all(ended);
  const seconds = (performance.now() - startedAt) / 1000;
  const events = users * perRun;
  return { events, eventsPerSecond: events / seconds, cpuMicrosPerEvent: (cpuMicros() - before) / events };
}

process.on('message', async (message) => {
  if (message.type === 'cpu') process.send({ type: 'cpu', micros: cpuMicros() });
  if (message.type === 'inproc') process.send({ type: 'inproc', result: await inProcess(message.users, message.perRun) });
  if (message.type === 'stop') {
    await gateway.close();
    server.closeAllConnections();
    server.close(() => process.exit(0));
  }
});
process.send({ type: 'ready', port });
