import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isAgentwireError } from '../../../src/errors.js';
import type { AssistantMessage, Store, StoredMessage, UserMessage } from '../../../src/store/types.js';
import { assistantMessage, testClock, uid, userMessage } from './fixtures.js';
import type { OpenOptions, StoreHarness } from './harnesses.js';

/** The behaviour every store engine must have; run once per engine by store-contract.test.ts. */
export function describeStoreContract(harness: StoreHarness): void {
  describe(`store contract: ${harness.name}`, () => {
    const opened: Store[] = [];
    beforeAll(() => harness.setup(), 30_000);
    afterEach(async () => {
      await Promise.all(opened.splice(0).map((s) => s.close().catch(() => {})));
    });
    afterAll(() => harness.teardown(), 30_000);

    async function open(options: OpenOptions = {}): Promise<{ store: Store; reopen: (() => Promise<Store>) | undefined }> {
      const result = await harness.open(options);
      opened.push(result.store);
      const reopen = result.reopen;
      return {
        store: result.store,
        reopen: reopen && (async () => {
          const store = await reopen();
          opened.push(store);
          return store;
        }),
      };
    }

    const now = testClock();

    async function newThread(store: Store, userId: string, title = 'a thread'): Promise<string> {
      const threadId = uid('thr');
      expect(await store.threads.create({ threadId, userId, title, at: now() })).toBe(true);
      return threadId;
    }

    /** A finished run: its user message, then its assistant message. */
    async function addRun(store: Store, threadId: string, userId: string, text: string): Promise<[StoredMessage & { message: UserMessage }, StoredMessage & { message: AssistantMessage }]> {
      const runId = uid('run');
      const user = userMessage(threadId, userId, runId, text, now());
      await store.messages.addUser(user);
      const assistant = assistantMessage(threadId, userId, runId, now(), { status: 'completed', text: `answer to ${text}`, completed_at: now() });
      expect(await store.messages.putAssistant(assistant)).toBe(true);
      return [user, assistant];
    }

    const ids = (messages: readonly StoredMessage[]): string[] => messages.map((m) => m.message.message_id);

    async function expectCursorError(promise: Promise<unknown>): Promise<void> {
      const error = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isAgentwireError(error, 'AW_ERR_STORE_CURSOR'), `expected AW_ERR_STORE_CURSOR, got ${String(error)}`).toBe(true);
    }

    describe('threads', () => {
      it('creates, gets, and refuses a duplicate id without changing it', async () => {
        const { store } = await open();
        const threadId = uid('thr');
        const at = now();
        expect(await store.threads.create({ threadId, userId: 'u1', title: 'first', at })).toBe(true);
        expect(await store.threads.create({ threadId, userId: 'u2', title: 'second', at: now() })).toBe(false);
        expect(await store.threads.get(threadId)).toEqual({ threadId, userId: 'u1', title: 'first', createdAt: at, updatedAt: at });
        expect(await store.threads.get(uid('thr'))).toBeUndefined();
        expect(store.health()).toBe('ok');
      });

      it('lists a user\'s threads most recently updated first, ties by thread id descending, only theirs', async () => {
        const { store } = await open();
        const userId = uid('u');
        const at = now();
        const tied = ['thr_b', 'thr_c', 'thr_a'].map((t) => `${t}_${uid('x')}`);
        for (const threadId of tied) await store.threads.create({ threadId, userId, title: threadId, at });
        const newest = await newThread(store, userId);
        await newThread(store, uid('other'));
        const page = await store.threads.list(userId, { limit: 10 });
        expect(page.threads.map((t) => t.threadId)).toEqual([newest, ...[...tied].sort().reverse()]);
        expect(page.nextCursor).toBeNull();
      });

      it('pages with no thread missing or repeated while new threads are created between reads', async () => {
        const { store } = await open();
        const userId = uid('u');
        const initial: string[] = [];
        for (let i = 0; i < 23; i++) initial.push(await newThread(store, userId, `t${i}`));
        const seen: string[] = [];
        let cursor: string | undefined;
        let pages = 0;
        do {
          const page = await store.threads.list(userId, { limit: 5, cursor });
          expect(page.threads.length).toBeLessThanOrEqual(5);
          seen.push(...page.threads.map((t) => t.threadId));
          cursor = page.nextCursor ?? undefined;
          pages++;
          // Newer threads arrive between page reads: they belong to a fresh first page, not to this walk.
          await newThread(store, userId, 'arrived later');
          await newThread(store, userId, 'arrived later');
        } while (cursor !== undefined);
        expect(pages).toBe(5);
        expect(seen).toEqual([...initial].reverse());
      });

      it('touches forward only and moves the thread to the top; unknown ids are a no-op', async () => {
        const { store } = await open();
        const userId = uid('u');
        const older = await newThread(store, userId);
        const newer = await newThread(store, userId);
        const later = now();
        await store.threads.touch(older, later);
        await store.threads.touch(older, '2020-01-01T00:00:00.000Z');
        expect((await store.threads.get(older))?.updatedAt).toBe(later);
        expect((await store.threads.list(userId, { limit: 5 })).threads.map((t) => t.threadId)).toEqual([older, newer]);
        await expect(store.threads.touch(uid('thr'), now())).resolves.toBeUndefined();
      });

      it('renames (and touches) a thread; unknown id resolves undefined', async () => {
        const { store } = await open();
        const threadId = await newThread(store, 'u1');
        const created = await store.threads.get(threadId);
        const at = now();
        expect(await store.threads.rename(threadId, 'new title ✓', at)).toEqual({ ...created, title: 'new title ✓', updatedAt: at });
        expect((await store.threads.get(threadId))?.title).toBe('new title ✓');
        expect(await store.threads.rename(uid('thr'), 'x', now())).toBeUndefined();
      });

      it('deletes a thread with all its messages, and nothing of another thread', async () => {
        const { store } = await open();
        const userId = uid('u');
        const doomed = await newThread(store, userId);
        const kept = await newThread(store, userId);
        const [user, assistant] = await addRun(store, doomed, userId, 'hello');
        const [keptUser] = await addRun(store, kept, userId, 'stay');
        expect(await store.threads.delete(doomed)).toBe(true);
        expect(await store.threads.get(doomed)).toBeUndefined();
        expect(await store.messages.get(user.message.message_id)).toBeUndefined();
        expect(await store.messages.get(assistant.message.message_id)).toBeUndefined();
        expect((await store.messages.page(doomed, { limit: 10 })).messages).toEqual([]);
        expect(await store.messages.get(keptUser.message.message_id)).toEqual(keptUser);
        expect(await store.threads.delete(doomed)).toBe(false);
      });
    });

    describe('messages', () => {
      it('stores a user then an assistant message and reads them back exactly', async () => {
        const { store } = await open();
        const threadId = await newThread(store, 'u1');
        const [user, assistant] = await addRun(store, threadId, 'u1', 'hi');
        expect(await store.messages.get(user.message.message_id)).toEqual(user);
        expect(await store.messages.get(assistant.message.message_id)).toEqual(assistant);
        expect(await store.messages.get(uid('msg'))).toBeUndefined();
        expect(await store.messages.page(threadId, { limit: 10 })).toEqual({ messages: [user, assistant], nextBefore: null });
      });

      it('refuses a second user message with the same id', async () => {
        const { store } = await open();
        const threadId = await newThread(store, 'u1');
        const [user] = await addRun(store, threadId, 'u1', 'hi');
        await expect(store.messages.addUser({ ...user, message: { ...user.message, run_id: uid('run') } })).rejects.toThrow();
      });

      it('replaces an assistant checkpoint in place: it keeps its position', async () => {
        const { store } = await open();
        const threadId = await newThread(store, 'u1');
        const runId = uid('run');
        const user = userMessage(threadId, 'u1', runId, 'first', now());
        await store.messages.addUser(user);
        const checkpoint = assistantMessage(threadId, 'u1', runId, now(), { parts: [], text: '' });
        expect(await store.messages.putAssistant(checkpoint)).toBe(true);
        const [user2, assistant2] = await addRun(store, threadId, 'u1', 'second');
        const final = assistantMessage(threadId, 'u1', runId, checkpoint.message.created_at, { status: 'failed', error: { code: 'x', message: 'y' }, completed_at: now(), duration_ms: 5 });
        const finalMarked = { ...final, mark: { epoch: 'ep1', seq: 40, terminalSeq: 41 } };
        expect(await store.messages.putAssistant(finalMarked)).toBe(true);
        const page = await store.messages.page(threadId, { limit: 10 });
        expect(page.messages).toEqual([user, finalMarked, user2, assistant2]);
      });

      it('records stream marks', async () => {
        const { store } = await open();
        const threadId = await newThread(store, 'u1');
        const [user, assistant] = await addRun(store, threadId, 'u1', 'hi');
        await store.messages.mark(user.message.message_id, { epoch: 'ep2', seq: 7, terminalSeq: null });
        await store.messages.mark(assistant.message.message_id, { epoch: 'ep2', seq: 2 ** 40, terminalSeq: 2 ** 40 + 1 });
        expect((await store.messages.get(user.message.message_id))?.mark).toEqual({ epoch: 'ep2', seq: 7, terminalSeq: null });
        expect((await store.messages.get(assistant.message.message_id))?.mark).toEqual({ epoch: 'ep2', seq: 2 ** 40, terminalSeq: 2 ** 40 + 1 });
        await expect(store.messages.mark(uid('msg'), { epoch: 'e', seq: 1, terminalSeq: null })).resolves.toBeUndefined();
      });

      it('resolves false and writes nothing when putting an assistant message on a deleted thread', async () => {
        const { store } = await open();
        const threadId = await newThread(store, 'u1');
        const runId = uid('run');
        await store.messages.addUser(userMessage(threadId, 'u1', runId, 'hi', now()));
        await store.threads.delete(threadId);
        const late = assistantMessage(threadId, 'u1', runId, now());
        expect(await store.messages.putAssistant(late)).toBe(false);
        expect(await store.messages.get(late.message.message_id)).toBeUndefined();
        expect((await store.messages.page(threadId, { limit: 10 })).messages).toEqual([]);
      });

      it('pages the newest first, oldest first within a page, and back with the cursor to the start', async () => {
        const { store } = await open();
        const threadId = await newThread(store, 'u1');
        const all: StoredMessage[] = [];
        for (let i = 0; i < 7; i++) all.push(...(await addRun(store, threadId, 'u1', `m${i}`)));
        const first = await store.messages.page(threadId, { limit: 4 });
        expect(ids(first.messages)).toEqual(ids(all.slice(10)));
        expect(first.nextBefore).not.toBeNull();
        const second = await store.messages.page(threadId, { limit: 4, before: first.nextBefore! });
        expect(ids(second.messages)).toEqual(ids(all.slice(6, 10)));
        const third = await store.messages.page(threadId, { limit: 6, before: second.nextBefore! });
        expect(ids(third.messages)).toEqual(ids(all.slice(0, 6)));
        expect(third.nextBefore).toBeNull();
      });

      it('pages back with no message missing or repeated while new ones arrive', async () => {
        const { store } = await open();
        const threadId = await newThread(store, 'u1');
        const existing: StoredMessage[] = [];
        for (let i = 0; i < 12; i++) existing.push(...(await addRun(store, threadId, 'u1', `m${i}`)));
        const first = await store.messages.page(threadId, { limit: 5 });
        const seen = [...ids(first.messages)];
        let before = first.nextBefore;
        while (before !== null) {
          await addRun(store, threadId, 'u1', 'arrived while paging');
          const page = await store.messages.page(threadId, { limit: 5, before });
          seen.unshift(...ids(page.messages));
          before = page.nextBefore;
        }
        expect(seen).toEqual(ids(existing));
      });

      it('keeps a run\'s assistant message right after its user message, however late it is first written (conversation order)', async () => {
        const { store } = await open();
        const threadId = await newThread(store, 'u1');
        const runs = [uid('run'), uid('run'), uid('run')];
        // Busy threads (protocol 1.2): r2 and r3 are queued, their user messages stored before r1's first checkpoint.
        const users = [];
        for (const [i, runId] of runs.entries()) {
          const user = userMessage(threadId, 'u1', runId, `r${i + 1}`, now());
          await store.messages.addUser(user);
          users.push(user);
        }
        const assistants = [];
        for (const runId of runs.slice(0, 2)) {
          const checkpoint = assistantMessage(threadId, 'u1', runId, now(), { parts: [], text: '' });
          expect(await store.messages.putAssistant(checkpoint)).toBe(true);
          // Replaced in place: the final message keeps the checkpoint's place.
          const final = assistantMessage(threadId, 'u1', runId, checkpoint.message.created_at, { status: 'completed', text: 'done', completed_at: now() });
          expect(await store.messages.putAssistant(final)).toBe(true);
          assistants.push(final);
        }
        const order = ids([users[0]!, assistants[0]!, users[1]!, assistants[1]!, users[2]!]);
        expect(ids((await store.messages.page(threadId, { limit: 10 })).messages)).toEqual(order);
        // Paged back two at a time: the same order, nothing missing or repeated.
        const seen: string[] = [];
        let before: string | null | undefined;
        do {
          const page = await store.messages.page(threadId, { limit: 2, ...(before ? { before } : {}) });
          seen.unshift(...ids(page.messages));
          before = page.nextBefore;
        } while (before !== null);
        expect(seen).toEqual(order);
        // A run stored without a user message (a deleted one, an old import) keeps its own place at the end.
        const lone = assistantMessage(threadId, 'u1', uid('run'), now());
        expect(await store.messages.putAssistant(lone)).toBe(true);
        expect(ids((await store.messages.page(threadId, { limit: 10 })).messages)).toEqual([...order, lone.message.message_id]);
      });

      it('keeps threads apart', async () => {
        const { store } = await open();
        const a = await newThread(store, 'u1');
        const b = await newThread(store, 'u1');
        const runA = await addRun(store, a, 'u1', 'in a');
        await addRun(store, b, 'u1', 'in b');
        expect(ids((await store.messages.page(a, { limit: 10 })).messages)).toEqual(ids(runA));
        expect((await store.messages.page(uid('thr'), { limit: 10 })).messages).toEqual([]);
      });
    });

    describe('cursors', () => {
      it('rejects malformed, forged and other-list cursors with AW_ERR_STORE_CURSOR', async () => {
        const { store } = await open();
        const userId = uid('u');
        const threadId = await newThread(store, userId);
        await newThread(store, userId);
        await addRun(store, threadId, userId, 'a');
        const threadCursor = (await store.threads.list(userId, { limit: 1 })).nextCursor!;
        const messageCursor = (await store.messages.page(threadId, { limit: 1 })).nextBefore!;
        const forged = Buffer.from(JSON.stringify({ k: 'm', p: 'x' })).toString('base64url');
        for (const bad of ['', 'not a cursor!', 'AAAA', forged, Buffer.from('[1]').toString('base64url'), messageCursor]) {
          await expectCursorError(store.threads.list(userId, { limit: 5, cursor: bad }));
        }
        for (const bad of ['', '%%%', 'bnVsbA', forged, threadCursor]) {
          await expectCursorError(store.messages.page(threadId, { limit: 5, before: bad }));
        }
        expect(store.health()).toBe('ok');
      });

      it('still accepts a message cursor handed out before conversation order (position only)', async () => {
        const { store } = await open();
        const threadId = await newThread(store, 'u1');
        const all: StoredMessage[] = [];
        for (let i = 0; i < 3; i++) all.push(...(await addRun(store, threadId, 'u1', `m${i}`)));
        const newest = await store.messages.page(threadId, { limit: 2 });
        const decoded = JSON.parse(Buffer.from(newest.nextBefore!, 'base64url').toString('utf8')) as { p: number };
        const legacy = Buffer.from(JSON.stringify({ k: 'm', p: decoded.p })).toString('base64url');
        // The oldest message served was a run's user message, so its position is its run's place.
        expect(ids((await store.messages.page(threadId, { limit: 10, before: legacy })).messages)).toEqual(ids(all.slice(0, 4)));
      });
    });

    describe('notes', () => {
      it('adds, searches newest first with every word matched case-insensitively, and forgets', async () => {
        const { store } = await open();
        const userId = uid('u');
        const milk = await store.notes.add(userId, 'Buy MILK and bread', now());
        const call = await store.notes.add(userId, 'call mum', now());
        const bread = await store.notes.add(userId, 'bread for the ducks', now());
        expect(milk).toMatchObject({ text: 'Buy MILK and bread' });
        expect(await store.notes.search(userId, 'BREAD')).toEqual([bread, milk]);
        expect(await store.notes.search(userId, 'milk bread')).toEqual([milk]);
        expect(await store.notes.search(userId, '')).toEqual([bread, call, milk]);
        expect(await store.notes.forget(userId, [milk.id, uid('note')])).toBe(1);
        expect(await store.notes.search(userId, '')).toEqual([bread, call]);
        expect(await store.notes.forget(userId, [])).toBe(0);
      });

      it('keeps users apart: search and forget see only the caller\'s notes', async () => {
        const { store } = await open();
        const alice = uid('alice');
        const bob = uid('bob');
        const secret = await store.notes.add(alice, 'secret plan', now());
        expect(await store.notes.search(bob, 'secret')).toEqual([]);
        expect(await store.notes.forget(bob, [secret.id])).toBe(0);
        expect(await store.notes.search(alice, 'secret')).toEqual([secret]);
      });

      it('drops the oldest notes past maxNotes and maxBytes, and returns at most maxResults', async () => {
        const { store } = await open({ noteLimits: { maxNotes: 3, maxBytes: 19, maxResults: 2 } });
        const userId = uid('u');
        const added = [];
        for (const text of ['n1', 'n2', 'n3', 'n4']) added.push(await store.notes.add(userId, text, now()));
        // maxNotes: n1 went; maxResults: the newest two of n2..n4.
        expect(await store.notes.search(userId, '')).toEqual([added[3], added[2]]);
        expect(await store.notes.search(userId, 'n2')).toEqual([added[1]]);
        // 'é' is 2 bytes: 9 × 'é' = 18 bytes, so with n4 (2 bytes) the notebook would hold 20 > 19.
        const big = await store.notes.add(userId, 'ééééééééé', now());
        expect(await store.notes.search(userId, '')).toEqual([big]);
        expect(await store.notes.forget(userId, added.map((n) => n.id))).toBe(0);
      });
    });

    it('deleteUser removes every thread, message and note of the user, and nothing of another', async () => {
      const { store } = await open();
      const gone = uid('gone');
      const stays = uid('stays');
      const goneThread = await newThread(store, gone);
      const goneRun = await addRun(store, goneThread, gone, 'bye');
      await store.notes.add(gone, 'forget me', now());
      const staysThread = await newThread(store, stays);
      const staysRun = await addRun(store, staysThread, stays, 'hi');
      const staysNote = await store.notes.add(stays, 'keep me', now());

      await store.deleteUser(gone);

      expect(await store.threads.get(goneThread)).toBeUndefined();
      expect((await store.threads.list(gone, { limit: 10 })).threads).toEqual([]);
      for (const m of goneRun) expect(await store.messages.get(m.message.message_id)).toBeUndefined();
      expect(await store.notes.search(gone, '')).toEqual([]);
      expect((await store.threads.list(stays, { limit: 10 })).threads.map((t) => t.threadId)).toEqual([staysThread]);
      expect((await store.messages.page(staysThread, { limit: 10 })).messages).toEqual(staysRun);
      expect(await store.notes.search(stays, '')).toEqual([staysNote]);
    });

    // Memory has nothing to reopen: the test exists for the SQL engines only.
    if (harness.name !== 'memory')
      it('keeps everything across closing and reopening', async () => {
      const { store, reopen } = await open();
      const userId = uid('u');
      const threadId = await newThread(store, userId, 'durable');
      await store.threads.rename(threadId, 'durable, renamed', now());
      const run = await addRun(store, threadId, userId, 'remember this');
      await store.messages.mark(run[1].message.message_id, { epoch: 'ep9', seq: 3, terminalSeq: 4 });
      const note = await store.notes.add(userId, 'a durable note', now());
      const thread = await store.threads.get(threadId);
      const page = await store.messages.page(threadId, { limit: 10 });
      await store.close();

      const again = await reopen!();
      expect(await again.threads.get(threadId)).toEqual(thread);
      expect(await again.messages.page(threadId, { limit: 10 })).toEqual(page);
      expect(page.messages[1]?.mark).toEqual({ epoch: 'ep9', seq: 3, terminalSeq: 4 });
      expect(await again.notes.search(userId, 'durable')).toEqual([note]);
      // New positions continue after the old ones: a message added now pages after the old ones.
      const later = await addRun(store === again ? store : again, threadId, userId, 'after reopen');
      expect(ids((await again.messages.page(threadId, { limit: 10 })).messages)).toEqual([...ids(run), ...ids(later)]);
    });
  });
}
