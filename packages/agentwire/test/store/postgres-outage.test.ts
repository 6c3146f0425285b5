import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAgentwireError } from '../../src/errors.js';
import { openPostgresStore } from '../../src/store/postgres-store.js';
import type { Store } from '../../src/store/types.js';
import { eventually } from '../helpers/wait.js';
import { assistantMessage, uid, userMessage } from './support/fixtures.js';
import { PrivatePostgres } from './support/private-postgres.js';

/** PostgreSQL stopped and started under an open store: coded failures, degraded health, recovery by itself. */
describe('PostgreSQL store: outage and recovery', () => {
  let server: PrivatePostgres;
  let store: Store;

  beforeAll(async () => {
    server = await PrivatePostgres.start();
    store = await openPostgresStore({ connectionString: server.url, connectTimeoutMs: 2000 });
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    await server?.dispose();
  }, 60_000);

  async function unavailable(what: string, operation: () => Promise<unknown>): Promise<void> {
    const error = await operation().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAgentwireError(error, 'AW_ERR_STORE_UNAVAILABLE'), `${what}: expected AW_ERR_STORE_UNAVAILABLE, got ${String(error)}`).toBe(true);
    expect((error as Error).cause, `${what}: the driver error is kept as the cause`).toBeDefined();
  }

  it('rejects with AW_ERR_STORE_UNAVAILABLE and reports degraded while down, recovers without reopening, loses nothing', async () => {
    const userId = uid('u');
    const threadId = uid('thr');
    const at = new Date().toISOString();
    await store.threads.create({ threadId, userId, title: 'before the outage', at });
    const runId = uid('run');
    const user = userMessage(threadId, userId, runId, 'accepted before the outage', at);
    await store.messages.addUser(user);
    const assistant = assistantMessage(threadId, userId, runId, at, { status: 'completed', completed_at: at });
    await store.messages.putAssistant(assistant);
    const note = await store.notes.add(userId, 'noted before the outage', at);
    expect(store.health()).toBe('ok');

    await server.stop();

    await unavailable('threads.get', () => store.threads.get(threadId));
    expect(store.health()).toBe('degraded');
    await unavailable('threads.list', () => store.threads.list(userId, { limit: 10 }));
    await unavailable('messages.page', () => store.messages.page(threadId, { limit: 10 }));
    await unavailable('messages.putAssistant (a transaction)', () => store.messages.putAssistant(assistantMessage(threadId, userId, uid('run'), at)));
    await unavailable('notes.add', () => store.notes.add(userId, 'during the outage', at));
    await unavailable('deleteUser', () => store.deleteUser(uid('nobody')));
    expect(store.health()).toBe('degraded');

    await server.start();

    // The first operations after the restart may still meet connections the server dropped.
    const thread = await eventually('the store to answer again after PostgreSQL restarted', () => store.threads.get(threadId), 20_000);
    expect(thread.title).toBe('before the outage');
    expect(store.health()).toBe('ok');
    expect((await store.messages.page(threadId, { limit: 10 })).messages).toEqual([user, assistant]);
    expect(await store.notes.search(userId, '')).toEqual([note]);
    const after = await store.notes.add(userId, 'after the outage', new Date().toISOString());
    expect(await store.notes.search(userId, 'outage')).toEqual([after, note]);
  }, 90_000);
});
