import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AgentwireHttp, AgentwireHttpError } from '../../src/react.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

// agentwire/react's HTTP side against the real routes: answers typed, failures carried as
// AgentwireHttpError with the HTTP status and the server's code (docs/react.md).

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const failure = async (promise: Promise<unknown>): Promise<AgentwireHttpError> => {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AgentwireHttpError);
  return error as AgentwireHttpError;
};

describe('AgentwireHttp', () => {
  it('lists, reads, renames and deletes a thread of the caller', async () => {
    const token = await server.token('http-ann');
    const api = new AgentwireHttp({ baseUrl: server.httpUrl, token });
    const client = await TestClient.connect(server.wsUrl, { token });
    const accepted = await client.ask('What is 2 + 2?');
    if (accepted.type !== 'message_accepted') throw new Error(JSON.stringify(accepted));
    const threadId = accepted.data.thread_id;
    await client.close();

    expect((await api.threads()).threads.map((t) => t.thread_id)).toEqual([threadId]);
    const snapshot = await api.messages(threadId);
    expect(snapshot.messages[0]).toMatchObject({ role: 'user', text: 'What is 2 + 2?' });
    expect(snapshot.stream.last_seq).toBeGreaterThan(0);
    expect((await api.rename(threadId, 'Sums')).title).toBe('Sums');
    await api.remove(threadId);
    expect((await failure(api.messages(threadId))).status).toBe(404);
    expect(typeof (await api.ticket())).toBe('string');
  });

  it('carries the status and the server code of each refusal; nothing else is affected', async () => {
    const token = await server.token('http-ben');
    const api = new AgentwireHttp({ baseUrl: server.httpUrl, token });
    const other = new AgentwireHttp({ baseUrl: server.httpUrl, token: await server.token('http-cat') });
    expect(await failure(api.messages('thr_nobody'))).toMatchObject({ status: 404, code: 'not_found' });
    expect(await failure(api.rename('thr_nobody', ''))).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(await failure(api.threads('not-a-cursor'))).toMatchObject({ status: 400, code: 'invalid_request' });
    expect(await failure(new AgentwireHttp({ baseUrl: server.httpUrl, token: 'not-a-jwt' }).ticket())).toMatchObject({ status: 401, code: 'unauthorized' });
    expect(await failure(new AgentwireHttp({ baseUrl: 'http://127.0.0.1:9', token }).threads())).toMatchObject({ status: 0, code: 'network' });
    expect((await api.threads()).threads).toEqual([]);
    expect((await other.threads()).threads).toEqual([]);
  });
});
