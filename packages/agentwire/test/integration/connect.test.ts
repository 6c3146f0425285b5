import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngines, type EngineFactory } from '../helpers/engines.js';
import { startTestServer, TEST_SECRET, type TestServer, type TestServerOptions } from '../helpers/server.js';
import { TestClient, type ConnectOptions } from '../helpers/ws-client.js';
import { waitUntil } from '../helpers/wait.js';

let users = 0;
const freshUser = (): string => `conn-${process.pid}-${++users}`;

/** Opens a socket that the server must refuse: returns its close, and checks no frame came first. */
async function expectRefused(wsUrl: string, options: ConnectOptions, code: number, reason?: string): Promise<void> {
  const client = TestClient.open(wsUrl, options);
  const closed = await client.closed;
  expect(closed.code).toBe(code);
  if (reason !== undefined) expect(closed.reason).toBe(reason);
  expect(client.frames, 'a refusal comes before any frame').toEqual([]);
}

function sign(claims: Record<string, unknown>, secret: string, subject?: string): Promise<string> {
  const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime('1h');
  if (subject !== undefined) jwt.setSubject(subject);
  return jwt.sign(new TextEncoder().encode(secret));
}

async function postTicket(server: TestServer, token: string): Promise<{ ticket: string; expires_at: string }> {
  const res = await fetch(`${server.httpUrl}/auth/ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { ticket: string; expires_at: string };
  expect(Object.keys(body).sort()).toEqual(['expires_at', 'ticket']);
  return body;
}

describe.each(testEngines())('connecting ($name engine)', (engine) => {
  let server: TestServer;
  const clients: TestClient[] = [];
  const extraServers: TestServer[] = [];

  beforeAll(async () => {
    server = await startTestServer({ engine, limits: { maxConnectionsPerUser: 2 } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await Promise.all([server, ...extraServers].map((s) => s.close()));
  });

  const connect = async (options: ConnectOptions, on: TestServer = server): Promise<TestClient> => {
    const client = await TestClient.connect(on.wsUrl, options);
    clients.push(client);
    return client;
  };

  const startServer = async (options: TestServerOptions & { engine: EngineFactory }): Promise<TestServer> => {
    const extra = await startTestServer(options);
    extraServers.push(extra);
    return extra;
  };

  it('a Bearer header connects; connection_established names the token subject', async () => {
    const userId = freshUser();
    const client = await connect({ token: await server.token(userId) });
    expect(client.frames[0]!.type).toBe('connection_established');
    expect(client.established.user_id).toBe(userId);
    expect(client.socket.protocol).toBe('agentwire.v1');
  });

  it('no subprotocol offered → close 1002', async () => {
    await expectRefused(server.wsUrl, { token: await server.token(freshUser()), protocols: [] }, 1002);
  });

  it('no credentials → close 1008 unauthorized', async () => {
    await expectRefused(server.wsUrl, {}, 1008, 'unauthorized');
  });

  it.each([
    ['not a JWT', 'garbage'],
    ['three empty parts', '..'],
    ['a JWT with a broken signature', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA'],
  ])('a malformed token (%s) → close 1008', async (_name, token) => {
    await expectRefused(server.wsUrl, { token }, 1008, 'unauthorized');
  });

  it('a malformed Authorization header → close 1008', async () => {
    await expectRefused(server.wsUrl, { headers: { authorization: `Basic ${Buffer.from('a:b').toString('base64')}` } }, 1008, 'unauthorized');
  });

  it('a token signed with another key → close 1008', async () => {
    const forged = await sign({}, 'some-other-secret-0123456789abcdefgh', freshUser());
    await expectRefused(server.wsUrl, { token: forged }, 1008, 'unauthorized');
  });

  it('a correctly signed token without sub → close 1008', async () => {
    await expectRefused(server.wsUrl, { token: await sign({}, TEST_SECRET) }, 1008, 'unauthorized');
  });

  it('an expired token → close 4001', async () => {
    await expectRefused(server.wsUrl, { token: await server.token(freshUser(), -60) }, 4001);
  });

  it('a ticket from POST /auth/ticket works once; reusing it → close 1008', async () => {
    const userId = freshUser();
    const { ticket, expires_at } = await postTicket(server, await server.token(userId));
    expect(new Date(expires_at).toISOString()).toBe(expires_at);
    expect(Date.parse(expires_at)).toBeGreaterThan(Date.now());
    const first = await connect({ ticket });
    expect(first.established.user_id).toBe(userId);
    await expectRefused(server.wsUrl, { ticket }, 1008, 'unauthorized');
  });

  it('an unknown ticket → close 1008', async () => {
    await expectRefused(server.wsUrl, { ticket: 'no-such-ticket' }, 1008, 'unauthorized');
  });

  it('an expired ticket → close 1008', async () => {
    const shortTickets = await startServer({ engine, ticketTtlMs: 1 });
    const { ticket, expires_at } = await postTicket(shortTickets, await shortTickets.token(freshUser()));
    await waitUntil(() => Date.now() > Date.parse(expires_at) + 1, 'the ticket to expire');
    await expectRefused(shortTickets.wsUrl, { ticket }, 1008, 'unauthorized');
  });

  it('POST /auth/ticket without a valid Bearer token → 401', async () => {
    const res = await fetch(`${server.httpUrl}/auth/ticket`, { method: 'POST' });
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('unauthorized');
  });

  it('past maxConnectionsPerUser → close 4029 too_many_connections; a freed slot can be reused', async () => {
    const userId = freshUser();
    const token = await server.token(userId);
    const held = [await connect({ token }), await connect({ token })];
    await expectRefused(server.wsUrl, { token }, 4029, 'too_many_connections');
    // Another user is not affected by this user's count.
    await connect({ token: await server.token(freshUser()) });
    const connections = async () => ((await (await fetch(`${server.httpUrl}/health/websocket`)).json()) as { connections: number }).connections;
    const before = await connections();
    await held[0]!.close();
    // The server learns of the close asynchronously: wait for its count to drop, then the slot is free.
    await waitUntil(async () => (await connections()) === before - 1, 'the server to drop the closed connection');
    const again = await connect({ token });
    expect(again.established.user_id).toBe(userId);
  });

  it('a bearer.<jwt> subprotocol connects, and the server selects only agentwire.v1', async () => {
    const userId = freshUser();
    const token = await server.token(userId);
    for (const protocols of [
      ['agentwire.v1', `bearer.${token}`],
      [`bearer.${token}`, 'agentwire.v1'],
    ]) {
      const client = await connect({ protocols });
      expect(client.established.user_id).toBe(userId);
      expect(client.socket.protocol).toBe('agentwire.v1');
      await client.close();
    }
  });

  it('a bearer.<jwt> subprotocol without agentwire.v1 → close 1002, the token never echoed', async () => {
    const token = await server.token(freshUser());
    const client = TestClient.open(server.wsUrl, { protocols: [`bearer.${token}`] });
    // The server selects no subprotocol, so a conforming client fails the handshake itself.
    const closed = await client.closed;
    expect([1002, 1006]).toContain(closed.code);
    expect(client.socket.protocol).not.toContain(token);
    expect(client.frames).toEqual([]);
  });

  it('?token= is refused with 1008 by default', async () => {
    await expectRefused(server.wsUrl, { query: { token: await server.token(freshUser()) } }, 1008, 'unauthorized');
  });

  it('?token= is accepted when allowQueryToken is true', async () => {
    const permissive = await startServer({ engine, allowQueryToken: true });
    const userId = freshUser();
    const client = await connect({ query: { token: await permissive.token(userId) } }, permissive);
    expect(client.established.user_id).toBe(userId);
    await expectRefused(permissive.wsUrl, { query: { token: 'garbage' } }, 1008, 'unauthorized');
  });

  it('an upgrade on another path is not a WebSocket endpoint', async () => {
    const client = TestClient.open(`${server.httpUrl.replace('http', 'ws')}/elsewhere`, { token: await server.token(freshUser()) });
    const closed = await client.closed;
    expect(closed.code).toBe(1006);
    expect(client.frames).toEqual([]);
  });
});
