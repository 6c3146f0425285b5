// Memory per idle connection: RSS and heap after GC, before and after K idle sockets
// (one user each), divided by K. A fresh server process per measurement.
// BENCH_HEAP_SNAPSHOTS=1 also writes a heap snapshot of the server before and after (their
// difference per connection: node bench/heap-summary.mjs <before> <after> K); writing a
// snapshot grows the process, so the RSS figures of such a run are not comparable.
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
    const snapshotBefore = process.env.BENCH_HEAP_SNAPSHOTS === '1' ? (await server.call('snapshot', {}, 120_000)).file : undefined;
    const opened = await client.call('connect', { system, port: server.port, userIds: userIds(connections, 'm'), secret, concurrency: 64 }, 180_000);
    if (opened.failed > 0) throw new Error(`${system}: ${opened.failed} of ${connections} sockets failed (${opened.firstError})`);
    const { connections: held } = await server.call('connections');
    if (held !== connections) throw new Error(`${system}: server holds ${held} sockets, expected ${connections}`);
    const after = await server.call('memory');
    const snapshots = snapshotBefore ? [snapshotBefore, (await server.call('snapshot', {}, 120_000)).file] : undefined;
    return {
      ...(snapshots && { snapshots }),
      rssBytesPerConnection: (after.rss - before.rss) / connections,
      heapBytesPerConnection: (after.heapUsed - before.heapUsed) / connections,
    };
  } finally {
    await client.stop();
    await server.stop();
  }
}
