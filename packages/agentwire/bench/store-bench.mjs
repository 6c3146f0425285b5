// The store bench (issue 11): `npm run build` (or `npx tsc -p tsconfig.build.json`), then
// `node bench/store-bench.mjs`. Fills a fresh PostgreSQL database (DATABASE_URL admin
// connection, default the local server) and a SQLite file in a temp dir with 10,000 threads
// and 1,000,000 messages, then measures through the store API:
//   - a thread's newest page (100 messages, what GET /threads/:id/messages serves) p50/p99,
//   - a user's thread list (50, GET /threads) p50/p99,
//   - the store's write cost per run (addUser, 3 assistant checkpoints, the final message),
// and prints the query plans of the page and list queries (no sequential scan allowed).
// Knobs: BENCH_STORE_ENGINES=sqlite,postgres BENCH_STORE_THREADS BENCH_STORE_MESSAGES
//        BENCH_STORE_SAMPLES BENCH_STORE_KEEP=1 (keep the database and the file).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { openPostgresStore } from '../dist/store/postgres-store.js';
import { openSqliteStore } from '../dist/store/sqlite-store.js';
import { fillPostgres, fillSqlite } from './lib/store-fill.mjs';
import { measureWrites, pick, postgresPlans, sqlitePlans, threadId, timed } from './lib/store-measure.mjs';

const env = (name, fallback) => Number(process.env[name] ?? fallback);
const shape = { threads: env('BENCH_STORE_THREADS', 10_000), messages: env('BENCH_STORE_MESSAGES', 1_000_000), users: 1_000 };
const samples = env('BENCH_STORE_SAMPLES', 2_000);
const engines = (process.env.BENCH_STORE_ENGINES ?? 'sqlite,postgres').split(',');
const keep = process.env.BENCH_STORE_KEEP === '1';
const adminUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const startedAt = Date.now();
const log = (line) => console.log(`[${((Date.now() - startedAt) / 1000).toFixed(1).padStart(6)}s] ${line}`);
const progress = (engine) => {
  let next = 100_000;
  return (done) => {
    if (done >= next || done === shape.messages) log(`${engine}: ${done.toLocaleString('en')} messages`);
    while (next <= done) next += 100_000;
  };
};

async function measureReads(store) {
  // Warm-up: the first reads pay for opening files and filling caches; the figures are for a running server.
  await timed(200, () => store.messages.page(threadId(pick(shape.threads)), { limit: 100 }));
  const page = await timed(samples, async () => {
    const { messages } = await store.messages.page(threadId(pick(shape.threads)), { limit: 100 });
    if (messages.length === 0) throw new Error('empty page: the fill did not happen');
  });
  const list = await timed(samples, () => store.threads.list(`user_${pick(shape.users)}`, { limit: 50 }));
  return { page, list };
}

function printPlans(engine, plans) {
  for (const { name, plan, ok } of plans) console.log(`--- ${engine}: ${name}${ok ? '' : '   <-- SEQUENTIAL SCAN'}\n${plan}`);
  return plans.every((p) => p.ok);
}

async function benchSqlite() {
  const dir = mkdtempSync(join(tmpdir(), 'aw-store-bench-'));
  const file = join(dir, 'agentwire.db');
  try {
    await (await openSqliteStore({ dataDir: dir })).close();
    const t0 = Date.now();
    fillSqlite(file, shape, progress('sqlite'));
    const fillSeconds = (Date.now() - t0) / 1000;
    const store = await openSqliteStore({ dataDir: dir });
    const reads = await measureReads(store);
    const writes = await measureWrites(store);
    await store.close();
    const db = new Database(file, { readonly: true });
    const plansOk = printPlans('sqlite', sqlitePlans(db));
    db.close();
    const sizeMb = statSync(file).size / 1e6;
    return { engine: 'sqlite', fillSeconds, sizeMb, reads, writes, plansOk };
  } finally {
    if (keep) log(`kept ${file}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

async function benchPostgres() {
  const name = `agentwire_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  try {
    await (await openPostgresStore({ connectionString: url.toString() })).close();
    const t0 = Date.now();
    await fillPostgres(url.toString(), shape, progress('postgres'));
    const fillSeconds = (Date.now() - t0) / 1000;
    const store = await openPostgresStore({ connectionString: url.toString() });
    const reads = await measureReads(store);
    const writes = await measureWrites(store);
    await store.close();
    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    const plansOk = printPlans('postgres', await postgresPlans(client));
    const sizeMb = Number((await client.query('SELECT pg_database_size(current_database()) AS bytes')).rows[0].bytes) / 1e6;
    await client.end();
    return { engine: 'postgres', fillSeconds, sizeMb, reads, writes, plansOk };
  } finally {
    if (keep) log(`kept database ${name}`);
    else await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  }
}

const results = [];
log(`store bench: ${shape.threads.toLocaleString('en')} threads, ${shape.messages.toLocaleString('en')} messages, ${samples} samples; engines ${engines.join(', ')}`);
if (engines.includes('sqlite')) results.push(await benchSqlite());
if (engines.includes('postgres')) results.push(await benchPostgres());

const ms = (v) => v.toFixed(2);
console.log('\n| engine | fill (s) | size (MB) | page 100 p50 / p99 (ms) | list 50 p50 / p99 (ms) | write per run p50 / p99 (ms) | runs/s (8 in flight) | plans use indexes |');
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results) {
  console.log(
    `| ${r.engine} | ${r.fillSeconds.toFixed(0)} | ${r.sizeMb.toFixed(0)} | ${ms(r.reads.page.p50)} / ${ms(r.reads.page.p99)} | ${ms(r.reads.list.p50)} / ${ms(r.reads.list.p99)} | ` +
      `${ms(r.writes.p50)} / ${ms(r.writes.p99)} | ${r.writes.runsPerSecond.toFixed(0)} | ${r.plansOk ? 'yes' : 'NO'} |`,
  );
}
if (results.some((r) => !r.plansOk)) process.exitCode = 1;
