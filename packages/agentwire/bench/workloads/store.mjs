// The `store` workload (issue 11, "Performance"), on the SQL engines of the durable store:
//   - HTTP: a fresh SQLite file and a fresh PostgreSQL database (created and dropped) are
//     filled in bulk with STORE.threads threads and STORE.messages messages, then a gateway
//     on that store serves `GET /threads/:id/messages` (createHttpHandler, JWT-authenticated,
//     on loopback) and the bench times it over random threads (p50/p99, sequential requests
//     on a keep-alive connection, client in the same process), prints the query plans
//     (no sequential scan allowed) and times the store's write cost per run.
//   - fan-out: the agentwire fan-out workload with the gateway on the memory store, SQLite
//     and PostgreSQL, each user's stream cut into runs that write their user message, their
//     checkpoints and their final message (servers/agentwire.mjs, BENCH_STORE).
// Knobs: BENCH_STORE_MESSAGES (1,000,000), BENCH_STORE_THREADS (10,000),
// BENCH_STORE_SAMPLES (2,000), BENCH_STORE_ENGINES=sqlite,postgres, BENCH_STORE_FANOUT_USERS
// (1,000), BENCH_STORE_RUN_EVENTS (50), DATABASE_URL (admin connection, default the local server).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import pg from 'pg';
import Database from 'better-sqlite3';
import { fillPostgres, fillSqlite } from '../lib/store-fill.mjs';
import { measureWrites, pick, postgresPlans, sqlitePlans, threadId, timed } from '../lib/store-measure.mjs';
import { fanoutRun } from './fanout.mjs';

const num = (name, fallback) => Number(process.env[name] ?? fallback);
export const STORE = {
  threads: num('BENCH_STORE_THREADS', 10_000),
  messages: num('BENCH_STORE_MESSAGES', 1_000_000),
  users: 1_000,
  samples: num('BENCH_STORE_SAMPLES', 2_000),
  pageLimit: 100,
  writeRuns: 300,
  writeRunsInFlight: 800,
  engines: (process.env.BENCH_STORE_ENGINES ?? 'sqlite,postgres').split(',').map((s) => s.trim()).filter(Boolean),
  fanoutEngines: ['memory', 'sqlite', 'postgres'],
  fanoutUsers: num('BENCH_STORE_FANOUT_USERS', 1_000),
  runEvents: num('BENCH_STORE_RUN_EVENTS', 50),
  adminUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
};

