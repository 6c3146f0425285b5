import { sql, type Insertable, type Kysely, type Selectable, type Transaction } from 'kysely';
import { AgentwireError, isAgentwireError } from '../../errors.js';
import { newId } from '../../ids.js';
import { checkLimit, decodeMessageCursor, decodeThreadCursor, encodeMessageCursor, encodeThreadCursor, instantMs } from '../cursor.js';
import { noteBytes, notesOverLimits } from '../note-limits.js';
import { matchNotes } from '../note-search.js';
import type {
  MessagePage,
  MessageStore,
  Note,
  NoteLimits,
  NoteStore,
  Store,
  StoredMessage,
  StoreHealth,
  StreamMark,
  ThreadMessage,
  ThreadPage,
  ThreadRecord,
  ThreadStore,
} from '../types.js';
import { isConnectionError } from './connection-errors.js';
import type { SqlEngine } from './migrations.js';
import type { MessagesTable, StoreDatabase, ThreadsTable } from './schema.js';

/**
 * The Store over Kysely, shared by SQLite and PostgreSQL: every query is written once. Every
 * operation goes through `guard`, which turns "database unreachable" into
 * AW_ERR_STORE_UNAVAILABLE and keeps `health()` in step with the last outcome.
 */
export class SqlStore implements Store {
  readonly threads: ThreadStore;
  readonly messages: MessageStore;
  readonly notes: NoteStore;
  private state: StoreHealth = 'ok';

  constructor(
    readonly engine: SqlEngine,
    private readonly db: Kysely<StoreDatabase>,
    limits: NoteLimits,
    /** Names the database in errors (a file path, a host/database). */
    private readonly where: string,
  ) {
    const guard = this.guard.bind(this);
    this.threads = new SqlThreads(db, guard);
    this.messages = new SqlMessages(db, guard, engine);
    this.notes = new SqlNotes(db, guard, limits);
  }

  health(): StoreHealth {
    return this.state;
  }

  deleteUser(userId: string): Promise<void> {
    return this.guard(() =>
      this.db.transaction().execute(async (trx) => {
        const owned = trx.selectFrom('threads').select('thread_id').where('user_id', '=', userId);
        await trx.deleteFrom('messages').where((eb) => eb.or([eb('user_id', '=', userId), eb('thread_id', 'in', owned)])).execute();
        await trx.deleteFrom('threads').where('user_id', '=', userId).execute();
        await trx.deleteFrom('notes').where('user_id', '=', userId).execute();
      }),
    );
  }

  close(): Promise<void> {
    return this.db.destroy();
  }

  private async guard<T>(operation: () => Promise<T>): Promise<T> {
    let result: T;
    try {
      result = await operation();
    } catch (error) {
      if (isAgentwireError(error) || !isConnectionError(error)) throw error;
      this.state = 'degraded';
      const detail = error instanceof Error ? error.message : String(error);
      throw new AgentwireError('AW_ERR_STORE_UNAVAILABLE', `${this.engine} at ${this.where}: ${detail}`, { cause: error });
    }
    this.state = 'ok';
    return result;
  }
}

type Guard = <T>(operation: () => Promise<T>) => Promise<T>;

