// The storm's load client (workloads/storm.mjs): one process holding every user's socket.
// Each socket is killed without a close frame every 10-20 s (seeded), stays offline
// 1.5-2.5 s, then reconnects resuming where it was: agentwire with `?last_seq=&epoch=` and a
// fresh JWT (docs/protocol.md, "Connecting"); Socket.IO with the `{ pid, offset }` CONNECT
// packet its client sends for connection-state recovery (a server without recovery hands out
// no pid, so that client reconnects plainly). Every event is checked against the user's seq:
// exactly once and in order, missing, duplicates, and the replay latency of each reconnect.
import { SignJWT } from 'jose';
import { WebSocket } from 'ws';
import { serveControl } from '../lib/control.mjs';
import { loopDelay } from '../lib/loop-delay.mjs';
import { emitTimeOf, nowMicros } from '../lib/payload.mjs';
import { seededRandom } from '../lib/seeded-random.mjs';

const KILL_EVERY_MS = [10_000, 20_000];
const OFFLINE_MS = [1_500, 2_500];
const RETRY_MS = 1_000;
const CONCURRENCY = 64;

const between = (random, [low, high]) => low + random() * (high - low);

let config;
let key;
let storming = false;
const delay = loopDelay();
/** The client's own CPU and loop delay over the storm: a late client shows in the replay latency too. */
let stormStart;
const users = [];
const replayMicros = [];
const totals = { kills: 0, reconnects: 0, reconnectFailures: 0, serverCloses: 0, resumeGaps: 0, unrecovered: 0, cutShort: 0, unexpected: 0 };

async function tokenFor(userId) {
  if (!key) return undefined;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuedAt(now).setExpirationTime(now + 3600).sign(key);
}

class StormUser {
  socket = undefined;
  base = -1; // the seq before the first broadcast; events are base+1 .. base+rounds
  lastSeq = -1;
  seen;
  inOrder = 0;
  duplicates = 0;
  outOfOrder = 0;
  epoch = '';
  pid = undefined;
  offset = undefined;
  reconnectAt = 0; // µs; set while a replay is pending
  lastMissedAt = 0;
  timer = undefined;
  token = undefined;

  constructor(index, userId) {
    this.index = index;
    this.userId = userId;
    this.random = seededRandom(config.seed + index);
    this.seen = new Uint8Array(config.maxEvents);
  }

  async open() {
    const resuming = this.lastSeq >= 0;
    // A real client keeps its token across reconnects until it expires (an hour here), so the
    // server's cache of verified tokens sees the same token again, as it would in production.
    this.token ??= await tokenFor(this.userId);
    const token = this.token;
    return new Promise((resolve, reject) => {
      const { port, system } = config;
      let url;
      let options = { perMessageDeflate: false };
      if (system === 'agentwire') {
        const resume = resuming ? `?last_seq=${this.lastSeq}&epoch=${encodeURIComponent(this.epoch)}` : '';
        url = `ws://127.0.0.1:${port}/ws${resume}`;
        options = { ...options, headers: { authorization: `Bearer ${token}` } };
      } else {
        url = `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&user=${encodeURIComponent(this.userId)}`;
      }
      const socket = new WebSocket(url, system === 'agentwire' ? ['agentwire.v1'] : [], options);
      this.socket = socket;
      let ready = false;
      const becomeReady = () => {
        ready = true;
        resolve();
      };
      socket.on('error', (error) => {
        if (!ready) reject(error);
      });
      socket.on('close', () => {
        if (!ready) reject(new Error('closed before ready'));
        else if (this.socket === socket) this.lost();
      });
      socket.on('message', (data) => (system === 'agentwire' ? this.onAgentwire(data, ready, becomeReady) : this.onSocketIo(socket, data, ready, becomeReady)));
    });
  }

  onAgentwire(data, ready, becomeReady) {
    if (!ready) {
      const frame = JSON.parse(data);
      if (frame.type !== 'connection_established') throw new Error(`unexpected first frame ${data}`);
      this.epoch = frame.data.epoch;
      if (this.base < 0) this.base = this.lastSeq = frame.data.last_seq;
      becomeReady();
      return;
    }
    if (data.includes('"resume_gap"')) {
      totals.resumeGaps++;
      return;
    }
    const frame = JSON.parse(data);
    if (typeof frame.seq === 'number') this.onEvent(frame.seq, emitTimeOf(data));
  }

  onSocketIo(socket, data, ready, becomeReady) {
    const text = data.toString();
    if (text.startsWith('42')) {
      const packet = JSON.parse(text.slice(2));
      if (packet.length > 2) this.offset = packet[packet.length - 1];
      this.onEvent(packet[1].seq, emitTimeOf(data));
    } else if (text === '2') {
      socket.send('3');
    } else if (text.startsWith('0')) {
      socket.send(this.pid ? `40${JSON.stringify({ pid: this.pid, offset: this.offset })}` : '40');
    } else if (text.startsWith('40') && !ready) {
      this.pid = text.length > 2 ? JSON.parse(text.slice(2)).pid : undefined;
      if (this.base < 0) this.base = this.lastSeq = 0;
      becomeReady();
    }
  }

