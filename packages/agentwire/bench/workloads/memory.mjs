// Memory per idle connection: RSS and heap after GC, before and after K idle sockets
// (one user each), divided by K. A fresh server process per measurement.
import { startClient, startServer, userIds, waitFor } from '../lib/session.mjs';

export async function memoryOnce(system, connections, { secret }) {
  const server = await startServer(system);
  const client = startClient(server);
  try {
    // Warm both sides up first, so code compiled on the first sockets is not billed to each.
    await client.call('connect', { system, port: server.port, userIds: userIds(50, 'warm'), secret, concurrency: 10 }, 60_000);
    await client.call('closeAll');
    await waitFor(async () => (await server.call('connections')).connections === 0, 10_000, 'warm-up sockets to close');
    const before = await server.call('memory');
    const opened = await client.call('connect', { system, port: server.port, userIds: userIds(connections, 'm'), secret, concurrency: 64 }, 180_000);
    if (opened.failed > 0) throw new Error(`${system}: ${opened.failed} of ${connections} sockets failed (${opened.firstError})`);
    const { connections: held } = await server.call('connections');
    if (held !== connections) throw new Error(`${system}: server holds ${held} sockets, expected ${connections}`);
    const after = await server.call('memory');
    return {
      rssBytesPerConnection: (after.rss - before.rss) / connections,
      heapBytesPerConnection: (after.heapUsed - before.heapUsed) / connections,
    };
  } finally {
    await client.stop();
    await server.stop();
  }
}
