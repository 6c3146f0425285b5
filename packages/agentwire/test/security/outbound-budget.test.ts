import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Connection } from '../../src/gateway/connection.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';

const MAX_BUFFERED = 16 * 1024;
/** ~100-byte pongs: far more than loopback socket buffers hold, so a client that never reads must fall behind. */
const MAX_PINGS = 200_000;
const tcpOf = (client: TestClient) => (client.socket as unknown as { _socket: Socket })._socket;

describe('outbound budget (issue 12, bounded resources)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({
      // The rate limiter is not what is under test: only the byte budget may stop this client.
      limits: { maxBufferedBytes: MAX_BUFFERED, ratePerSecond: 1e9, rateBurst: 1e9, abuseFramesPerSecond: 1e9 },
    });
  });
  afterAll(() => server.close());

  it('finding: a socket that never reads while spamming pings is closed 1013 and the server buffers stay bounded', async () => {
    const u = `sec-budget-${process.pid}`;
    const client = await TestClient.connect(server.wsUrl, { token: await server.token(u) });
    const [connection] = [...server.gateway.scopeFor({ userId: u }).connections] as Connection[];
    expect(connection).toBeDefined();
    tcpOf(client).pause();
    const ping = JSON.stringify({ type: 'ping', client_ts: 'x'.repeat(64) });
    let sent = 0;
    while (server.gateway.stats.slowConsumersClosed === 0 && sent < MAX_PINGS) {
      for (let i = 0; i < 1000; i++) client.send(ping);
      sent += 1000;
      // Give the server a turn to read and answer the batch; the loop ends on the close, or fails at MAX_PINGS.
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    expect(server.gateway.stats.slowConsumersClosed).toBe(1);
    // Nothing is buffered beyond the budget, one reply and the close frame.
    expect(connection!.socket.bufferedAmount).toBeLessThan(MAX_BUFFERED + 1024);
    tcpOf(client).resume();
    expect((await client.closed).code).toBe(1013);
  }, 60_000);
});
