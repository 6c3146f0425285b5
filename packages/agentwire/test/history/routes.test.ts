import { afterEach, describe, expect, it } from 'vitest';
import type { ServerFrame, StreamEvent } from '../../src/protocol/types.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { eventually } from '../helpers/wait.js';
import { apiFor, type Api } from './support/http.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface ThreadList {
  threads: Array<{ thread_id: string; title: string; created_at: string; updated_at: string }>;
  next_cursor: string | null;
}
interface Messages {
  thread_id: string;
  title: string;
  messages: Array<{ message_id: string; role: string; run_id: string; text: string; status?: string }>;
  next_before: string | null;
  stream: { epoch: string; last_seq: number };
}
type ErrorBody = { error: { code: string; message: string } };

async function converse(client: TestClient, text: string, threadId?: string): Promise<{ threadId: string; runId: string }> {
  const accepted = await client.ask(text, threadId ? { thread_id: threadId } : {});
  if (accepted.type !== 'message_accepted') throw new Error(JSON.stringify(accepted));
  await client.waitForRunEnd(accepted.data.run_id);
  return { threadId: accepted.data.thread_id, runId: accepted.data.run_id };
}

async function setup(): Promise<{ s: TestServer; alice: Api; bob: Api; aliceWs: TestClient; bobWs: TestClient }> {
  const s = (server = await startTestServer());
  const [ta, tb] = await Promise.all([s.token('alice'), s.token('bob')]);
  return { s, alice: apiFor(s.httpUrl, ta), bob: apiFor(s.httpUrl, tb), aliceWs: await TestClient.connect(s.wsUrl, { token: ta }), bobWs: await TestClient.connect(s.wsUrl, { token: tb }) };
}