class SqlThreads implements ThreadStore {
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly guard: Guard,
  ) {}

  async create(record: { threadId: string; userId: string; title: string; at: string }): Promise<boolean> {
    const updatedAtMs = instantMs(record.at);
    const result = await this.guard(() =>
      this.db
        .insertInto('threads')
        .values({ thread_id: record.threadId, user_id: record.userId, title: record.title, created_at: record.at, updated_at: record.at, updated_at_ms: updatedAtMs })
        .onConflict((oc) => oc.column('thread_id').doNothing())
        .executeTakeFirst(),
    );
    return Number(result.numInsertedOrUpdatedRows ?? 0n) === 1;
  }

  async get(threadId: string): Promise<ThreadRecord | undefined> {
    const row = await this.guard(() => this.db.selectFrom('threads').selectAll().where('thread_id', '=', threadId).executeTakeFirst());
    return row && toThread(row);
  }

  async list(userId: string, page: { limit: number; cursor?: string | undefined }): Promise<ThreadPage> {
    const limit = checkLimit(page.limit);
    const after = page.cursor === undefined ? undefined : decodeThreadCursor(page.cursor);
    const rows = await this.guard(() => {
      let query = this.db.selectFrom('threads').selectAll().where('user_id', '=', userId);
      if (after) {
        // A row-value comparison (both engines have it): one range on the (user_id,
        // updated_at_ms desc, thread_id desc) index, where an OR of two conditions is a filter.
        query = query.where(({ eb, refTuple, tuple }) => eb(refTuple('updated_at_ms', 'thread_id'), '<', tuple(after.updatedAtMs, after.threadId)));
      }
      // One row more than asked says whether another page exists.
      return query.orderBy('updated_at_ms', 'desc').orderBy('thread_id', 'desc').limit(limit + 1).execute();
    });
    const threads = rows.slice(0, limit);
    const last = threads[threads.length - 1];
    const nextCursor = rows.length > limit && last ? encodeThreadCursor({ updatedAtMs: Number(last.updated_at_ms), threadId: last.thread_id }) : null;
    return { threads: threads.map(toThread), nextCursor };
  }

  async touch(threadId: string, at: string): Promise<void> {
    const ms = instantMs(at);
    await this.guard(() => touchRow(this.db, threadId, at, ms));
  }

  async rename(threadId: string, title: string, at: string): Promise<ThreadRecord | undefined> {
    const ms = instantMs(at);
    const row = await this.guard(() =>
      this.db.transaction().execute(async (trx) => {
        const renamed = await trx.updateTable('threads').set({ title }).where('thread_id', '=', threadId).executeTakeFirst();
        if (Number(renamed.numUpdatedRows) === 0) return undefined;
        await touchRow(trx, threadId, at, ms);
        return trx.selectFrom('threads').selectAll().where('thread_id', '=', threadId).executeTakeFirst();
      }),
    );
    return row && toThread(row);
  }

  async delete(threadId: string): Promise<boolean> {
    return this.guard(() =>
      this.db.transaction().execute(async (trx) => {
        // Explicit, not only ON DELETE CASCADE: SQLite enforces foreign keys only when asked.
        await trx.deleteFrom('messages').where('thread_id', '=', threadId).execute();
        const deleted = await trx.deleteFrom('threads').where('thread_id', '=', threadId).executeTakeFirst();
        return Number(deleted.numDeletedRows) > 0;
      }),
    );
  }
}

function touchRow(db: Kysely<StoreDatabase> | Transaction<StoreDatabase>, threadId: string, at: string, ms: number): Promise<unknown> {
  // Forward only: a late touch (an older run ending) never moves a thread back in the list.
  return db.updateTable('threads').set({ updated_at: at, updated_at_ms: ms }).where('thread_id', '=', threadId).where('updated_at_ms', '<', ms).execute();
}

class SqlMessages implements MessageStore {
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly guard: Guard,
    private readonly engine: SqlEngine,
  ) {}

  async addUser(stored: StoredMessage): Promise<void> {
    await this.guard(() =>
      this.db.transaction().execute(async (trx) => {
        if (!(await this.threadExists(trx, stored.threadId))) throw new Error(`thread ${stored.threadId} does not exist`);
        await trx.insertInto('messages').values(toRow(stored)).execute();
        // A user message begins its run's place in the thread (conversation order, see MessageCursor).
        await trx.updateTable('messages').set({ run_position: sql<number>`position` }).where('message_id', '=', stored.message.message_id).execute();
      }),
    );
  }

  async putAssistant(stored: StoredMessage): Promise<boolean> {
    const row = toRow(stored);
    return this.guard(() =>
      this.db.transaction().execute(async (trx) => {
        if (!(await this.threadExists(trx, stored.threadId))) return false;
        // The upsert leaves `position` alone: a replaced checkpoint keeps its place in the thread.
        await trx
          .insertInto('messages')
          .values(row)
          .onConflict((oc) =>
            oc.columns(['run_id', 'role']).doUpdateSet({ message_id: row.message_id, body: row.body, epoch: row.epoch, seq: row.seq, terminal_seq: row.terminal_seq }),
          )
          .execute();
        // First written (or written before its user message): the assistant message takes its
        // run's place, right after the run's user message, however late it came (MessageCursor).
        await trx
          .updateTable('messages')
          .set({ run_position: sql<number>`coalesce((select u.position from messages u where u.run_id = ${row.run_id} and u.role = 'user'), messages.position)` })
          .where('run_id', '=', row.run_id)
          .where('role', '=', 'assistant')
          .where('run_position', 'is', null)
          .execute();
        return true;
      }),
    );
  }

  async mark(messageId: string, mark: StreamMark): Promise<void> {
    await this.guard(() =>
      this.db.updateTable('messages').set({ epoch: mark.epoch, seq: mark.seq, terminal_seq: mark.terminalSeq }).where('message_id', '=', messageId).execute(),
    );
  }

  async get(messageId: string): Promise<StoredMessage | undefined> {
    const row = await this.guard(() => this.db.selectFrom('messages').selectAll().where('message_id', '=', messageId).executeTakeFirst());
    return row && toStored(row);
  }

  async page(threadId: string, page: { limit: number; before?: string | undefined }): Promise<MessagePage> {
    const limit = checkLimit(page.limit);
    const before = page.before === undefined ? undefined : decodeMessageCursor(page.before);
    const rows = await this.guard(() => {
      let query = this.db.selectFrom('messages').selectAll().where('thread_id', '=', threadId);
      if (before !== undefined) {
        const { runPosition, position } = before;
        query = query.where((eb) => eb.or([eb('run_position', '<', runPosition), eb.and([eb('run_position', '=', runPosition), eb('position', '<', position)])]));
      }
      return query.orderBy('run_position', 'desc').orderBy('position', 'desc').limit(limit + 1).execute();
    });
    const newestFirst = rows.slice(0, limit);
    const oldest = newestFirst[newestFirst.length - 1];
    const nextBefore =
      rows.length > limit && oldest ? encodeMessageCursor({ runPosition: Number(oldest.run_position), position: Number(oldest.position) }) : null;
    return { messages: newestFirst.reverse().map(toStored), nextBefore };
  }

  /**
   * Whether the thread exists, holding it against a concurrent delete until the transaction
   * ends (PostgreSQL row lock; SQLite transactions already run one at a time).
   */
  private async threadExists(trx: Transaction<StoreDatabase>, threadId: string): Promise<boolean> {
    let query = trx.selectFrom('threads').select('thread_id').where('thread_id', '=', threadId);
    if (this.engine === 'postgres') query = query.forShare();
    return (await query.executeTakeFirst()) !== undefined;
  }
}

