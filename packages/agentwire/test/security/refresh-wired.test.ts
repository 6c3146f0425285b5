import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../helpers/wait.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

let users = 0;
const user = (): string => `sec-refresh-${process.pid}-${++users}`;
const expMs = (token: string): number => decodeJwt(token).exp! * 1000;

describe('in-band refresh on a real gateway (issue 12, sessions that end; protocol 1.1)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('finding: a refresh with a longer-lived token keeps the connection open past the first exp', async () => {
    const u = user();
    const short = await server.token(u, 2);
    const client = await TestClient.connect(server.wsUrl, { token: short });
    const long = await server.token(u, 3600);
    client.send({ type: 'refresh', token: long });
    const refreshed = await client.waitFor((f) => f.type === 'refreshed');
    expect(refreshed.data).toEqual({ expires_at: new Date(expMs(long)).toISOString() });
    // Past the first token's exp (plus the timer's slack), the socket still answers.
    await waitUntil(() => Date.now() > expMs(short) + 500, 'the first token to expire', 5000);
    client.send({ type: 'ping', client_ts: 'after-exp' });
    await client.waitFor((f) => f.type === 'pong' && (f.data as { client_ts?: unknown }).client_ts === 'after-exp');
    await client.close();
  });

  it('finding: an invalid refresh answers unauthorized and the connection still closes 4001 at its old exp', async () => {
    const u = user();
    const short = await server.token(u, 2);
    const client = await TestClient.connect(server.wsUrl, { token: short });
    client.send({ type: 'refresh', token: await server.token(u, -60) });
    const error = await client.waitFor((f) => f.type === 'error');
    expect((error.data as { code: string }).code).toBe('unauthorized');
    const closed = await client.closed;
    expect(closed.code).toBe(4001);
    expect(Date.now()).toBeGreaterThanOrEqual(expMs(short));
  });

  it("finding: a refresh with another user's token closes the connection 1008", async () => {
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(user()) });
    client.send({ type: 'refresh', token: await server.token(user()) });
    expect((await client.closed).code).toBe(1008);
  });

  it('finding: a ticket bought with a short-lived token opens a socket that closes 4001 at that token\'s exp', async () => {
    const short = await server.token(user(), 2);
    const response = await fetch(`${server.httpUrl}/auth/ticket`, { method: 'POST', headers: { authorization: `Bearer ${short}` } });
    const { ticket } = (await response.json()) as { ticket: string };
    const client = await TestClient.connect(server.wsUrl, { ticket });
    expect((await client.closed).code).toBe(4001);
    expect(Date.now()).toBeGreaterThanOrEqual(expMs(short));
  });
});
