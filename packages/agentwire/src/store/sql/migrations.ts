import { sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';

/**
 * The schema, written once for both SQL engines through Kysely's schema builder and applied
 * by Kysely's Migrator (which locks, records what ran and refuses a history it does not
 * know). Only the auto-increment column differs: SQLite's INTEGER PRIMARY KEY AUTOINCREMENT
 * is its rowid (never reused, even after deletes), PostgreSQL's is a bigserial.
 *
 * Migrations are append-only: a released one is never edited, a change is a new entry.
 */
export type SqlEngine = 'sqlite' | 'postgres';

export function migrationsFor(engine: SqlEngine): MigrationProvider {
  const migrations: Record<string, Migration> = {
    '0001_threads_messages_notes': { up: (db) => initial(db, engine) },
    '0002_messages_conversation_order': { up: conversationOrder },
  };
  return { getMigrations: () => Promise.resolve(migrations) };
}

// Migrations take an untyped Kysely: they describe tables that the typed schema presumes.
async function initial(db: Kysely<unknown>, engine: SqlEngine): Promise<void> {
  const autoIncrementType = engine === 'sqlite' ? 'integer' : 'bigserial';

  await db.schema
    .createTable('threads')
    .addColumn('thread_id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_at_ms', 'bigint', (c) => c.notNull())
    .execute();
  // The thread list of a user, newest first, is one index range scan.
  await db.schema.createIndex('threads_by_user_updated').on('threads').columns(['user_id', 'updated_at_ms desc', 'thread_id desc']).execute();

  await db.schema
    .createTable('messages')
    .addColumn('position', autoIncrementType, (c) => (engine === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('message_id', 'text', (c) => c.notNull().unique())
    .addColumn('thread_id', 'text', (c) => c.notNull().references('threads.thread_id').onDelete('cascade'))
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('run_id', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('epoch', 'text', (c) => c.notNull())
    .addColumn('seq', 'bigint')
    .addColumn('terminal_seq', 'bigint')
    // One user and one assistant message per run: putAssistant upserts on it.
    .addUniqueConstraint('messages_run_role', ['run_id', 'role'])
    .execute();
  // A page of a thread is one backward index range scan from the cursor.
  await db.schema.createIndex('messages_by_thread_position').on('messages').columns(['thread_id', 'position']).execute();
  // Account deletion finds a user's messages without a scan.
  await db.schema.createIndex('messages_by_user').on('messages').column('user_id').execute();

  await db.schema
    .createTable('notes')
    .addColumn('position', autoIncrementType, (c) => (engine === 'sqlite' ? c.primaryKey().autoIncrement() : c.primaryKey()))
    .addColumn('id', 'text', (c) => c.notNull().unique())
    .addColumn('user_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('bytes', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('notes_by_user_position').on('notes').columns(['user_id', 'position']).execute();
}

/**
 * Conversation order (docs/protocol.md, "agentwire's choices where the contract is silent"):
 * a message sorts by its run's place, the position of the run's user message, then by its
 * own position, so an assistant message first written after later runs' (queued) user
 * messages still sits right after its own user message. Existing rows are given their
 * run's place; a run without a user message keeps its own.
 */
async function conversationOrder(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('messages').addColumn('run_position', 'bigint').execute();
  await sql`update messages set run_position = coalesce(
    (select u.position from messages u where u.run_id = messages.run_id and u.role = 'user'),
    messages.position)`.execute(db);
  await db.schema.dropIndex('messages_by_thread_position').execute();
  // A page of a thread is one backward index range scan from the cursor, in conversation order.
  await db.schema.createIndex('messages_by_thread_run_position').on('messages').columns(['thread_id', 'run_position', 'position']).execute();
}
