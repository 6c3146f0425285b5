// The reconnect workload's client (workloads/reconnect.mjs): one socket per user; `drop` cuts
// every TCP connection without a close frame; `resume` reconnects every user where it was and
// resolves once each has received the `missed` events emitted while it was away: agentwire
// with `?last_seq=&epoch=` and a JWT (docs/protocol.md, "Connecting"), Socket.IO with the
// `{ pid, offset }` CONNECT packet of its connection-state recovery. Frames are parsed only
// for the resume position (seq / offset); the server's CPU is what the workload measures.
import { WebSocket } from 'ws';
import { serveControl } from '../lib/control.mjs';
import { nowMicros } from '../lib/payload.mjs';
import { signTokens } from '../lib/tokens.mjs';

let config;
let users = [];

class ResumingUser {
  socket = undefined;
  lastSeq = -1;
  epoch = '';
  pid = undefined;
  offset = undefined;
  received = 0;

  constructor(userId, token) {
    this.userId = userId;
    this.token = token;
  }

  /** Opens (resuming when it has a position) and resolves once `events` events arrived after the handshake. */
  open(events) {
    const { port, system } = config;
    this.received = 0;
    return new Promise((resolve, reject) => {
      let url;
      let options = { perMessageDeflate: false };
      if (system === 'agentwire') {
        const resume = this.lastSeq >= 0 ? `?last_seq=${this.lastSeq}&epoch=${encodeURIComponent(this.epoch)}` : '';
        url = `ws://127.0.0.1:${port}/ws${resume}`;
        options = { ...options, headers: { authorization: `Bearer ${this.token}` } };
      } else {
        url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&user=${encodeURIComponent(this.userId)}`;
      }
      const socket = new WebSocket(url, system === 'agentwire' ? ['agentwire.v1'] : [], options);
      this.socket = socket;
      let ready = false;
      const timer = setTimeout(() => reject(new Error(`${this.userId}: not resumed within 30 s (${this.received} of ${events})`)), 30_000);
      const arrived = () => {
        if (ready && this.received >= events) {
          clearTimeout(timer);
          resolve();
        }
      };
      socket.on('error', (error) => reject(error));
      socket.on('close', () => reject(new Error(`${this.userId}: closed before resumed`)));
      socket.on('message', (data) => {
        if (system === 'agentwire') {
          const frame = JSON.parse(data);
          if (frame.type === 'connection_established') {
            this.epoch = frame.data.epoch;
            if (this.lastSeq < 0) this.lastSeq = frame.data.last_seq;
            ready = true;
          } else if (typeof frame.seq === 'number') {
            this.lastSeq = frame.seq;
            this.received++;
          }
        } else {
          const text = data.toString();
          if (text.startsWith('42')) {
            const packet = JSON.parse(text.slice(2));
            if (packet.length > 2) this.offset = packet[packet.length - 1];
            this.received++;
          } else if (text === '2') socket.send('3');
          else if (text.startsWith('0')) socket.send(this.pid ? `40${JSON.stringify({ pid: this.pid, offset: this.offset })}` : '40');
          else if (text.startsWith('40')) {
            this.pid = text.length > 2 ? JSON.parse(text.slice(2)).pid : undefined;
            ready = true;
          }
        }
        arrived();
      });
    });
  }

  drop() {
    const socket = this.socket;
    socket.removeAllListeners('close');
    socket.removeAllListeners('error');
    socket.on('error', () => {});
    return new Promise((resolve) => {
      socket.once('close', resolve);
      socket.terminate();
    });
  }
}

async function inParallel(concurrency, body) {
  let next = 0;
  const worker = async () => {
    while (next < users.length) await body(users[next++]);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
}

async function connect({ system, port, userIds, secret, concurrency }) {
  config = { system, port, concurrency };
  // One token per user, signed up front: the reconnects measure the server, not the signing.
  const tokens = await signTokens(secret, userIds);
  users = userIds.map((userId, i) => new ResumingUser(userId, tokens[i]));
  await inParallel(concurrency, (user) => user.open(0));
  return { opened: users.length };
}

/** Resolves once every user has received `events` events since it (re)connected. */
async function received({ events }) {
  while (users.some((user) => user.received < events)) await new Promise((resolve) => setTimeout(resolve, 10));
  return { users: users.length };
}

async function drop() {
  await Promise.all(users.map((user) => user.drop()));
  return { dropped: users.length };
}

async function resume({ missed }) {
  const startedAt = nowMicros();
  await inParallel(config.concurrency, (user) => user.open(missed));
  return { resumed: users.length, elapsedMicros: nowMicros() - startedAt };
}

serveControl({ connect, received, drop, resume, closeAll: drop });
