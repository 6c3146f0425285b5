// The load client: one process holding every socket of a workload, driven by the
// orchestrator. It counts events (acking every ACK_EVERY so the server's driver can pace
// itself) or, in latency mode, records emit-to-receipt times.
import { emit, serveControl } from '../lib/control.mjs';
import { emitTimeOf, nowMicros } from '../lib/payload.mjs';
import { signTokens } from '../lib/tokens.mjs';
import { openAll, openConnection, terminateAll } from './connect.mjs';

const ACK_EVERY = 1000;
const MAX_SAMPLES = 1_000_000;

const sockets = [];
let mode = 'count';
let received = 0;
let lastAck = 0;
const samples = new Float64Array(MAX_SAMPLES);
let sampleCount = 0;

function onEvent(frame) {
  received++;
  if (mode === 'count') {
    if (received - lastAck >= ACK_EVERY) {
      lastAck = received;
      emit({ event: 'ack', total: received });
    }
  } else if (sampleCount < MAX_SAMPLES) {
    const at = emitTimeOf(frame);
    if (at >= 0) samples[sampleCount++] = nowMicros() - at;
  }
}

/** Opens one socket per user id, `concurrency` handshakes at a time; times only the opening. */
async function connect({ system, port, userIds, secret, concurrency }) {
  const tokens = await signTokens(secret, userIds);
  const startedAt = nowMicros();
  const cpuBefore = process.cpuUsage();
  const { failed, firstError } = await openAll(userIds.length, concurrency, sockets, (i) => openConnection(system, { port, userId: userIds[i], token: tokens[i], onEvent }));
  const cpu = process.cpuUsage(cpuBefore);
  const elapsedMicros = nowMicros() - startedAt;
  // The client's own CPU over the opening: which side bounds an accept rate.
  return { opened: userIds.length - failed, failed, firstError, elapsedMicros, clientCpuMicros: cpu.user + cpu.system };
}

const closeAll = () => terminateAll(sockets);

function latencyReport() {
  const sorted = samples.subarray(0, sampleCount).sort();
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const report = sampleCount === 0 ? { samples: 0 } : { samples: sampleCount, p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1] };
  sampleCount = 0;
  return report;
}

serveControl({
  connect,
  closeAll,
  reset: ({ mode: next }) => {
    mode = next;
    received = 0;
    lastAck = 0;
    sampleCount = 0;
    return { mode };
  },
  snapshot: () => ({ received, atMicros: nowMicros() }),
  latency: () => latencyReport(),
});
