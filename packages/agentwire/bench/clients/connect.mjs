// The minimal protocol client of each system, all on `ws`, equally light: open a socket,
// finish the system's handshake, then hand every event frame (a Buffer, undecoded) to
// `onEvent`. Nothing here parses JSON on the hot path.
import { WebSocket } from 'ws';

const CHAR_0 = 0x30;
const CHAR_2 = 0x32;
const CHAR_4 = 0x34;

/**
 * Resolves with the socket once it can receive events; rejects when it is refused or
 * does not get there within `timeoutMs`.
 */
export function openConnection(system, { port, userId, token, onEvent, timeoutMs = 15_000, localAddress }) {
  return new Promise((resolve, reject) => {
    const { url, protocols, options } = target(system, port, userId, token);
    // `localAddress` (127.0.0.2, ...) spreads many sockets over several loopback sources, each
    // with its own ephemeral port range (net.ipv4.ip_local_port_range).
    const socket = new WebSocket(url, protocols, { perMessageDeflate: false, ...options, ...(localAddress ? { localAddress } : {}) });
    let ready = false;
    const timer = setTimeout(() => fail(new Error(`not ready within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error) => {
      clearTimeout(timer);
      if (!ready) reject(error);
      socket.terminate();
    };
    const becomeReady = () => {
      ready = true;
      clearTimeout(timer);
      resolve(socket);
    };
    socket.on('error', (error) => {
      if (!ready) fail(error);
    });
    socket.on('close', (code, reason) => {
      if (!ready) fail(new Error(`closed ${code} ${reason}`));
    });
    if (system === 'ws' || system === 'floor') {
      socket.on('open', becomeReady);
      socket.on('message', (data) => onEvent(data));
    } else if (system === 'socketio') {
      // Engine.IO 4 over a websocket: "0{...}" open, "40" namespace connect, "2"/"3"
      // ping/pong, "42[...]" events.
      socket.on('message', (data) => {
        if (data[0] === CHAR_4) {
          if (data[1] === CHAR_2) onEvent(data);
          else if (data[1] === CHAR_0 && !ready) becomeReady();
        } else if (data[0] === CHAR_2) {
          socket.send('3');
        } else if (data[0] === CHAR_0) {
          socket.send('40');
        }
      });
    } else {
      // agentwire: the first frame is connection_established; everything after it is the stream.
      socket.on('message', (data) => {
        if (ready) onEvent(data);
        else if (data.includes('"connection_established"')) becomeReady();
        else fail(new Error(`unexpected first frame ${data}`));
      });
    }
  });
}

function target(system, port, userId, token) {
  const user = encodeURIComponent(userId);
  if (system === 'ws' || system === 'floor') return { url: `ws://127.0.0.1:${port}/?user=${user}`, protocols: [], options: {} };
  if (system === 'socketio') {
    return { url: `ws://127.0.0.1:${port}/socket.io/?EIO=4&transport=websocket&user=${user}`, protocols: [], options: {} };
  }
  return {
    url: `ws://127.0.0.1:${port}/ws`,
    protocols: ['agentwire.v1'],
    options: { headers: { authorization: `Bearer ${token}` } },
  };
}

/**
 * Opens one socket per user id (`open(i)` makes the i-th), `concurrency` handshakes at a time,
 * pushing each into `sockets` as it opens. Resolves with the failures once all have settled.
 */
export async function openAll(count, concurrency, sockets, open) {
  let next = 0;
  let failed = 0;
  let firstError;
  const worker = async () => {
    while (next < count) {
      const i = next++;
      try {
        sockets.push(await open(i));
      } catch (error) {
        failed++;
        firstError ??= String(error?.message ?? error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return { failed, firstError };
}

/** Drops every socket without a close frame and waits until each has closed. */
export async function terminateAll(sockets) {
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
