// Idle connections at scale (issue 19: 100,000 idle authenticated connections in one process,
// <= 1 GiB RSS, every one answering a ping): one server process per system, the sockets opened
// by several client processes (one user each; agentwire verifies a JWT per socket) spread over
// loopback source addresses 127.x.y.1, 127.x.y.2, ... (each has its own ephemeral port range).
// Heartbeats are ON and shortened so they fire during the hold; afterwards every client pings
// each of its sockets and counts the pongs. The descriptor limit is raised for these processes
// only, when the hard limit may be raised (CAP_SYS_RESOURCE); otherwise the run is recorded as
// not measured, with the limit.
import { fileURLToPath } from 'node:url';
import { spawnChild } from '../lib/control.mjs';
import { descriptorsAvailable, kernelLimits } from '../lib/kernel-limits.mjs';
import { sleep, startServer, userIds } from '../lib/session.mjs';

const env = (name, fallback) => Number(process.env[name] ?? fallback);

export const IDLE = {
  connections: env('BENCH_IDLE_CONNECTIONS', 100_000),
  // Sockets per client process and per source address (ip_local_port_range gives ~28,000).
  perClient: env('BENCH_IDLE_PER_CLIENT', 25_000),
  // Few per address: a socket bound to a source address before it connects (localAddress)
  // needs a port free on that address, and the kernel's search for one slows as they fill up.
  perAddress: 5_000,
  concurrency: env('BENCH_IDLE_CONCURRENCY', 128),
  heartbeatMs: env('BENCH_IDLE_HEARTBEAT_MS', 5_000),
  // net.core.somaxconn caps it; the kernel takes the smaller of the two.
  backlog: 4_096,
  systems: (process.env.BENCH_IDLE_SYSTEMS ?? 'agentwire,ws').split(',').map((s) => s.trim()).filter(Boolean),
};

/** Descriptors beyond the sockets: the process's own files, pipes and listeners. */
const SPARE_DESCRIPTORS = 1_000;

export async function idleRuns({ secret, log }) {
  const limits = kernelLimits();
  const rows = [];
  // Fresh source addresses for every system and bench run (127.<run>.<system>.<n>): the ports
  // of the previous run's sockets stay in TIME_WAIT for a minute and would slow the binds.
  const runOctet = 1 + Math.floor(Math.random() * 250);
  for (const [systemIndex, system] of IDLE.systems.entries()) {
    const wanted = IDLE.connections + SPARE_DESCRIPTORS;
    const available = descriptorsAvailable(wanted);
    // Where the hard limit cannot be raised, the largest size that fits is measured instead, so
    // the report still shows the slope; the row says what held it back.
    const connections = Math.min(IDLE.connections, available - SPARE_DESCRIPTORS);
    const limitedBy =
      connections < IDLE.connections
        ? `the descriptor hard limit is ${available} and cannot be raised to ${wanted} here (that needs CAP_SYS_RESOURCE)`
        : undefined;
    if (limitedBy) log(`idle ${system}: ${limitedBy}; measuring ${connections} connections instead of ${IDLE.connections}`);
    if (connections < 1_000) {
      rows.push({ system, connections: IDLE.connections, skipped: limitedBy });
      continue;
    }
    const row = await idleOnce(system, { secret, connections, nofile: connections + SPARE_DESCRIPTORS, addressPrefix: `127.${runOctet}.${systemIndex}.` });
    rows.push({ ...row, wanted: IDLE.connections, limitedBy });
    log(
      `idle ${system} ${row.connections}: ${row.opened} opened (${row.failed} failed) at ${Math.round(row.acceptsPerSecond)}/s in ${(row.openSeconds).toFixed(1)} s; ` +
        `RSS ${Math.round(row.rssBytes / 2 ** 20)} MiB (${(row.rssBytesPerConnection / 1024).toFixed(1)} KB/conn), heap ${Math.round(row.heapBytes / 2 ** 20)} MiB; ` +
        `heartbeat pinged ${row.serverPinged}, ${row.answered} of ${row.opened} answered a ping, ${row.totalSeconds.toFixed(0)} s in all`,
    );
  }
  return { shape: { ...IDLE }, limits, rows };
}

async function idleOnce(system, { secret, connections, nofile, addressPrefix }) {
  const startedAt = Date.now();
  const server = await startServer(system, { nofile, env: { BENCH_HEARTBEAT_MS: String(IDLE.heartbeatMs), BENCH_LISTEN_BACKLOG: String(IDLE.backlog) } });
  const clientCount = Math.ceil(connections / IDLE.perClient);
  const perClient = Math.ceil(connections / clientCount);
  const addressesPerClient = Math.ceil(perClient / IDLE.perAddress);
  const clients = Array.from({ length: clientCount }, (_, k) =>
    spawnChild(fileURLToPath(new URL('../clients/idle.mjs', import.meta.url)), { label: `idle-client-${k}`, nofile: perClient + SPARE_DESCRIPTORS }),
  );
  try {
    const ids = userIds(connections, 'i');
    const before = await server.call('memory');
    const opened = await Promise.all(
      clients.map((client, k) =>
        client.call(
          'connect',
          {
            system,
            port: server.port,
            userIds: ids.slice(k * perClient, (k + 1) * perClient),
            secret,
            concurrency: Math.ceil(IDLE.concurrency / clientCount),
            localAddresses: Array.from({ length: addressesPerClient }, (_, a) => `${addressPrefix}${1 + k * addressesPerClient + a}`),
          },
          1_800_000,
        ),
      ),
    );
    // From each client's first handshake to its last socket ready (its token signing excluded).
    const openSeconds = Math.max(...opened.map((x) => x.elapsedMicros)) / 1e6;
    const count = opened.reduce((sum, x) => sum + x.opened, 0);
    const failed = opened.reduce((sum, x) => sum + x.failed, 0);
    const afterOpen = await server.call('memory', {}, 120_000);
    await Promise.all(clients.map((client) => client.call('hold')));
    // Two heartbeats and a second: every socket has been pinged at least once by the server.
    await sleep(2 * IDLE.heartbeatMs + 1_000);
    const probes = await Promise.all(clients.map((client) => client.call('probe', { timeoutMs: 30_000 }, 60_000)));
    const { connections: held } = await server.call('connections');
    const afterHold = await server.call('memory', {}, 120_000);
    const usage = await server.call('usage');
    const rss = Math.max(afterOpen.rss, afterHold.rss);
    return {
      system,
      connections,
      clients: clientCount,
      opened: count,
      failed,
      firstError: opened.find((x) => x.firstError)?.firstError,
      held,
      openSeconds,
      acceptsPerSecond: count / openSeconds,
      rssBytes: rss,
      heapBytes: Math.max(afterOpen.heapUsed, afterHold.heapUsed),
      peakRssBytes: usage.maxRssBytes,
      rssBytesPerConnection: (rss - before.rss) / Math.max(1, count),
      heapBytesPerConnection: (Math.max(afterOpen.heapUsed, afterHold.heapUsed) - before.heapUsed) / Math.max(1, count),
      serverPinged: probes.reduce((sum, x) => sum + x.serverPinged, 0),
      open: probes.reduce((sum, x) => sum + x.open, 0),
      answered: probes.reduce((sum, x) => sum + x.answered, 0),
      totalSeconds: (Date.now() - startedAt) / 1000,
    };
  } finally {
    await Promise.all(clients.map((client) => client.call('closeAll', {}, 120_000).catch(() => {})));
    await Promise.all(clients.map((client) => client.stop()));
    await server.stop();
  }
}