  onEvent(seq, emittedAt) {
    const slot = seq - this.base - 1;
    if (slot < 0 || slot >= this.seen.length) {
      totals.unexpected++;
      return;
    }
    if (this.seen[slot]) this.duplicates++;
    else {
      this.seen[slot] = 1;
      if (seq === this.lastSeq + 1) this.inOrder++;
      else this.outOfOrder++;
    }
    const gap = seq > this.lastSeq + 1;
    if (seq > this.lastSeq) this.lastSeq = seq;
    if (!this.reconnectAt) return;
    // Replay is done at the first event emitted after the reconnect began: if it follows
    // without a gap, everything broadcast while offline had arrived (the last of it at
    // lastMissedAt); a gap means it never will.
    if (emittedAt >= 0 && emittedAt < this.reconnectAt) {
      if (!gap) this.lastMissedAt = nowMicros();
      else this.unrecovered();
    } else if (gap) this.unrecovered();
    else {
      replayMicros.push(this.lastMissedAt ? this.lastMissedAt - this.reconnectAt : 0);
      this.reconnectAt = 0;
    }
  }

  unrecovered() {
    totals.unrecovered++;
    this.reconnectAt = 0;
  }

  scheduleKill() {
    if (!storming) return;
    this.timer = setTimeout(() => this.kill(), between(this.random, KILL_EVERY_MS));
  }

  kill() {
    if (!storming || !this.socket) return;
    totals.kills++;
    const socket = this.socket;
    this.socket = undefined;
    // terminate(): the TCP connection is destroyed, no close frame is sent.
    socket.terminate();
    this.offline(between(this.random, OFFLINE_MS));
  }

  /** The server closed the socket (overload, 1013...): reconnect like after a kill. */
  lost() {
    totals.serverCloses++;
    this.socket = undefined;
    clearTimeout(this.timer);
    this.offline(RETRY_MS);
  }

  offline(ms) {
    if (this.reconnectAt) {
      // Killed again before its replay finished: the time so far is a lower bound.
      totals.cutShort++;
      replayMicros.push(nowMicros() - this.reconnectAt);
      this.reconnectAt = 0;
    }
    this.timer = setTimeout(() => void this.reconnect(), ms);
  }

  async reconnect() {
    this.reconnectAt = nowMicros();
    this.lastMissedAt = 0;
    try {
      await this.open();
      totals.reconnects++;
      this.scheduleKill();
    } catch {
      totals.reconnectFailures++;
      this.socket?.terminate();
      this.socket = undefined;
      this.reconnectAt = 0;
      this.timer = setTimeout(() => void this.reconnect(), RETRY_MS);
    }
  }
}

async function connect({ system, port, userIds, secret, seed, maxEvents }) {
  config = { system, port, seed, maxEvents };
  key = secret ? new TextEncoder().encode(secret) : undefined;
  userIds.forEach((userId, i) => users.push(new StormUser(i, userId)));
  let next = 0;
  let failed = 0;
  const worker = async () => {
    while (next < users.length) {
      const user = users[next++];
      await user.open().catch(() => failed++);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, users.length) }, worker));
  return { opened: users.length - failed, failed };
}

/** All online and every user at `rounds` events: the tail has arrived. */
function settled({ rounds }) {
  const online = users.filter((user) => user.socket?.readyState === WebSocket.OPEN).length;
  const complete = users.filter((user) => user.lastSeq >= user.base + rounds).length;
  return { users: users.length, online, complete, done: online === users.length && complete === users.length };
}

function report({ rounds }) {
  const expected = users.length * rounds;
  let inOrder = 0;
  let unique = 0;
  let duplicates = 0;
  let outOfOrder = 0;
  for (const user of users) {
    inOrder += user.inOrder;
    duplicates += user.duplicates;
    outOfOrder += user.outOfOrder;
    for (let i = 0; i < rounds; i++) unique += user.seen[i];
  }
  const sorted = Float64Array.from(replayMicros).sort();
  const at = (q) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1000 : undefined);
  const pending = users.filter((user) => user.reconnectAt).length;
  return {
    users: users.length,
    rounds,
    expected,
    deliveredPercent: expected ? (100 * inOrder) / expected : 0,
    missing: expected - unique,
    duplicates,
    outOfOrder,
    replays: sorted.length,
    replayP50Ms: at(0.5),
    replayP99Ms: at(0.99),
    replayMaxMs: sorted.length ? sorted[sorted.length - 1] / 1000 : undefined,
    pendingReplays: pending,
    ...totals,
  };
}

serveControl({
  connect,
  storm: () => {
    storming = true;
    delay.take();
    stormStart = { cpu: process.cpuUsage(), at: nowMicros() };
    for (const user of users) user.scheduleKill();
    return {};
  },
  // No new kills; sockets offline now still come back.
  calm: () => {
    storming = false;
    for (const user of users) if (user.socket) clearTimeout(user.timer);
    const cpu = process.cpuUsage(stormStart.cpu);
    return { cpuPercent: (100 * (cpu.user + cpu.system)) / (nowMicros() - stormStart.at), ...delay.take() };
  },
  settled,
  report,
  closeAll: () => {
    for (const user of users) {
      clearTimeout(user.timer);
      const socket = user.socket;
      user.socket = undefined;
      socket?.terminate();
    }
    return {};
  },
});
