import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Reply } from '../../src/protocol/types.js';
import { GatewayProcesses, type GatewayProcess } from '../helpers/gateway-processes.js';
import { testToken as token } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { purgeAndClose, requireRedisBus, TEST_REDIS_URL, uniquePrefix } from '../redis/support/redis-env.js';
import { createTestDatabase, type TestDatabase } from '../store/support/postgres.js';
import { apiFor } from './support/http.js';

/**
 * History outlives the process and the stream (issue 11, "Done when"): real standalone
 * processes from the compiled CLI are stopped and started again over the same data.
 */
let processes: GatewayProcesses;
beforeAll(async () => {
  processes = await GatewayProcesses.build();
}, 180_000);
afterAll(async () => {
  await processes?.dispose();
});

interface Messages {
  messages: Array<{ role: string; text: string; status?: string }>;
}

async function converse(gateway: GatewayProcess, user: string, questions: string[]): Promise<string> {
  const client = await TestClient.connect(gateway.wsUrl, { token: await token(user) });
  let threadId: string | undefined;
  for (const question of questions) {
    const reply = (await client.ask(question, threadId ? { thread_id: threadId } : {})) as Reply;
    if (reply.type !== 'message_accepted') throw new Error(`refused: ${JSON.stringify(reply)}`);
    threadId = reply.data.thread_id;
    await client.waitForRunEnd(reply.data.run_id);
  }
  await client.close();
  return threadId!;
}

async function stop(gateway: GatewayProcess): Promise<void> {
  gateway.child.kill('SIGTERM');
  expect(await gateway.exited).toBe(0);
}

const QUESTIONS = ['What is 17 * 23?', 'Remember that the deploy is on Friday', 'What did I note about the deploy?'];

function expectConversation(body: Messages): void {
  expect(body.messages.map((m) => m.role)).toEqual(['user', 'assistant', 'user', 'assistant', 'user', 'assistant']);
  expect(body.messages.filter((m) => m.role === 'user').map((m) => m.text)).toEqual(QUESTIONS);
  expect(body.messages.filter((m) => m.role === 'assistant').map((m) => m.status)).toEqual(['completed', 'completed', 'completed']);
  expect(body.messages[1]!.text).toContain('17 * 23 = 391');
  expect(body.messages[5]!.text).toContain('the deploy is on Friday');
}

describe('history survives a restart', () => {
  it('the standalone server on SQLite: stop it, start it again on the same data directory, the whole conversation is there', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'aw-restart-'));
    try {
      const env = { AGENTWIRE_DATA_DIR: dataDir, AGENTWIRE_DEMO_DELAY_MS: '0' };
      const first = await processes.start('sqlite-1', env);
      const threadId = await converse(first, 'rosa', QUESTIONS);
      await stop(first);
      const second = await processes.start('sqlite-2', env);
      const api = apiFor(second.httpUrl, await token('rosa'));
      const { status, body } = await api.get<Messages>(`/threads/${threadId}/messages`);
      expect(status).toBe(200);
      expectConversation(body);
      expect((await api.get<{ threads: Array<{ thread_id: string }> }>('/threads')).body.threads.map((t) => t.thread_id)).toEqual([threadId]);
      await stop(second);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it('two processes on Redis and PostgreSQL: stop both, flush Redis, start both again, the whole conversation is there', async () => {
    const prefix = uniquePrefix();
    let database: TestDatabase | undefined;
    try {
      database = await createTestDatabase();
      const env = { REDIS_URL: TEST_REDIS_URL, DATABASE_URL: database.url, AGENTWIRE_REDIS_PREFIX: prefix, AGENTWIRE_DEMO_DELAY_MS: '0' };
      const [a, b] = await Promise.all([processes.start('pg-a', env), processes.start('pg-b', env)]);
      const threadId = await converse(a, 'sven', QUESTIONS);
      await Promise.all([stop(a), stop(b)]);
      // The stream's whole history goes: every key under the prefix.
      await purgeAndClose(await requireRedisBus({ prefix }));
      const [c, d] = await Promise.all([processes.start('pg-c', env), processes.start('pg-d', env)]);
      for (const gateway of [c, d]) {
        const { status, body } = await apiFor(gateway.httpUrl, await token('sven')).get<Messages>(`/threads/${threadId}/messages`);
        expect(status).toBe(200);
        expectConversation(body);
      }
      await Promise.all([stop(c), stop(d)]);
    } finally {
      await database?.drop();
      await purgeAndClose(await requireRedisBus({ prefix }));
    }
  }, 180_000);
});
