import { newId } from '../ids.js';
import { checkLimit, decodeMessageCursor, decodeThreadCursor, encodeMessageCursor, encodeThreadCursor, instantMs, isBeforeCursor } from './cursor.js';
import { noteBytes, noteLimits, notesOverLimits } from './note-limits.js';
import { matchNotes } from './note-search.js';
import type {
  MessagePage,
  MessageStore,
  Note,
  NoteLimits,
  NoteStore,
  Store,
  StoredMessage,
  StreamMark,
  ThreadPage,
  ThreadRecord,
  ThreadStore,
} from './types.js';

export interface MemoryStoreOptions {
  readonly noteLimits?: Partial<NoteLimits>;
}

/** The store in process memory: tests and the library default. Same contract as the SQL engines. */
export function createMemoryStore(options: MemoryStoreOptions = {}): Store {
  const state = new MemoryState();
  const threads = new MemoryThreads(state);
  const messages = new MemoryMessages(state);
  const notes = new MemoryNotes(noteLimits(options.noteLimits));
  return {
    engine: 'memory',
    threads,
    messages,
    notes,
    health: () => 'ok',
    deleteUser(userId) {
      for (const thread of [...state.threads.values()]) if (thread.userId === userId) state.dropThread(thread.threadId);
      for (const row of [...state.messages.values()]) if (row.stored.userId === userId) state.dropMessage(row);
      notes.dropUser(userId);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
}

interface MessageRow {
  readonly position: number;
  /** The position of its run's user message (its own, for a run without one): see MessageCursor. */
  readonly runPosition: number;
  stored: StoredMessage;
}

/** Rows copied in and out, so a caller mutating an object never changes what is stored. */
class MemoryState {
  readonly threads = new Map<string, ThreadRecord & { updatedAtMs: number }>();
  readonly messages = new Map<string, MessageRow>();
  /** Per thread, in conversation order (run position, then position; see MessageCursor). */
  readonly byThread = new Map<string, MessageRow[]>();
  readonly assistantByRun = new Map<string, MessageRow>();
  private readonly userByRun = new Map<string, MessageRow>();
  private nextPosition = 1;

  insert(stored: StoredMessage): void {
    const position = this.nextPosition++;
    const { role, run_id: runId } = stored.message;
    // An assistant message takes its run's place, right after the run's user message, however late it is first written.
    const runPosition = role === 'assistant' ? (this.userByRun.get(runId)?.position ?? position) : position;
    const row: MessageRow = { position, runPosition, stored: clone(stored) };
    this.messages.set(stored.message.message_id, row);
    (role === 'assistant' ? this.assistantByRun : this.userByRun).set(runId, row);
    let list = this.byThread.get(stored.threadId);
    if (!list) this.byThread.set(stored.threadId, (list = []));
    const after = list.findLastIndex((other) => !isBeforeCursor(row, other));
    list.splice(after + 1, 0, row);
  }

  dropThread(threadId: string): void {
    this.threads.delete(threadId);
    for (const row of this.byThread.get(threadId) ?? []) this.forget(row);
    this.byThread.delete(threadId);
  }

  dropMessage(row: MessageRow): void {
    this.forget(row);
    const list = this.byThread.get(row.stored.threadId);
    if (list) this.byThread.set(row.stored.threadId, list.filter((r) => r !== row));
  }

  private forget(row: MessageRow): void {
    this.messages.delete(row.stored.message.message_id);
    const { role, run_id: runId } = row.stored.message;
    (role === 'assistant' ? this.assistantByRun : this.userByRun).delete(runId);
  }
}

class MemoryThreads implements ThreadStore {
  constructor(private readonly state: MemoryState) {}

  async create(record: { threadId: string; userId: string; title: string; at: string }): Promise<boolean> {
    const updatedAtMs = instantMs(record.at);
    if (this.state.threads.has(record.threadId)) return Promise.resolve(false);
    const { threadId, userId, title, at } = record;
    this.state.threads.set(threadId, { threadId, userId, title, createdAt: at, updatedAt: at, updatedAtMs });
    return Promise.resolve(true);
  }

  get(threadId: string): Promise<ThreadRecord | undefined> {
    const thread = this.state.threads.get(threadId);
    return Promise.resolve(thread && publicThread(thread));
  }

  async list(userId: string, page: { limit: number; cursor?: string | undefined }): Promise<ThreadPage> {
    const limit = checkLimit(page.limit);
    const after = page.cursor === undefined ? undefined : decodeThreadCursor(page.cursor);
    const sorted = [...this.state.threads.values()]
      .filter((t) => t.userId === userId)
      .filter((t) => !after || t.updatedAtMs < after.updatedAtMs || (t.updatedAtMs === after.updatedAtMs && t.threadId < after.threadId))
      .sort((a, b) => b.updatedAtMs - a.updatedAtMs || (a.threadId < b.threadId ? 1 : a.threadId > b.threadId ? -1 : 0));
    const threads = sorted.slice(0, limit);
    const last = threads[threads.length - 1];
    const nextCursor = sorted.length > limit && last ? encodeThreadCursor({ updatedAtMs: last.updatedAtMs, threadId: last.threadId }) : null;
    return Promise.resolve({ threads: threads.map(publicThread), nextCursor });
  }

  async touch(threadId: string, at: string): Promise<void> {
    const ms = instantMs(at);
    const thread = this.state.threads.get(threadId);
    if (thread && ms > thread.updatedAtMs) this.state.threads.set(threadId, { ...thread, updatedAt: at, updatedAtMs: ms });
    return Promise.resolve();
  }

  async rename(threadId: string, title: string, at: string): Promise<ThreadRecord | undefined> {
    const thread = this.state.threads.get(threadId);
    if (!thread) return undefined;
    this.state.threads.set(threadId, { ...thread, title });
    await this.touch(threadId, at);
    return this.get(threadId);
  }

  delete(threadId: string): Promise<boolean> {
    const existed = this.state.threads.has(threadId);
    this.state.dropThread(threadId);
    return Promise.resolve(existed);
  }
}

class MemoryMessages implements MessageStore {
  constructor(private readonly state: MemoryState) {}

  async addUser(stored: StoredMessage): Promise<void> {
    const id = stored.message.message_id;
    if (this.state.messages.has(id)) return Promise.reject(new Error(`message ${id} is already stored`));
    if (!this.state.threads.has(stored.threadId)) return Promise.reject(new Error(`thread ${stored.threadId} does not exist`));
    this.state.insert(stored);
    return Promise.resolve();
  }

  async putAssistant(stored: StoredMessage): Promise<boolean> {
    if (!this.state.threads.has(stored.threadId)) return Promise.resolve(false);
    const existing = this.state.assistantByRun.get(stored.message.run_id);
    if (!existing) {
      this.state.insert(stored);
      return Promise.resolve(true);
    }
    // Replaced in place: the row (and so its position) stays; only the content changes.
    this.state.messages.delete(existing.stored.message.message_id);
    existing.stored = clone(stored);
    this.state.messages.set(stored.message.message_id, existing);
    return Promise.resolve(true);
  }

  mark(messageId: string, mark: StreamMark): Promise<void> {
    const row = this.state.messages.get(messageId);
    if (row) row.stored = { ...row.stored, mark: { ...mark } };
    return Promise.resolve();
  }

  get(messageId: string): Promise<StoredMessage | undefined> {
    const row = this.state.messages.get(messageId);
    return Promise.resolve(row && clone(row.stored));
  }

  async page(threadId: string, page: { limit: number; before?: string | undefined }): Promise<MessagePage> {
    const limit = checkLimit(page.limit);
    const before = page.before === undefined ? undefined : decodeMessageCursor(page.before);
    const older = (this.state.byThread.get(threadId) ?? []).filter((row) => before === undefined || isBeforeCursor(row, before));
    const rows = older.slice(-limit);
    const first = rows[0];
    const nextBefore = older.length > limit && first ? encodeMessageCursor({ runPosition: first.runPosition, position: first.position }) : null;
    return Promise.resolve({ messages: rows.map((row) => clone(row.stored)), nextBefore });
  }
}

class MemoryNotes implements NoteStore {
  /** Per user, oldest first. */
  private readonly byUser = new Map<string, Note[]>();

  constructor(private readonly limits: NoteLimits) {}

  async add(userId: string, text: string, at: string): Promise<Note> {
    const note: Note = { id: newId('note'), text, createdAt: at };
    const notes = [...(this.byUser.get(userId) ?? []), note];
    const dropped = new Set(notesOverLimits(notes.map((n) => ({ id: n.id, bytes: noteBytes(n.text) })).reverse(), this.limits));
    this.byUser.set(userId, notes.filter((n) => !dropped.has(n.id)));
    return Promise.resolve({ ...note });
  }

  search(userId: string, query: string): Promise<Note[]> {
    const newestFirst = [...(this.byUser.get(userId) ?? [])].reverse();
    return Promise.resolve(matchNotes(newestFirst, query).slice(0, this.limits.maxResults).map((n) => ({ ...n })));
  }

  forget(userId: string, ids: readonly string[]): Promise<number> {
    const notes = this.byUser.get(userId) ?? [];
    const gone = new Set(ids);
    const kept = notes.filter((n) => !gone.has(n.id));
    this.byUser.set(userId, kept);
    return Promise.resolve(notes.length - kept.length);
  }

  dropUser(userId: string): void {
    this.byUser.delete(userId);
  }
}

const publicThread = ({ threadId, userId, title, createdAt, updatedAt }: ThreadRecord): ThreadRecord => ({ threadId, userId, title, createdAt, updatedAt });

const clone = <T>(value: T): T => structuredClone(value);