class SqlNotes implements NoteStore {
  constructor(
    private readonly db: Kysely<StoreDatabase>,
    private readonly guard: Guard,
    private readonly limits: NoteLimits,
  ) {}

  async add(userId: string, text: string, at: string): Promise<Note> {
    const note: Note = { id: newId('note'), text, createdAt: at };
    await this.guard(() =>
      this.db.transaction().execute(async (trx) => {
        await trx.insertInto('notes').values({ id: note.id, user_id: userId, text, bytes: noteBytes(text), created_at: at }).execute();
        // Notebooks are small (bounded), so reading one user's sizes to trim it is cheap.
        const sizes = await trx.selectFrom('notes').select(['id', 'bytes']).where('user_id', '=', userId).orderBy('position', 'desc').execute();
        const dropped = notesOverLimits(sizes, this.limits);
        if (dropped.length > 0) await trx.deleteFrom('notes').where('user_id', '=', userId).where('id', 'in', dropped).execute();
      }),
    );
    return note;
  }

  async search(userId: string, query: string): Promise<Note[]> {
    const rows = await this.guard(() =>
      this.db.selectFrom('notes').select(['id', 'text', 'created_at']).where('user_id', '=', userId).orderBy('position', 'desc').execute(),
    );
    const notes = rows.map((row) => ({ id: row.id, text: row.text, createdAt: row.created_at }));
    return matchNotes(notes, query).slice(0, this.limits.maxResults);
  }

  async forget(userId: string, ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const result = await this.guard(() =>
      this.db
        .deleteFrom('notes')
        .where('user_id', '=', userId)
        .where('id', 'in', [...ids])
        .executeTakeFirst(),
    );
    return Number(result.numDeletedRows);
  }
}

const toThread = (row: Selectable<ThreadsTable>): ThreadRecord => ({
  threadId: row.thread_id,
  userId: row.user_id,
  title: row.title,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});


function toRow(stored: StoredMessage): Insertable<MessagesTable> & { seq: number | null; terminal_seq: number | null } {
  const { message, mark } = stored;
  return {
    message_id: message.message_id,
    thread_id: stored.threadId,
    user_id: stored.userId,
    run_id: message.run_id,
    role: message.role,
    body: JSON.stringify(message),
    epoch: mark.epoch,
    seq: mark.seq,
    terminal_seq: mark.terminalSeq,
  };
}

const nullableNumber = (value: string | number | null): number | null => (value === null ? null : Number(value));

const toStored = (row: Selectable<MessagesTable>): StoredMessage => ({
  threadId: row.thread_id,
  userId: row.user_id,
  message: JSON.parse(row.body) as ThreadMessage,
  mark: { epoch: row.epoch, seq: nullableNumber(row.seq), terminalSeq: nullableNumber(row.terminal_seq) },
});
