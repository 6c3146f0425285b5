// The `coalesce` workload (BENCH_ONLY=coalesce): one long answer (2,000 deltas at model
// speed, one every 2-5 ms) streamed to one socket, with deltas coalesced within the
// default window (DEFAULTS.coalesceDeltasMs) and with coalescing off (window 0), on fresh
// server processes in the same bench run. Measured per answer: events the socket received,
// bytes on the wire (frame payloads), and the server process's CPU time while it streamed.
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { spawnChild } from './lib/control.mjs';

export const COALESCE = { deltas: Number(process.env.BENCH_COALESCE_DELTAS ?? 2000), windowsMs: [0, 30] };

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

/** One answer on a fresh server with the given window: { windowMs, events, deltaEvents, bytes, cpuMicros, ms }. */
export async function coalesceRun(windowMs, { secret }) {
  let listening;
  const portReady = new Promise((resolve) => (listening = resolve));
  const server = spawnChild(here('./coalesce-server.mjs'), {
    label: `server:coalesce-${windowMs}`,
    env: { BENCH_COALESCE_MS: String(windowMs), BENCH_COALESCE_DELTAS: String(COALESCE.deltas) },
    onEvent: (message) => message.event === 'listening' && listening(message.port),
  });
  try {
    const port = await Promise.race([portReady, new Promise((_, reject) => setTimeout(() => reject(new Error('coalesce server did not start')), 15_000).unref())]);
    const token = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(`bench-${randomUUID()}`).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(secret));
    const socket = new WebSocket(`ws://127.0.0.1:${port}/ws`, ['agentwire.v1'], { headers: { authorization: `Bearer ${token}` } });
    await new Promise((resolve, reject) => {
      socket.once('message', resolve);
      socket.once('error', reject);
    });
    const before = await server.call('cpu');
    const startedAt = performance.now();
    let events = 0;
    let deltaEvents = 0;
    let bytes = 0;
    let text = '';
    const ended = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the answer did not end within 120 s')), 120_000);
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString());
        if (frame.seq === undefined || frame.type === 'user_message') return;
        events++;
        bytes += data.length;
        if (frame.type === 'agent_message_delta') {
          deltaEvents++;
          text += frame.data.delta;
        }
        if (frame.type === 'agent_completed' || frame.type === 'agent_error') {
          clearTimeout(timer);
          if (frame.type === 'agent_error') reject(new Error(`the run failed: ${frame.data.message}`));
          else if (frame.data.result.text !== text) reject(new Error('the deltas joined differ from the answer'));
          else resolve();
        }
      });
    });
    socket.send(JSON.stringify({ type: 'user_message', client_msg_id: randomUUID(), text: 'stream a long answer' }));
    await ended;
    const ms = performance.now() - startedAt;
    const after = await server.call('cpu');
    socket.close();
    return { windowMs, events, deltaEvents, bytes, cpuMicros: after.micros - before.micros, ms };
  } finally {
    await server.stop();
  }
}
