// The write floor: what putting one ~250-byte event on a socket costs on this machine, with
// nothing else. The upgrade is answered by hand (RFC 6455 section 4.2.2), and each event is
// one `socket.write` of a WebSocket frame prebuilt per user at prepare time: no JSON, no
// framing, no per-user lookup beyond an array index. Same driver, client and acking as the
// other systems (servers/harness.mjs), so its CPU per event is the floor they stand on.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { nowMicros, plainEvent, thinkingText } from '../lib/payload.mjs';
import { runServer } from './harness.mjs';

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

const server = createServer((_, response) => response.writeHead(426).end());
/** @type {Map<string, import('node:net').Socket>} */
const socketByUser = new Map();
let open = 0;

server.on('upgrade', (request, socket) => {
  const key = request.headers['sec-websocket-key'];
  const userId = new URL(request.url ?? '/', 'http://bench.invalid').searchParams.get('user') ?? 'anonymous';
  if (!key) return socket.destroy();
  const accept = createHash('sha1').update(key + GUID).digest('base64');
  socket.setNoDelay(true);
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
  socketByUser.set(userId, socket);
  open++;
  // The client never sends while the floor is measured; its close frame or FIN ends the socket.
  socket.on('data', () => {});
  socket.on('error', () => {});
  socket.on('close', () => {
    open--;
    if (socketByUser.get(userId) === socket) socketByUser.delete(userId);
  });
});

/** One unmasked text frame (server to client) holding `text`. */
function textFrame(text) {
  const payload = Buffer.from(text);
  const header = payload.length < 126 ? Buffer.from([0x81, payload.length]) : Buffer.from([0x81, 126, payload.length >> 8, payload.length & 0xff]);
  return Buffer.concat([header, payload]);
}

let userIdsOf = [];
let sockets = [];
let frames = [];

await runServer({
  name: 'floor',
  start: () => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port))),
  async prepare(userIds) {
    frames = userIds.map((_, i) => textFrame(JSON.stringify(plainEvent(1, `thr_bench_${i}`, `run_bench_${i}`, thinkingText(nowMicros())))));
    sockets = userIds.map(() => undefined);
    userIdsOf = userIds;
  },
  emitTo(index) {
    const socket = (sockets[index] ??= socketByUser.get(userIdsOf[index]));
    if (socket && !socket.destroyed) socket.write(frames[index]);
  },
  connections: () => open,
});
