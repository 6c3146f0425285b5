// One of the idle100k workload's client processes (workloads/idle.mjs): opens its share of the
// sockets (one user each, a verified JWT each for agentwire) spread over its loopback source
// addresses, holds them idle while the server's heartbeat pings them (the ws client answers
// every ping with a pong on its own), then pings every socket itself and counts the pongs.
import { serveControl } from '../lib/control.mjs';
import { nowMicros } from '../lib/payload.mjs';
import { signTokens } from '../lib/tokens.mjs';
import { openConnection } from './connect.mjs';

const sockets = [];
/** Per socket: 1 once the server's heartbeat pinged it since `hold`. */
let pinged = new Uint8Array(0);

async function connect({ system, port, userIds, secret, concurrency, localAddresses }) {
  const tokens = await signTokens(secret, userIds);
  let next = 0;
  let failed = 0;
  let firstError;
  const startedAt = nowMicros();
  const worker = async () => {
    while (next < userIds.length) {
      const i = next++;
      try {
        const socket = await openConnection(system, { port, userId: userIds[i], token: tokens[i], onEvent: () => {}, localAddress: localAddresses[i % localAddresses.length], timeoutMs: 60_000 });
        const index = sockets.push(socket) - 1;
        socket.on('ping', () => (pinged[index] = 1));
      } catch (error) {
        failed++;
        firstError ??= String(error?.message ?? error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, userIds.length) }, worker));
  pinged = new Uint8Array(sockets.length);
  return { opened: sockets.length, failed, firstError, elapsedMicros: nowMicros() - startedAt };
}

/** Starts counting the server's heartbeat pings afresh. */
function hold() {
  pinged.fill(0);
  return { sockets: sockets.length };
}

/** Pings every open socket once; resolves when all answered or after `timeoutMs`. */
function probe({ timeoutMs }) {
  const open = sockets.filter((socket) => socket.readyState === socket.OPEN);
  const serverPinged = pinged.reduce((sum, flag) => sum + flag, 0);
  return new Promise((resolve) => {
    let answered = 0;
    const done = () => {
      clearTimeout(timer);
      resolve({ sockets: sockets.length, open: open.length, answered, serverPinged });
    };
    const timer = setTimeout(done, timeoutMs);
    if (open.length === 0) return done();
    for (const socket of open) {
      socket.once('pong', () => {
        if (++answered === open.length) done();
      });
      socket.ping();
    }
  });
}

async function closeAll() {
  const closing = sockets.splice(0).map(
    (socket) =>
      new Promise((resolve) => {
        if (socket.readyState === socket.CLOSED) return resolve();
        socket.once('close', resolve);
        socket.terminate();
      }),
  );
  await Promise.all(closing);
  return { closed: closing.length };
}

serveControl({ connect, hold, probe, closeAll });
