import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { apiFor } from '../history/support/http.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('request paths', () => {
  it.each([
    ['GET', '/threads/%E0%A4%A/messages'],
    ['GET', '/threads/%/events'],
    ['PATCH', '/threads/abc%ZZ'],
    ['DELETE', '/threads/%E0%A4%A'],
  ])('finding: a malformed %% escape in a route answers 400, not 500 (%s %s)', async (method, path) => {
    const api = apiFor(server.httpUrl, await server.token('pia'));
    const answer =
      method === 'GET' ? await api.get<Refusal>(path) : method === 'PATCH' ? await api.patch<Refusal>(path, { title: 't' }) : await api.delete<Refusal>(path);
    expect(answer.status).toBe(400);
    expect(answer.body.error.code).toBe('invalid_request');
    expect(answer.body.error.message).toContain('%-escape');
  });
});

type Refusal = { error: { code: string; message: string } };
