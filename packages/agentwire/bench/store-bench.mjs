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

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function timed(count, operation) {
  const times = [];
  for (let i = 0; i < count; i++) {
    const t0 = process.hrtime.bigint();
    await operation(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99) };
}

const pick = (n) => Math.floor(Math.random() * n);
const threadId = (i) => `thr_bench_${String(i).padStart(6, '0')}`;

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

/** One run as the gateway writes it: the user message, three checkpoints, the final message. */
async function writeRun(store, thread, n) {
  const runId = `run_w_${n}_${randomBytes(4).toString('hex')}`;
  const at = new Date().toISOString();
  await store.messages.addUser({
    threadId: thread,
    userId: 'user_writer',
    message: { message_id: `msg_u_${runId}`, role: 'user', run_id: runId, client_msg_id: `c_${runId}`, text: 'What is the weather?', created_at: at },
    mark: { epoch: 'ep', seq: null, terminalSeq: null },
  });
  const parts = [];
  for (let step = 0; step < 4; step++) {
    parts.push({ type: 'text', text: `chunk ${step} of the answer, a sentence or two long. `.repeat(3) });
    const final = step === 3;
    await store.messages.putAssistant({
      threadId: thread,
      userId: 'user_writer',
      message: {
        message_id: `msg_a_${runId}`,
        role: 'assistant',
        run_id: runId,
        agent_name: 'demo',
        status: final ? 'completed' : 'running',
        parts: [...parts],
        text: parts.map((p) => p.text).join(''),
        created_at: at,
        ...(final ? { completed_at: new Date().toISOString(), duration_ms: 5 } : {}),
      },
      mark: { epoch: 'ep', seq: step, terminalSeq: null },
    });
  }
}

async function measureWrites(store) {
  const threads = [];
  for (let i = 0; i < 20; i++) {
    const id = `thr_writer_${i}_${randomBytes(4).toString('hex')}`;
    await store.threads.create({ threadId: id, userId: 'user_writer', title: 'writes', at: new Date().toISOString() });
    threads.push(id);
  }
  const sequential = await timed(300, (n) => writeRun(store, threads[n % threads.length], n));
  // 8 runs in flight, as a busy process has: throughput in runs/s.
  const total = 800;
  let next = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < total) {
        const n = next++;
        await writeRun(store, threads[n % threads.length], 10_000 + n);
      }
    }),
  );
  return { ...sequential, runsPerSecond: total / ((Date.now() - t0) / 1000) };
}

const PLAN_QUERIES = (sample) => ({
  'page (newest 100)': `SELECT * FROM messages WHERE thread_id = '${sample.thread}' ORDER BY position DESC LIMIT 101`,
  'page (before cursor)': `SELECT * FROM messages WHERE thread_id = '${sample.thread}' AND position < ${sample.position} ORDER BY position DESC LIMIT 101`,
  'list threads': `SELECT * FROM threads WHERE user_id = '${sample.user}' ORDER BY updated_at_ms DESC, thread_id DESC LIMIT 51`,
  'list threads (cursor)': `SELECT * FROM threads WHERE user_id = '${sample.user}' AND (updated_at_ms, thread_id) < (${sample.updatedAtMs}, '${sample.thread}') ORDER BY updated_at_ms DESC, thread_id DESC LIMIT 51`,
});

function checkPlan(engine, name, plan) {
  const scansMessages = engine === 'sqlite' ? /SCAN messages(?! USING)/.test(plan) : /Seq Scan on messages/.test(plan);
  const scansThreads = engine === 'sqlite' ? /SCAN threads(?! USING)/.test(plan) : /Seq Scan on threads/.test(plan);
  console.log(`--- ${engine}: ${name}${scansMessages || scansThreads ? '   <-- SEQUENTIAL SCAN' : ''}\n${plan}`);
  return !(scansMessages || scansThreads);
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
    const sample = db.prepare("SELECT thread_id AS thread, user_id AS user, updated_at_ms AS updatedAtMs FROM threads WHERE thread_id = ?").get(threadId(7));
    sample.position = db.prepare('SELECT position FROM messages WHERE thread_id = ? ORDER BY position DESC LIMIT 1 OFFSET 10').get(sample.thread).position;
    let plansOk = true;
    for (const [name, query] of Object.entries(PLAN_QUERIES(sample))) {
      const plan = db.prepare(`EXPLAIN QUERY PLAN ${query}`).all().map((row) => row.detail).join('\n');
      plansOk = checkPlan('sqlite', name, plan) && plansOk;
    }
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
    const sample = (await client.query('SELECT thread_id AS thread, user_id AS user, updated_at_ms AS "updatedAtMs" FROM threads WHERE thread_id = $1', [threadId(7)])).rows[0];
    sample.position = (await client.query('SELECT position FROM messages WHERE thread_id = $1 ORDER BY position DESC LIMIT 1 OFFSET 10', [sample.thread])).rows[0].position;
    let plansOk = true;
    for (const [planName, query] of Object.entries(PLAN_QUERIES(sample))) {
      const plan = (await client.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${query}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
      plansOk = checkPlan('postgres', planName, plan) && plansOk;
    }
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
