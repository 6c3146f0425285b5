// Bulk fill of a store's tables for the store bench, straight through the driver: the store
// API writes one run at a time (as the gateway does), far too slow for a million rows.
// Rows mimic real ones: 1 user message + 1 assistant message per run, runs of all threads
// interleaved in time (so a thread's messages are spread over the table, as in production).
import Database from 'better-sqlite3';
import pg from 'pg';

const USER_TEXT = 'Could you look up the weather in Lisbon tomorrow and add a note to pack an umbrella if it rains?';
const ANSWER = 'Tomorrow in Lisbon: light rain in the morning, 17 °C in the afternoon. I added a note to pack an umbrella.';

export function* fillRows({ threads, messages, users }) {
  const perThread = Math.max(2, Math.floor(messages / threads / 2) * 2);
  const base = Date.parse('2026-01-01T00:00:00.000Z');
  const threadIds = Array.from({ length: threads }, (_, i) => `thr_bench_${String(i).padStart(6, '0')}`);
  yield {
    kind: 'threads',
    rows: threadIds.map((id, i) => {
      const at = new Date(base + i * 1000).toISOString();
      return [id, `user_${i % users}`, `Thread ${i}`, at, at, base + i * 1000];
    }),
  };
  let clock = base + threads * 1000;
  for (let round = 0; round < perThread / 2; round++) {
    const rows = [];
    for (let t = 0; t < threads; t++) {
      const runId = `run_b_${round}_${t}`;
      const at = new Date(clock++).toISOString();
      const userId = `user_${t % users}`;
      const user = { message_id: `msg_u_${runId}`, role: 'user', run_id: runId, client_msg_id: `c_${runId}`, text: USER_TEXT, created_at: at };
      const assistant = {
        message_id: `msg_a_${runId}`,
        role: 'assistant',
        run_id: runId,
        agent_name: 'demo',
        status: 'completed',
        parts: [
          { type: 'thinking', text: 'The user wants the weather, then a note.' },
          { type: 'tool_call', tool_call_id: `call_${runId}`, tool_name: 'weather', args: { city: 'Lisbon' }, result: { rain: true, high_c: 17 }, duration_ms: 120 },
          { type: 'text', text: ANSWER },
        ],
        text: ANSWER,
        created_at: at,
        completed_at: at,
        duration_ms: 900,
      };
      rows.push([user.message_id, threadIds[t], userId, runId, 'user', JSON.stringify(user), 'ep_bench', round * 10, null]);
      rows.push([assistant.message_id, threadIds[t], userId, runId, 'assistant', JSON.stringify(assistant), 'ep_bench', round * 10 + 5, round * 10 + 6]);
    }
    yield { kind: 'messages', rows };
  }
}

const MESSAGE_COLUMNS = ['message_id', 'thread_id', 'user_id', 'run_id', 'role', 'body', 'epoch', 'seq', 'terminal_seq'];

/**
 * SQLite: prepared inserts, one transaction per batch, no fsync while filling. Stops at
 * `deadline` (epoch ms) if given; returns the number of messages written.
 */
export function fillSqlite(file, shape, progress, deadline = Infinity) {
  const db = new Database(file);
  db.pragma('synchronous = OFF');
  const insertThread = db.prepare('INSERT INTO threads (thread_id, user_id, title, created_at, updated_at, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?)');
  const insertMessage = db.prepare(`INSERT INTO messages (${MESSAGE_COLUMNS.join(', ')}) VALUES (${MESSAGE_COLUMNS.map(() => '?').join(', ')})`);
  const insertAll = db.transaction((statement, rows) => {
    for (const row of rows) statement.run(row);
  });
  let done = 0;
  for (const batch of fillRows(shape)) {
    insertAll(batch.kind === 'threads' ? insertThread : insertMessage, batch.rows);
    if (batch.kind === 'messages') progress((done += batch.rows.length));
    if (Date.now() > deadline) break;
  }
  db.exec('ANALYZE');
  db.close();
  return done;
}

/** PostgreSQL: multi-row inserts through unnest (one statement per 5,000 rows), a transaction per round; stops at `deadline`. */
export async function fillPostgres(url, shape, progress, deadline = Infinity) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query('SET synchronous_commit = off');
  let done = 0;
  for (const batch of fillRows(shape)) {
    await client.query('BEGIN');
    for (let i = 0; i < batch.rows.length; i += 5000) {
      const chunk = batch.rows.slice(i, i + 5000);
      const columns = chunk[0].map((_, c) => chunk.map((row) => row[c]));
      if (batch.kind === 'threads') {
        await client.query(
          'INSERT INTO threads (thread_id, user_id, title, created_at, updated_at, updated_at_ms) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[])',
          columns,
        );
      } else {
        await client.query(
          `INSERT INTO messages (${MESSAGE_COLUMNS.join(', ')}) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::bigint[], $9::bigint[])`,
          columns,
        );
      }
    }
    await client.query('COMMIT');
    if (batch.kind === 'messages') progress((done += batch.rows.length));
    if (Date.now() > deadline) break;
  }
  await client.query('VACUUM ANALYZE threads');
  await client.query('VACUUM ANALYZE messages');
  await client.end();
  return done;
}
