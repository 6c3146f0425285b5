// One of the idle100k workload's client processes (workloads/idle.mjs): opens its share of the
// sockets (one user each, a verified JWT each for agentwire) spread over its loopback source
// addresses, holds them idle while the server's heartbeat pings them (the ws client answers
// every ping with a pong on its own), then pings every socket itself and counts the pongs.
import { serveControl } from '../lib/control.mjs';
import { nowMicros } from '../lib/payload.mjs';
import { signTokens } from '../lib/tokens.mjs';
import { openAll, openConnection, terminateAll } from './connect.mjs';

const sockets = [];
/** The sockets the server's heartbeat pinged since `hold`. */
let pinged = new WeakSet();
let counting = false;

async function connect({ system, port, userIds, secret, concurrency, localAddresses }) {
  const tokens = await signTokens(secret, userIds);
  const startedAt = nowMicros();
  const { failed, firstError } = await openAll(userIds.length, concurrency, sockets, async (i) => {
    const socket = await openConnection(system, { port, userId: userIds[i], token: tokens[i], onEvent: () => {}, localAddress: localAddresses[i % localAddresses.length], timeoutMs: 60_000 });
    socket.on('ping', () => {
      if (counting) pinged.add(socket);
    });
    return socket;
  });
  return { opened: sockets.length, failed, firstError, elapsedMicros: nowMicros() - startedAt };
}

/** Starts counting the server's heartbeat pings afresh. */
function hold() {
  pinged = new WeakSet();
  counting = true;
  return { sockets: sockets.length };
}

/** Pings every open socket once; resolves when all answered or after `timeoutMs`. */
function probe({ timeoutMs }) {
  const open = sockets.filter((socket) => socket.readyState === socket.OPEN);
  const serverPinged = sockets.filter((socket) => pinged.has(socket)).length;
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

const closeAll = () => terminateAll(sockets);

serveControl({ connect, hold, probe, closeAll });