describe('history routes (docs/protocol.md, HTTP and History)', () => {
  it('GET /threads/:id/messages answers the durable conversation with its stream position', async () => {
    const { alice, aliceWs } = await setup();
    const { threadId, runId } = await converse(aliceWs, 'What is 17 * 23?');
    const { status, body } = await alice.get<Messages>(`/threads/${threadId}/messages`);
    expect(status).toBe(200);
    expect(body.thread_id).toBe(threadId);
    expect(body.title).toBe('What is 17 * 23?');
    expect(body.messages.map((m) => [m.role, m.run_id])).toEqual([
      ['user', runId],
      ['assistant', runId],
    ]);
    expect(body.messages[1]).toMatchObject({ status: 'completed', text: expect.stringContaining('17 * 23 = 391') });
    expect(body.next_before).toBeNull();
    expect(body.stream).toEqual({ epoch: aliceWs.established.epoch, last_seq: Math.max(...aliceWs.events().map((e) => e.seq)) });
  });

  it("another user's thread and an unknown one look the same: 404 on every route", async () => {
    const { alice, bob, aliceWs } = await setup();
    const { threadId } = await converse(aliceWs, 'secret plan');
    for (const api of [bob]) {
      for (const id of [threadId, 'thr_unknown']) {
        const answers = [
          await api.get(`/threads/${id}/messages`),
          await api.get(`/threads/${id}/events`),
          await api.patch(`/threads/${id}`, { title: 'mine now' }),
          await api.delete(`/threads/${id}`),
        ];
        for (const a of answers) {
          expect(a.status).toBe(404);
          expect((a.body as ErrorBody).error.code).toBe('not_found');
        }
      }
    }
    expect((await alice.get<Messages>(`/threads/${threadId}/messages`)).body.title).toBe('secret plan');
  });

  it('every new route needs a Bearer token (401)', async () => {
    const { s } = await setup();
    const anon = apiFor(s.httpUrl, undefined);
    for (const a of [await anon.get('/threads'), await anon.get('/threads/x/messages'), await anon.patch('/threads/x', { title: 't' }), await anon.delete('/threads/x')]) {
      expect(a.status).toBe(401);
      expect((a.body as ErrorBody).error.code).toBe('unauthorized');
    }
  });

  it('bad limit, cursor, before and title values answer 400 naming the parameter', async () => {
    const { alice, aliceWs } = await setup();
    const { threadId } = await converse(aliceWs, 'hello');
    const cases: Array<[Promise<{ status: number; body: unknown }>, string]> = [
      [alice.get('/threads?limit=0'), 'limit'],
      [alice.get('/threads?limit=abc'), 'limit'],
      [alice.get('/threads?limit=201'), 'limit'],
      [alice.get('/threads?limit=1.5'), 'limit'],
      [alice.get('/threads?cursor=not-a-cursor'), 'cursor'],
      [alice.get(`/threads/${threadId}/messages?limit=501`), 'limit'],
      [alice.get(`/threads/${threadId}/messages?limit=-1`), 'limit'],
      [alice.get(`/threads/${threadId}/messages?before=%%%`), 'before'],
      [alice.get(`/threads/${threadId}/messages?before=zzz`), 'before'],
      [alice.patch(`/threads/${threadId}`, { title: '' }), 'title'],
      [alice.patch(`/threads/${threadId}`, { title: 'x'.repeat(201) }), 'title'],
      [alice.patch(`/threads/${threadId}`, { title: 42 }), 'title'],
      [alice.patch(`/threads/${threadId}`, {}), 'title'],
    ];
    for (const [answer, parameter] of cases) {
      const { status, body } = await answer;
      expect(status, JSON.stringify(body)).toBe(400);
      expect((body as ErrorBody).error.code).toBe('invalid_request');
      expect((body as ErrorBody).error.message).toContain(parameter);
    }
    // Nothing was changed by the refused calls.
    expect((await alice.get<Messages>(`/threads/${threadId}/messages`)).body.title).toBe('hello');
  });

  it('PATCH renames and every tab of the user is told (thread_updated); other users are not', async () => {
    const { s, alice, aliceWs, bobWs } = await setup();
    const { threadId } = await converse(aliceWs, 'first title');
    const secondTab = await TestClient.connect(s.wsUrl, { token: await s.token('alice') });
    const { status, body } = await alice.patch<ThreadList['threads'][number]>(`/threads/${threadId}`, { title: 'Renamed' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ thread_id: threadId, title: 'Renamed' });
    for (const tab of [aliceWs, secondTab]) {
      const event = (await tab.waitFor((f) => f.type === 'thread_updated')) as StreamEvent<'thread_updated'>;
      expect(event).toMatchObject({ thread_id: threadId, data: { title: 'Renamed' } });
      expect(event).not.toHaveProperty('run_id');
    }
    expect((await alice.get<ThreadList>('/threads')).body.threads[0]).toMatchObject({ thread_id: threadId, title: 'Renamed' });
    expect(bobWs.frames.some((f: ServerFrame) => f.type === 'thread_updated')).toBe(false);
  });

  it('DELETE stops its runs in flight first, deletes the thread and its messages, and tells every tab', async () => {
    const s = (server = await startTestServer({ demoDelayMs: 200 }));
    const token = await s.token('carol');
    const api = apiFor(s.httpUrl, token);
    const ws = await TestClient.connect(s.wsUrl, { token });
    const accepted = await ws.ask('What is 2 + 2?');
    if (accepted.type !== 'message_accepted') throw new Error('refused');
    const { thread_id: threadId, run_id: runId } = accepted.data;
    await ws.waitFor((f) => f.type === 'agent_started');
    const { status } = await api.delete(`/threads/${threadId}`);
    expect(status).toBe(204);
    const events = ws.events();
    const terminal = events.find((e) => e.run_id === runId && e.type === 'agent_error');
    const deleted = await ws.waitFor((f) => f.type === 'thread_deleted');
    expect(terminal).toMatchObject({ data: { code: 'cancelled' } });
    expect((deleted as StreamEvent).seq).toBeGreaterThan(terminal!.seq);
    expect((await api.get(`/threads/${threadId}/messages`)).status).toBe(404);
    expect((await api.get(`/threads/${threadId}/events`)).status).toBe(404);
    expect((await api.get<ThreadList>('/threads')).body.threads).toEqual([]);
    // Frames naming the deleted thread's ids are refused like another user's.
    const again = await ws.ask('more', { thread_id: threadId });
    expect(again).toMatchObject({ type: 'error', data: { code: 'forbidden' } });
    ws.send({ type: 'stop_agent', run_id: runId });
    await eventually('stop refused', () => ws.frames.some((f) => f.type === 'error' && (f.data as { run_id?: string }).run_id === runId && (f.data as { code: string }).code === 'forbidden'));
  });

  it('GET /threads pages with a cursor: no thread missing or repeated while new threads arrive', async () => {
    const { s, alice, aliceWs } = await setup();
    const created: string[] = [];
    for (let i = 0; i < 7; i++) created.push((await converse(aliceWs, `thread ${i}`)).threadId);
    const seen: string[] = [];
    let cursor: string | null = null;
    let page = 0;
    do {
      const answer: { status: number; body: ThreadList } = await alice.get<ThreadList>(`/threads?limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(answer.status).toBe(200);
      seen.push(...answer.body.threads.map((t) => t.thread_id));
      cursor = answer.body.next_cursor;
      // A new thread arrives between two page reads: it is newer than the cursor, so never in a later page.
      if (page++ < 2) await converse(aliceWs, `new ${page}`);
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect([...seen].filter((id) => created.includes(id)).sort()).toEqual([...created].sort());
    const first = await alice.get<ThreadList>('/threads?limit=200');
    expect(first.body.threads).toHaveLength(9);
    expect(first.body.next_cursor).toBeNull();
    void s;
  });

  it('GET /threads/:id/messages pages back with before: no message missing or repeated while new ones arrive', async () => {
    const { alice, aliceWs } = await setup();
    const { threadId } = await converse(aliceWs, 'q0');
    for (let i = 1; i < 6; i++) await converse(aliceWs, `q${i}`, threadId);
    const seen: string[] = [];
    let before: string | null = null;
    let first = true;
    do {
      const answer: { body: Messages } = await alice.get<Messages>(`/threads/${threadId}/messages?limit=3${before ? `&before=${encodeURIComponent(before)}` : ''}`);
      // Oldest first within the page, and the page before is wholly older.
      seen.unshift(...answer.body.messages.map((m) => m.message_id));
      before = answer.body.next_before;
      if (first) await converse(aliceWs, 'arrives while paging', threadId);
      first = false;
    } while (before);
    expect(seen).toHaveLength(12);
    expect(new Set(seen).size).toBe(12);
    const all = await alice.get<Messages>(`/threads/${threadId}/messages?limit=500`);
    expect(all.body.messages.slice(0, 12).map((m) => m.message_id)).toEqual(seen);
    expect(all.body.messages.map((m) => m.text).filter((t, i) => i % 2 === 0)).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'arrives while paging']);
  });
});

describe('account deletion (issue 11 point 4)', () => {
  it('gateway.threads.deleteUser removes every thread, message and note of one user, and nothing of another', async () => {
    const { s, alice, bob, aliceWs, bobWs } = await setup();
    const mine = [(await converse(aliceWs, 'Remember that the code is 1234')).threadId, (await converse(aliceWs, 'What is 2 + 2?')).threadId];
    const theirs = (await converse(bobWs, 'Remember that my code is 9876')).threadId;
    await s.gateway.threads.deleteUser('alice');
    expect((await alice.get<ThreadList>('/threads')).body.threads).toEqual([]);
    for (const id of mine) expect((await alice.get(`/threads/${id}/messages`)).status).toBe(404);
    expect(await s.gateway.store.notes.search('alice', 'code')).toEqual([]);
    expect((await bob.get<ThreadList>('/threads')).body.threads.map((t) => t.thread_id)).toEqual([theirs]);
    expect((await bob.get<Messages>(`/threads/${theirs}/messages`)).body.messages).toHaveLength(2);
    expect((await s.gateway.store.notes.search('bob', 'code')).map((n) => n.text)).toEqual(['my code is 9876']);
    // Every tab of the user was told about each deleted thread.
    await eventually('thread_deleted for both threads', () => mine.every((id) => aliceWs.frames.some((f) => f.type === 'thread_deleted' && (f as StreamEvent).thread_id === id)));
  });
});