/** A fresh PostgreSQL database for `body(url)`, dropped afterwards whatever happens. */
async function withDatabase(body) {
  const name = `agentwire_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: STORE.adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
    const url = new URL(STORE.adminUrl);
    url.pathname = `/${name}`;
    try {
      return await body(url.toString());
    } finally {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    }
  } finally {
    await admin.end();
  }
}

/** A fresh temp dir for `body(dir)`, removed afterwards. */
async function withTempDir(body) {
  const dir = mkdtempSync(join(tmpdir(), 'aw-store-bench-'));
  try {
    return await body(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A gateway on `store` serving the HTTP routes on loopback; `get(userId, path)` with that user's JWT. */
async function startHttp(store, secret) {
  const { createDemoAgent, createGateway } = await import('agentwire');
  const { createHttpHandler } = await import('agentwire/server');
  const server = createServer();
  const gateway = createGateway({ server, auth: { jwt: { secret } }, store, agents: [createDemoAgent({ delayMs: 0 })], shutdownDrainMs: 0 });
  server.on('request', createHttpHandler(gateway));
  const { port } = await gateway.listen(0, '127.0.0.1');
  const key = new TextEncoder().encode(secret);
  const tokens = new Map();
  const now = Math.floor(Date.now() / 1000);
  const tokenOf = async (userId) => {
    if (!tokens.has(userId)) tokens.set(userId, await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject(userId).setIssuedAt(now).setExpirationTime(now + 3600).sign(key));
    return tokens.get(userId);
  };
  return {
    async get(userId, path) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers: { authorization: `Bearer ${await tokenOf(userId)}` } });
      const body = await response.json();
      if (response.status !== 200) throw new Error(`GET ${path}: ${response.status} ${JSON.stringify(body).slice(0, 200)}`);
      return body;
    },
    async close() {
      await gateway.close();
      await new Promise((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
    },
  };
}

/** The fill shape maps thread i to user_(i mod users). */
const ownerOf = (i) => `user_${i % STORE.users}`;

async function measureHttp(store, secret, shape, deadline) {
  const http = await startHttp(store, secret);
  try {
    const page = () => {
      const t = pick(shape.threads);
      return http.get(ownerOf(t), `/threads/${threadId(t)}/messages?limit=${STORE.pageLimit}`).then((body) => {
        if (!Array.isArray(body.messages) || body.messages.length === 0) throw new Error(`empty page for ${threadId(t)}: the fill did not happen`);
      });
    };
    // Warm-up: opening files, filling caches, the first JWT verifications.
    await timed(200, page, deadline);
    const messages = await timed(STORE.samples, page, deadline);
    const list = await timed(Math.min(STORE.samples, 1_000), () => http.get(ownerOf(pick(STORE.users)), '/threads?limit=50'), deadline);
    return { messages, list };
  } finally {
    await http.close();
  }
}

function progressLog(log, engine, total) {
  let next = 100_000;
  return (done) => {
    if (done >= next || done === total) log(`  store ${engine}: filled ${done.toLocaleString('en')} of ${total.toLocaleString('en')} messages`);
    while (next <= done) next += 100_000;
  };
}

async function httpSqlite({ secret, log, fillDeadline, deadline }) {
  const { openSqliteStore } = await import('agentwire/store');
  return withTempDir(async (dir) => {
    await (await openSqliteStore({ dataDir: dir })).close();
    const file = join(dir, 'agentwire.db');
    const t0 = Date.now();
    const filled = fillSqlite(file, STORE, progressLog(log, 'sqlite', STORE.messages), fillDeadline);
    const fillSeconds = (Date.now() - t0) / 1000;
    const store = await openSqliteStore({ dataDir: dir });
    let reads, writes;
    try {
      reads = await measureHttp(store, secret, STORE, deadline);
      writes = await measureWrites(store, { sequential: STORE.writeRuns, total: STORE.writeRunsInFlight, deadline });
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    const plans = sqlitePlans(db);
    db.close();
    return { engine: 'sqlite', filled, fillSeconds, sizeMb: statSync(file).size / 1e6, reads, writes, plans };
  });
}

async function httpPostgres({ secret, log, fillDeadline, deadline }) {
  const { openPostgresStore } = await import('agentwire/store');
  return withDatabase(async (url) => {
    await (await openPostgresStore({ connectionString: url })).close();
    const t0 = Date.now();
    const filled = await fillPostgres(url, STORE, progressLog(log, 'postgres', STORE.messages), fillDeadline);
    const fillSeconds = (Date.now() - t0) / 1000;
    const store = await openPostgresStore({ connectionString: url });
    let reads, writes;
    try {
      reads = await measureHttp(store, secret, STORE, deadline);
      writes = await measureWrites(store, { sequential: STORE.writeRuns, total: STORE.writeRunsInFlight, deadline });
    } finally {
      await store.close();
    }
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const plans = await postgresPlans(client);
      const sizeMb = Number((await client.query('SELECT pg_database_size(current_database()) AS bytes')).rows[0].bytes) / 1e6;
      return { engine: 'postgres', filled, fillSeconds, sizeMb, reads, writes, plans };
    } finally {
      await client.end();
    }
  });
}

/**
 * The HTTP side for each engine. `deadline` (epoch ms) bounds it: each engine's fill stops
 * early enough to leave `reserveMs` for its measurements (the report then says how many
 * messages were filled).
 */
export async function storeHttpRuns({ secret, log, deadline, reserveMs = 60_000 }) {
  const out = [];
  const engines = STORE.engines.filter((e) => e === 'sqlite' || e === 'postgres');
  for (let k = 0; k < engines.length; k++) {
    const engine = engines[k];
    const left = deadline - Date.now() - reserveMs * (engines.length - k);
    if (left <= 10_000) {
      log(`  store ${engine}: SKIPPED, not enough time before the deadline`);
      continue;
    }
    // The engines share the time left: this one fills for at most its share.
    const fillDeadline = Date.now() + left / (engines.length - k);
    const engineDeadline = fillDeadline + reserveMs;
    log(`  store ${engine}: filling ${STORE.threads.toLocaleString('en')} threads, ${STORE.messages.toLocaleString('en')} messages (fill stops at ${new Date(fillDeadline).toISOString().slice(11, 19)} UTC)`);
    const result = await (engine === 'sqlite' ? httpSqlite : httpPostgres)({ secret, log, fillDeadline, deadline: engineDeadline });
    const r = result;
    log(
      `  store ${engine}: ${r.filled.toLocaleString('en')} messages in ${r.fillSeconds.toFixed(0)} s; GET /threads/:id/messages p50 ${r.reads.messages.p50.toFixed(2)} ms, p99 ${r.reads.messages.p99.toFixed(2)} ms; ` +
        `write per run p50 ${r.writes.p50.toFixed(2)} ms; plans ${r.plans.every((p) => p.ok) ? 'use indexes' : 'SEQUENTIAL SCAN'}`,
    );
    out.push(result);
  }
  return out;
}

/**
 * CPU µs so far of the PostgreSQL backends serving database `name` (from /proc, so only
 * for a server on this machine; 0 when /proc cannot be read). The bench's own database
 * only: other users of a shared server are not billed.
 */
async function backendCpuMicros(url) {
  const name = new URL(url).pathname.slice(1);
  const admin = new pg.Client({ connectionString: STORE.adminUrl });
  await admin.connect();
  try {
    const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name]);
    let ticks = 0;
    for (const { pid } of rows) {
      try {
        // Fields after the command name: state is field 3, utime 14, stime 15 (clock ticks, 100 per second).
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ').at(-1).split(' ');
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {
        // A backend that has just exited, or a server on another machine.
      }
    }
    return ticks * 10_000;
  } finally {
    await admin.end();
  }
}

/** One fan-out run of agentwire with the gateway on `engine` (a fresh SQLite dir / PostgreSQL database). */
export async function storeFanoutRun(engine, { secret }) {
  const env = { BENCH_STORE: engine, BENCH_STORE_RUN_EVENTS: String(STORE.runEvents) };
  const run = (extra, extraCpu) => fanoutRun('agentwire', STORE.fanoutUsers, { secret, env: { ...env, ...extra }, extraCpu });
  if (engine === 'sqlite') return withTempDir((dir) => run({ BENCH_STORE_DIR: dir }));
  if (engine === 'postgres') return withDatabase((url) => run({ BENCH_STORE_URL: url }, () => backendCpuMicros(url)));
  return run({});
}
