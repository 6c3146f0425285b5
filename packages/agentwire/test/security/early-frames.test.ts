import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoAgent, type TokenVerifier, createGateway, type Gateway } from '../../src/index.js';
import { MAX_EARLY_BYTES, MAX_EARLY_FRAMES } from '../../src/gateway/early-frames.js';
import { TestClient } from '../helpers/ws-client.js';

/** Authentication that never completes, as with a JWKS endpoint that hangs. */
const hanging: TokenVerifier = { verify: () => new Promise(() => {}) };

describe('frames before authentication completes (issue 12, bounded resources)', () => {
  let server: Server;
  let gateway: Gateway;
  let wsUrl: string;
  beforeAll(async () => {
    server = createServer();
    gateway = createGateway({ server, auth: { verifier: hanging }, agents: [createDemoAgent({ delayMs: 0 })], shutdownDrainMs: 0 });
    const { port } = await gateway.listen(0);
    wsUrl = `ws://127.0.0.1:${port}/ws`;
  });
  afterAll(async () => {
    await gateway.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const opened = async (): Promise<TestClient> => {
    const client = TestClient.open(wsUrl, { token: 'a.b.c' });
    await new Promise((resolve) => client.socket.once('open', resolve));
    return client;
  };

  it(`finding: more than ${MAX_EARLY_FRAMES} frames before authentication close the socket with 1009`, async () => {
    const client = await opened();
    for (let i = 0; i <= MAX_EARLY_FRAMES; i++) client.send({ type: 'ping', client_ts: i });
    expect(await client.closed).toEqual({ code: 1009, reason: 'too many frames before the connection was established' });
  });

  it(`finding: more than ${MAX_EARLY_BYTES / 1024} KiB before authentication close the socket with 1009, within few frames`, async () => {
    const client = await opened();
    const big = JSON.stringify({ type: 'user_message', client_msg_id: 'c', text: 'x'.repeat(40 * 1024) });
    client.send(big);
    client.send(big);
    expect((await client.closed).code).toBe(1009);
  });

  it('finding: a few frames before authentication are kept, not refused', async () => {
    const client = await opened();
    for (let i = 0; i < MAX_EARLY_FRAMES; i++) client.send({ type: 'ping', client_ts: i });
    // A close would come right after the frames are read; a ping of our own proves they were.
    const ponged = new Promise<void>((resolve) => client.socket.once('pong', () => resolve()));
    client.socket.ping();
    await ponged;
    expect(client.socket.readyState).toBe(client.socket.OPEN);
    client.socket.terminate();
  });
});
