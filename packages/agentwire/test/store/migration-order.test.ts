import Database from 'better-sqlite3';
import { Kysely, Migrator, SqliteDialect } from 'kysely';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrationsFor } from '../../src/store/sql/migrations.js';
import { openSqliteStore } from '../../src/store/sqlite-store.js';

// Migration 0002 (src/store/sql/migrations.ts): data written under insertion order is given
// conversation order on upgrade (docs/protocol.md, "agentwire's choices where the contract is silent").
describe('SQLite store: upgrading to conversation order', () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'aw-sqlite-order-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  it('an answer stored after queued questions moves right after its own question; a run without a question keeps its place', async () => {
    const file = join(root, 'agentwire.db');
    const sqlite = new Database(file);
    const db = new Kysely<unknown>({ dialect: new SqliteDialect({ database: sqlite }) });
    const migrated = await new Migrator({ db, provider: migrationsFor('sqlite') }).migrateTo('0001_threads_messages_notes');
    expect(migrated.error).toBeUndefined();
    const at = '2026-01-01T00:00:00.000Z';
    sqlite.prepare('insert into threads values (?, ?, ?, ?, ?, ?)').run('thr_1', 'u1', 't', at, at, Date.parse(at));
    const insert = sqlite.prepare('insert into messages (message_id, thread_id, user_id, run_id, role, body, epoch, seq, terminal_seq) values (?, ?, ?, ?, ?, ?, ?, null, null)');
    // Insertion order as the old store kept it: r2 and r3 queued before r1's first checkpoint.
    const rows: Array<[string, string, 'user' | 'assistant']> = [
      ['umsg_1', 'run_1', 'user'],
      ['umsg_2', 'run_2', 'user'],
      ['umsg_3', 'run_3', 'user'],
      ['msg_1', 'run_1', 'assistant'],
      ['msg_2', 'run_2', 'assistant'],
      ['msg_lone', 'run_lone', 'assistant'],
    ];
    for (const [id, runId, role] of rows) {
      const body = role === 'user'
        ? { message_id: id, role, run_id: runId, client_msg_id: id, text: id, created_at: at }
        : { message_id: id, role, run_id: runId, agent_name: 'a', status: 'completed', parts: [], text: id, created_at: at };
      insert.run(id, 'thr_1', 'u1', runId, role, JSON.stringify(body), '');
    }
    await db.destroy();

    const store = await openSqliteStore({ file });
    try {
      const page = await store.messages.page('thr_1', { limit: 10 });
      expect(page.messages.map((m) => m.message.message_id)).toEqual(['umsg_1', 'msg_1', 'umsg_2', 'msg_2', 'umsg_3', 'msg_lone']);
      // A new run after the upgrade goes on in the same order.
      await store.messages.putAssistant({
        threadId: 'thr_1',
        userId: 'u1',
        message: { message_id: 'msg_3', role: 'assistant', run_id: 'run_3', agent_name: 'a', status: 'running', parts: [], text: '', created_at: at },
        mark: { epoch: '', seq: null, terminalSeq: null },
      });
      const after = await store.messages.page('thr_1', { limit: 10 });
      expect(after.messages.map((m) => m.message.message_id)).toEqual(['umsg_1', 'msg_1', 'umsg_2', 'msg_2', 'umsg_3', 'msg_3', 'msg_lone']);
    } finally {
      await store.close();
    }
  });
});
