// The producer API under load (docs/producers.md): one producer process appending events for
// PRODUCER.users runs (one per user) at PRODUCER.rate events/s over keep-alive HTTP, in
// batches of PRODUCER.batch events per request, for PRODUCER.seconds. Reports the events/s
// reached, the gateway's CPU per event and the request latency, next to the same number of
// events emitted by in-process notifiers in the same gateway.
// Knobs: BENCH_PRODUCER_USERS=1000 BENCH_PRODUCER_RATE=10000 BENCH_PRODUCER_BATCH=10 BENCH_PRODUCER_SECONDS=5.
// Standalone: `node bench/producer.mjs` (after `npm run build`); in `npm run bench` as BENCH_ONLY=producer.
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { fileURLToPath } from 'node:url';

const num = (name, fallback) => Number(process.env[name] ?? fallback);
export const PRODUCER = {
  users: num('BENCH_PRODUCER_USERS', 1000),
  rate: num('BENCH_PRODUCER_RATE', 10_000),
  batch: num('BENCH_PRODUCER_BATCH', 10),
  seconds: num('BENCH_PRODUCER_SECONDS', 5),
};
const DELTA = 'a streamed word or two of the answer, ';

export async function producerRun({ secret, log }) {
  const key = randomBytes(24).toString('hex');
  const child = fork(fileURLToPath(new URL('./producer-server.mjs', import.meta.url)), [], {
    env: { ...process.env, BENCH_JWT_SECRET: secret, BENCH_PRODUCER_KEY: key },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ask = (message, answerType) =>
    new Promise((resolve) => {
      const onMessage = (m) => {
        if (m.type !== answerType) return;
        child.off('message', onMessage);
        resolve(m);
      };
      child.on('message', onMessage);
      if (message) child.send(message);
    });
  const { port } = await ask(undefined, 'ready');
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const post = (path, body) =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = http.request(
        { host: '127.0.0.1', port, path, method: 'POST', agent, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => (res.statusCode < 300 ? resolve(JSON.parse(text)) : reject(new Error(`${path}: ${res.statusCode} ${text}`))));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });

  try {
    const { users, rate, batch, seconds } = PRODUCER;
    const runs = [];
    for (let i = 0; i < users; i += 50) {
      const chunk = Array.from({ length: Math.min(50, users - i) }, (_, j) => post('/producer/runs', { user_id: `bench-${i + j}` }));
      runs.push(...(await Promise.all(chunk)).map((r, j) => ({ userId: `bench-${i + j}`, runId: r.run_id, keys: 0 })));
    }
    log?.(`  producer: ${users} runs started; appending ${rate.toLocaleString('en-US')} events/s in batches of ${batch} for ${seconds} s`);
    const intervalMs = (1000 * batch * users) / rate;
    const latencies = [];
    let appended = 0;
    const cpuBefore = (await ask({ type: 'cpu' }, 'cpu')).micros;
    const startedAt = performance.now();
    const deadline = startedAt + seconds * 1000;
    // Each run sends one batch per interval, the runs staggered over it: a steady aggregate rate.
    await Promise.all(
      runs.map(async (run, i) => {
        for (let next = startedAt + (i * intervalMs) / users; next < deadline; next += intervalMs) {
          const wait = next - performance.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          const events = Array.from({ length: batch }, () => ({ key: String(++run.keys), type: 'agent_message_delta', data: { delta: DELTA } }));
          const sentAt = performance.now();
          const answer = await post(`/producer/runs/${run.runId}/events`, { user_id: run.userId, events });
          latencies.push(performance.now() - sentAt);
          appended += answer.appended.length;
        }
      }),
    );
    const elapsed = (performance.now() - startedAt) / 1000;
    const cpuAfter = (await ask({ type: 'cpu' }, 'cpu')).micros;
    for (let i = 0; i < runs.length; i += 50) {
      await Promise.all(runs.slice(i, i + 50).map((run) => post(`/producer/runs/${run.runId}/end`, { user_id: run.userId, status: 'completed' })));
    }
    latencies.sort((a, b) => a - b);
    const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
    const producer = {
      events: appended,
      eventsPerSecond: appended / elapsed,
      cpuMicrosPerEvent: (cpuAfter - cpuBefore) / appended,
      requestP50Ms: at(0.5),
      requestP99Ms: at(0.99),
    };
    const perRun = Math.max(1, Math.round(appended / users));
    const inProcess = (await ask({ type: 'inproc', users, perRun }, 'inproc')).result;
    return { shape: { ...PRODUCER }, producer, inProcess };
  } finally {
    agent.destroy();
    child.send({ type: 'stop' });
    await new Promise((resolve) => child.once('exit', resolve));
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = await producerRun({ secret: randomBytes(32).toString('hex'), log: console.log });
  console.log(JSON.stringify(result, null, 2));
}
