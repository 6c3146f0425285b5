// Connection accept rate: K sockets opened `concurrency` at a time, timed from the first
// handshake to the last socket able to receive (agentwire: connection_established after
// verifying a JWT; Socket.IO: the namespace connect; ws: the upgrade).
import { startClient, startServer, userIds } from '../lib/session.mjs';

export const ACCEPT = { connections: 2_000, concurrency: 50, warmup: 500 };

/** One measurement on a fresh server process; `run` makes the user ids new. */
export async function acceptRun(system, run, { secret, cpuProfileDir }) {
  const server = await startServer(system, { cpuProfileDir });
  const client = startClient(server);
  try {
    // A steady-state rate: the first sockets of a fresh process pay for compiling the code path.
    await client.call('connect', { system, port: server.port, userIds: userIds(ACCEPT.warmup, `w${run}_`), secret, concurrency: ACCEPT.concurrency }, 120_000);
    await client.call('closeAll', {}, 60_000);
    const ids = userIds(ACCEPT.connections, `a${run}_`);
    const before = await server.call('usage');
    const opened = await client.call('connect', { system, port: server.port, userIds: ids, secret, concurrency: ACCEPT.concurrency }, 120_000);
    const after = await server.call('usage');
    if (opened.failed > 0) throw new Error(`${system}: ${opened.failed} sockets failed (${opened.firstError})`);
    const elapsed = after.atMicros - before.atMicros;
    const cpu = after.cpuMicros - before.cpuMicros;
    return {
      acceptsPerSecond: (opened.opened * 1e6) / opened.elapsedMicros,
      // The server's share of the work: CPU per connection, and how busy it was meanwhile. A
      // server far from 100% is not what bounds the rate (the load client and the round trips are).
      serverCpuMicrosPerConnection: cpu / opened.opened,
      serverBusyPercent: (100 * cpu) / elapsed,
      clientBusyPercent: (100 * opened.clientCpuMicros) / opened.elapsedMicros,
    };
  } finally {
    await client.stop();
    await server.stop();
  }
}
