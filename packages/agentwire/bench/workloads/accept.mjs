// Connection accept rate: K sockets opened `concurrency` at a time, timed from the first
// handshake to the last socket able to receive (agentwire: connection_established after
// verifying a JWT; Socket.IO: the namespace connect; ws: the upgrade).
import { startClient, startServer, userIds } from '../lib/session.mjs';

export const ACCEPT = { connections: 2_000, concurrency: 50 };

export async function acceptRuns(system, { runs, secret, log }) {
  const server = await startServer(system);
  const client = startClient(server);
  const results = [];
  try {
    for (let run = 0; run < runs; run++) {
      // New users every run: a returning user would find their scope already made.
      const ids = userIds(ACCEPT.connections, `a${run}_`);
      const opened = await client.call('connect', { system, port: server.port, userIds: ids, secret, concurrency: ACCEPT.concurrency }, 120_000);
      if (opened.failed > 0) throw new Error(`${system}: ${opened.failed} sockets failed (${opened.firstError})`);
      await client.call('closeAll', {}, 60_000);
      const acceptsPerSecond = (opened.opened * 1e6) / opened.elapsedMicros;
      log(`  accept ${system} run ${run + 1}/${runs}: ${Math.round(acceptsPerSecond)} connections/s`);
      results.push({ acceptsPerSecond });
    }
  } finally {
    await client.stop();
    await server.stop();
  }
  return results;
}
