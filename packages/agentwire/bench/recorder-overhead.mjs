// `node bench/recorder-overhead.mjs` (after a build): per-delta cost of a notifier with and without its run recorder (memory log, memory store), median of 7 runs of 200,000 deltas each.
import { MemoryBus } from '../dist/bus/memory/memory-bus.js';
import { Notifier } from '../dist/notifier/notifier.js';
import { RunRecorder } from '../dist/history/run-recorder.js';
import { DurableWriter } from '../dist/history/durable-writer.js';
import { createMemoryStore } from '../dist/store/memory-store.js';
const logger = { debug() {}, info() {}, warn() {}, error() {} };
async function once(withRecorder, n) {
  const bus = new MemoryBus({ retention: { maxEvents: 1000 } });
  const store = createMemoryStore();
  await store.threads.create({ threadId: 't', userId: 'u', title: 't', at: new Date().toISOString() });
  const writer = new DurableWriter({ logger, retryMs: 100, maxRetryMs: 1000 });
  const target = { userId: 'u', threadId: 't', runId: 'run_1' };
  const rec = withRecorder ? new RunRecorder({ messages: store.messages, writer, logger, checkpointMs: 250, finalWriteTimeoutMs: 1000 }, target, 'x', new Date().toISOString()) : undefined;
  const notifier = new Notifier(bus.log, target, rec);
  await notifier.started('x');
  const t = process.hrtime.bigint();
  let last;
  for (let i = 0; i < n; i++) last = notifier.delta('w ');
  await last;
  await notifier.completed();
  const ns = Number(process.hrtime.bigint() - t) / n;
  writer.close();
  return ns;
}
const n = 200_000;
const res = { plain: [], recorder: [] };
for (let r = 0; r < 7; r++) { res.plain.push(await once(false, n)); res.recorder.push(await once(true, n)); }
const med = (a) => a.sort((x, y) => x - y)[3].toFixed(0);
console.log(`ns/delta median of 7 (n=${n}): no recorder ${med(res.plain)}, with recorder ${med(res.recorder)}`);
