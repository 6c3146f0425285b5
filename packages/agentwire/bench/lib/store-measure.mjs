// What the store benches share (bench/store-bench.mjs and the `store` workload of
// `npm run bench`): timing, the gateway's write pattern of one run, and the query plans of
// the page and list queries (checked for sequential scans). Every loop is counted.
import { randomBytes } from 'node:crypto';

export const threadId = (i) => `thr_bench_${String(i).padStart(6, '0')}`;
export const pick = (n) => Math.floor(Math.random() * n);

export function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Times `count` sequential calls (stopping early at `deadline`, an epoch ms); p50/p99 in ms. */
export async function timed(count, operation, deadline = Infinity) {
  const times = [];
  for (let i = 0; i < count && Date.now() < deadline; i++) {
    const t0 = process.hrtime.bigint();
    await operation(i);
    times.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  if (times.length === 0) throw new Error('no sample before the deadline');
  times.sort((a, b) => a - b);
  return { p50: percentile(times, 50), p99: percentile(times, 99), samples: times.length };
}

/** One run as the gateway writes it: the user message, three checkpoints, the final message. */
export async function writeRun(store, thread, n) {
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

/** Write cost per run: `sequential` runs one at a time (p50/p99), then `total` runs 8 in flight (runs/s). */
export async function measureWrites(store, { sequential = 300, total = 800, deadline = Infinity } = {}) {
  const threads = [];
  for (let i = 0; i < 20; i++) {
    const id = `thr_writer_${i}_${randomBytes(4).toString('hex')}`;
    await store.threads.create({ threadId: id, userId: 'user_writer', title: 'writes', at: new Date().toISOString() });
    threads.push(id);
  }
  const one = await timed(sequential, (n) => writeRun(store, threads[n % threads.length], n), deadline);
  let next = 0;
  let done = 0;
  const t0 = Date.now();
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < total && Date.now() < deadline) {
        const n = next++;
        await writeRun(store, threads[n % threads.length], 10_000 + n);
        done++;
      }
    }),
  );
  return { ...one, runsPerSecond: done / Math.max(0.001, (Date.now() - t0) / 1000) };
}

export const PLAN_QUERIES = (sample) => ({
  'page (newest 100)': `SELECT * FROM messages WHERE thread_id = '${sample.thread}' ORDER BY position DESC LIMIT 101`,
  'page (before cursor)': `SELECT * FROM messages WHERE thread_id = '${sample.thread}' AND position < ${sample.position} ORDER BY position DESC LIMIT 101`,
  'list threads': `SELECT * FROM threads WHERE user_id = '${sample.user}' ORDER BY updated_at_ms DESC, thread_id DESC LIMIT 51`,
  'list threads (cursor)': `SELECT * FROM threads WHERE user_id = '${sample.user}' AND (updated_at_ms, thread_id) < (${sample.updatedAtMs}, '${sample.thread}') ORDER BY updated_at_ms DESC, thread_id DESC LIMIT 51`,
});

/** True when the plan reads neither table by a sequential scan. */
export function planUsesIndexes(engine, plan) {
  const scansMessages = engine === 'sqlite' ? /SCAN messages(?! USING)/.test(plan) : /Seq Scan on messages/.test(plan);
  const scansThreads = engine === 'sqlite' ? /SCAN threads(?! USING)/.test(plan) : /Seq Scan on threads/.test(plan);
  return !(scansMessages || scansThreads);
}

/** The plans of PLAN_QUERIES on a filled SQLite file (better-sqlite3 handle). */
export function sqlitePlans(db) {
  const sample = db.prepare('SELECT thread_id AS thread, user_id AS user, updated_at_ms AS updatedAtMs FROM threads WHERE thread_id = ?').get(threadId(7));
  sample.position = db.prepare('SELECT position FROM messages WHERE thread_id = ? ORDER BY position DESC LIMIT 1 OFFSET 10').get(sample.thread).position;
  return Object.entries(PLAN_QUERIES(sample)).map(([name, query]) => {
    const plan = db.prepare(`EXPLAIN QUERY PLAN ${query}`).all().map((row) => row.detail).join('\n');
    return { name, plan, ok: planUsesIndexes('sqlite', plan) };
  });
}

/** The plans of PLAN_QUERIES on a filled PostgreSQL database (connected pg client), with ANALYZE. */
export async function postgresPlans(client) {
  const sample = (await client.query('SELECT thread_id AS thread, user_id AS user, updated_at_ms AS "updatedAtMs" FROM threads WHERE thread_id = $1', [threadId(7)])).rows[0];
  sample.position = (await client.query('SELECT position FROM messages WHERE thread_id = $1 ORDER BY position DESC LIMIT 1 OFFSET 10', [sample.thread])).rows[0].position;
  const plans = [];
  for (const [name, query] of Object.entries(PLAN_QUERIES(sample))) {
    const plan = (await client.query(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF, SUMMARY OFF) ${query}`)).rows.map((row) => row['QUERY PLAN']).join('\n');
    plans.push({ name, plan, ok: planUsesIndexes('postgres', plan) });
  }
  return plans;
}
