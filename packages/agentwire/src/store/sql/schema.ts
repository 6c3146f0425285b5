import type { ColumnType } from 'kysely';

/**
 * The tables of both SQL engines, typed once for Kysely. PostgreSQL returns bigint columns
 * as strings (pg keeps 64-bit precision), SQLite as numbers: reads go through `Number()`.
 */
type Int8 = ColumnType<string | number, number, number>;
type NullableInt8 = ColumnType<string | number | null, number | null, number | null>;
/** Assigned by the database (auto-increment), never written. */
type AutoInt8 = ColumnType<string | number, never, never>;

export interface ThreadsTable {
  thread_id: string;
  user_id: string;
  title: string;
  created_at: string;
  updated_at: string;
  /** updated_at in ms: the keyset of the thread list (ISO strings with offsets do not sort). */
  updated_at_ms: Int8;
}

export interface MessagesTable {
  /** Insertion order. */
  position: AutoInt8;
  /**
   * The position of the run's user message (its own, for a run without one): with `position`,
   * the order of a thread's messages and the keyset of its pages (conversation order, see
   * MessageCursor). Null only between a row's insert and its update in the same transaction.
   */
  run_position: NullableInt8;
  message_id: string;
  thread_id: string;
  user_id: string;
  run_id: string;
  role: 'user' | 'assistant';
  /** The protocol message object (docs/protocol.md, "History"), JSON text. */
  body: string;
  epoch: string;
  seq: NullableInt8;
  terminal_seq: NullableInt8;
}

export interface NotesTable {
  /** Insertion order: which note is the oldest when a bound is reached. */
  position: AutoInt8;
  id: string;
  user_id: string;
  text: string;
  bytes: number;
  created_at: string;
}

export interface StoreDatabase {
  threads: ThreadsTable;
  messages: MessagesTable;
  notes: NotesTable;
}
