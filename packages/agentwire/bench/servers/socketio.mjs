// Socket.IO 4 as most teams use it: one room per user, an emit to the user's room.
// BENCH_SIO_RECOVERY=1 turns on connection-state recovery (the storm workload): missed
// room broadcasts are kept 2 minutes and replayed to a client that reconnects with its
// session id and last offset.
import { createServer } from 'node:http';
import { Server } from 'socket.io';
import { plainEvent } from '../lib/payload.mjs';
import { runServer } from './harness.mjs';

const server = createServer();
const recovery = process.env.BENCH_SIO_RECOVERY === '1' ? { connectionStateRecovery: { maxDisconnectionDuration: 120_000, skipMiddlewares: true } } : {};
const io = new Server(server, { transports: ['websocket'], perMessageDeflate: false, serveClient: false, ...recovery });
let open = 0;

io.on('connection', (socket) => {
  open++;
  void socket.join(`user:${socket.handshake.query.user}`);
  socket.on('disconnect', () => open--);
});

let users = [];
let seqs = new Uint32Array(0);

await runServer({
  name: 'socketio',
  start: () => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port))),
  async prepare(userIds) {
    users = userIds.map((id, i) => ({ room: `user:${id}`, threadId: `thr_bench_${i}`, runId: `run_bench_${i}` }));
    seqs = new Uint32Array(userIds.length);
  },
  emitTo(index, text) {
    const user = users[index];
    io.to(user.room).emit('event', plainEvent(++seqs[index], user.threadId, user.runId, text));
  },
  connections: () => open,
});
