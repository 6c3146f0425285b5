// One server process of one system and one load-client process, wired together: the
// client's acks are relayed to the server's driver.
import { fileURLToPath } from 'node:url';
import { spawnChild } from './control.mjs';

const here = (path) => fileURLToPath(new URL(path, import.meta.url));

export const SYSTEMS = ['agentwire', 'ws', 'socketio'];
export const SYSTEM_LABELS = { agentwire: 'agentwire', ws: 'raw ws', socketio: 'Socket.IO', floor: 'floor (prebuilt frame, socket.write)' };

/** Starts `servers/<system>.mjs`; resolves once it listens. */
export async function startServer(system, { cpuProfileDir, env, nofile } = {}) {
  let listening;
  const port = new Promise((resolve) => (listening = resolve));
  // BENCH_SERVER_NODE_FLAGS: more flags for every server process (--trace-gc, to see pauses).
  const nodeFlags = ['--expose-gc', ...(process.env.BENCH_SERVER_NODE_FLAGS ?? '').split(' ').filter(Boolean)];
  if (cpuProfileDir) nodeFlags.push('--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`);
  const server = spawnChild(here(`../servers/${system}.mjs`), {
    nodeFlags,
    env,
    nofile,
    label: `server:${system}`,
    onEvent: (message) => {
      if (message.event === 'listening') listening(message.port);
    },
  });
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error(`${system} server did not start`)), 15_000).unref());
  return { ...server, port: await Promise.race([port, timeout]) };
}

export function startClient(server) {
  return spawnChild(here('../clients/client.mjs'), {
    label: 'client',
    onEvent: (message) => {
      if (message.event === 'ack') server.tell('ack', { total: message.total });
    },
  });
}

/** A server with `count` users prepared and one connected socket each. */
export async function startSession(system, { users, concurrency = 64, cpuProfileDir, secret, env }) {
  const server = await startServer(system, { cpuProfileDir, env });
  const client = startClient(server);
  try {
    await server.call('prepare', { users });
    const opened = await client.call('connect', { system, port: server.port, userIds: users, secret, concurrency }, 120_000);
    if (opened.failed > 0) throw new Error(`${system}: ${opened.failed} of ${users.length} sockets failed to open (${opened.firstError})`);
    return { server, client, async stop() { await client.stop(); await server.stop(); } };
  } catch (error) {
    await client.stop();
    await server.stop();
    throw error;
  }
}

export const userIds = (count, prefix = 'u') => Array.from({ length: count }, (_, i) => `${prefix}${i}`);

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `probe` until it returns true, for at most `timeoutMs`. */
export async function waitFor(probe, timeoutMs, what) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await sleep(20);
  }
  throw new Error(`timed out waiting for ${what}`);
}
