// Raw ws, the floor: per-user addressing and nothing else (no auth, no history).
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';
import { plainEvent } from '../lib/payload.mjs';
import { runServer } from './harness.mjs';

const server = createServer();
const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: false });
/** @type {Map<string, Set<import('ws').WebSocket>>} */
const socketsByUser = new Map();
let open = 0;

wss.on('connection', (socket, request) => {
  const userId = new URL(request.url ?? '/', 'http://bench.invalid').searchParams.get('user') ?? 'anonymous';
  let sockets = socketsByUser.get(userId);
  if (!sockets) socketsByUser.set(userId, (sockets = new Set()));
  sockets.add(socket);
  open++;
  socket.on('close', () => {
    open--;
    sockets.delete(socket);
    if (sockets.size === 0 && socketsByUser.get(userId) === sockets) socketsByUser.delete(userId);
  });
  socket.on('error', () => {});
});

// The idle100k workload: heartbeats ON for raw ws too (the usual ping loop of ws's README, with
// agentwire's tolerance: ping every socket every BENCH_HEARTBEAT_MS, end one that missed two
// pings in a row), and a listen backlog (BENCH_LISTEN_BACKLOG) that holds the opening rate.
const heartbeatMs = Number(process.env.BENCH_HEARTBEAT_MS ?? 0);
const backlog = process.env.BENCH_LISTEN_BACKLOG ? Number(process.env.BENCH_LISTEN_BACKLOG) : undefined;
if (heartbeatMs > 0) {
  setInterval(() => {
    for (const sockets of socketsByUser.values()) {
      for (const socket of sockets) {
        if (socket.missedPongs >= 2) socket.terminate();
        else {
          socket.missedPongs = (socket.missedPongs ?? 0) + 1;
          socket.ping();
        }
      }
    }
  }, heartbeatMs).unref();
  wss.on('connection', (socket) => {
    socket.missedPongs = 0;
    socket.on('pong', () => (socket.missedPongs = 0));
  });
}

let users = [];
let seqs = new Uint32Array(0);

await runServer({
  name: 'ws',
  start: () => new Promise((resolve) => server.listen({ port: 0, host: '127.0.0.1', backlog }, () => resolve(server.address().port))),
  async prepare(userIds) {
    users = userIds.map((id, i) => ({ id, threadId: `thr_bench_${i}`, runId: `run_bench_${i}` }));
    seqs = new Uint32Array(userIds.length);
  },
  emitTo(index, text) {
    const user = users[index];
    const sockets = socketsByUser.get(user.id);
    if (!sockets) return;
    const json = JSON.stringify(plainEvent(++seqs[index], user.threadId, user.runId, text));
    for (const socket of sockets) socket.send(json);
  },
  connections: () => open,
});
