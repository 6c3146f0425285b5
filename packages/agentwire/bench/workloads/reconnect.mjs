// The cost of one reconnect with resume, server side: the upgrade, the token check (agentwire)
// or the namespace connect (Socket.IO), finding the user's scope / session, and reading and
// writing the K events it missed. N users connect; their TCP connections are cut without a
// close frame; once the server has seen every socket go, it emits K events to each user; then
// every user reconnects resuming (clients/reconnect.mjs) and the server's CPU is read from
// before the first reconnect to the last user's K-th replayed event. One warm-up cycle first
// on the same server, so compiling the path is not billed. agentwire on the memory engine vs
// Socket.IO 4 with connection-state recovery (missed room broadcasts replayed on reconnect).
import { fileURLToPath } from 'node:url';
import { spawnChild } from '../lib/control.mjs';
import { startServer, userIds, waitFor } from '../lib/session.mjs';

export const RECONNECT = {
  users: Number(process.env.BENCH_RECONNECT_USERS ?? 1_000),
  missed: Number(process.env.BENCH_RECONNECT_MISSED ?? 10),
  concurrency: 50,
};

export const RECONNECT_SYSTEMS = {
  agentwire: { label: 'agentwire, memory engine (resume with last_seq, JWT verified)', server: 'agentwire', env: {} },
  'socketio-recovery': { label: 'Socket.IO 4, connection-state recovery', server: 'socketio', env: { BENCH_SIO_RECOVERY: '1' } },
};

/** One fresh server per system and run: a warm-up cycle, then one measured cycle. */
export async function reconnectRun(system, run, { secret }) {
  const spec = RECONNECT_SYSTEMS[system];
  const server = await startServer(spec.server, { env: spec.env });
  const client = spawnChild(fileURLToPath(new URL('../clients/reconnect.mjs', import.meta.url)), { label: 'reconnect-client' });
  try {
    const users = userIds(RECONNECT.users, `c${run}_`);
    await server.call('prepare', { users });
    await client.call('connect', { system: spec.server, port: server.port, userIds: users, secret, concurrency: RECONNECT.concurrency }, 120_000);
    // One live event each first: a Socket.IO client resumes from the offset of the last packet it got.
    await server.call('burst', { perUser: 1 });
    await client.call('received', { events: 1 }, 60_000);
    await cycle(server, client); // warm-up
    const { cpuMicros, elapsedMicros } = await cycle(server, client);
    return {
      cpuMicrosPerReconnect: cpuMicros / RECONNECT.users,
      reconnectsPerSecond: (RECONNECT.users * 1e6) / elapsedMicros,
    };
  } finally {
    await client.stop();
    await server.stop();
  }
}

async function cycle(server, client) {
  await client.call('drop', {}, 60_000);
  await waitFor(async () => (await server.call('connections')).connections === 0, 30_000, 'the server to see every socket go');
  await server.call('burst', { perUser: RECONNECT.missed }, 60_000);
  const before = await server.call('usage');
  const { elapsedMicros } = await client.call('resume', { missed: RECONNECT.missed }, 120_000);
  const after = await server.call('usage');
  return { cpuMicros: after.cpuMicros - before.cpuMicros, elapsedMicros };
}
