import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDemoAgent } from '../../src/index.js';
import { SUBPROTOCOL } from '../../src/protocol/types.js';
import { waitUntil } from '../helpers/wait.js';
import { testEngines } from '../helpers/engines.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

const HEARTBEAT_MS = 100;

/** A client that receives the server's pings and never answers them. */
function silentClient(wsUrl: string, token: string): { socket: WebSocket; pings: () => number; closed: Promise<number> } {
  const socket = new WebSocket(wsUrl, [SUBPROTOCOL], { headers: { authorization: `Bearer ${token}` }, autoPong: false });
  let pings = 0;
  socket.on('ping', () => pings++);
  socket.on('error', () => {});
  const closed = new Promise<number>((resolve) => socket.on('close', (code) => resolve(code)));
  return { socket, pings: () => pings, closed };
}

describe.each(testEngines())('heartbeats ($name engine)', (engine) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ engine, agents: [createDemoAgent({ delayMs: 0 })], heartbeatMs: HEARTBEAT_MS, scopeIdleMs: 50 });
  });
  afterAll(() => server.close());

  it('terminates a socket that stops answering pings, releases its scope, and keeps the one that answers', async () => {
    const deadUser = `silent-${engine.name}-${process.pid}`;
    const liveUser = `answering-${engine.name}-${process.pid}`;
    const live = await TestClient.connect(server.wsUrl, { token: await server.token(liveUser) });
    expect(live.established.heartbeat_ms).toBe(HEARTBEAT_MS);
    const dead = silentClient(server.wsUrl, await server.token(deadUser));
    await waitUntil(() => server.gateway.health().connections === 2, 'both sockets to join');

    // Terminated, not closed: no close frame, so the client sees 1006.
    expect(await dead.closed).toBe(1006);
    expect(dead.pings()).toBeGreaterThanOrEqual(2);
    await waitUntil(() => server.gateway.health().connections === 1, 'the dead socket to leave its scope');
    // Its scope, holding nothing else, is released after the idle period.
    await waitUntil(() => server.gateway.health().users === 1, 'the silent user scope to be released');

    // The answering client lived through the same beats and still works.
    expect(live.socket.readyState).toBe(WebSocket.OPEN);
    live.send({ type: 'ping', client_ts: 'alive' });
    await live.waitFor((f) => f.type === 'pong');
    await live.close();
  });
});
