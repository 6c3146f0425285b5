import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoAgent } from '../../src/index.js';
import { waitUntil } from '../helpers/wait.js';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

/** The `exp` claim of a JWT, in ms. */
function expiryOf(token: string): number {
  const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as { exp: number };
  return payload.exp * 1000;
}

describe.each(testEngines())('token expiry while connected ($name engine)', (engine) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ engine, agents: [createDemoAgent({ delayMs: 0 })] });
  });
  afterAll(() => server.close());

  it("closes the socket with 4001 at the token's exp, not before and not long after; other sockets stay", async () => {
    const userId = `expiring-${engine.name}-${process.pid}`;
    const shortToken = await server.token(userId, 2);
    const expMs = expiryOf(shortToken);
    const expiring = await TestClient.connect(server.wsUrl, { token: shortToken });
    const lasting = await TestClient.connect(server.wsUrl, { token: await server.token(userId, 3600) });
    // Usable until then.
    const accepted = await expiring.ask('What is 1 + 1?');
    expect(accepted.type).toBe('message_accepted');

    const closed = await Promise.race([
      expiring.closed,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error('not closed within exp + 5 s')), expMs + 5000 - Date.now())),
    ]);
    const closedAt = Date.now();
    expect(closed).toEqual({ code: 4001, reason: 'token_expired' });
    expect(closedAt).toBeGreaterThanOrEqual(expMs);

    // The scope lets go of the expired socket; the one with a valid token keeps working.
    await waitUntil(() => server.gateway.health().connections === 1, 'the expired socket to leave its scope');
    lasting.send({ type: 'ping', client_ts: 'still-here' });
    await lasting.waitFor((f) => f.type === 'pong');
    await lasting.close();
  });

  it('a token that expires before the upgrade completes is refused with 4001 before any frame', async () => {
    const client = TestClient.open(server.wsUrl, { token: await server.token(`expired-${engine.name}-${process.pid}`, -10) });
    expect((await client.closed).code).toBe(4001);
    expect(client.frames).toEqual([]);
  });
});
