import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { createJwtVerifier } from '../../src/index.js';
import { connect, type AgentwireClient } from '../../src/client.js';
import { refreshDelayMs } from '../../src/client/token-refresh.js';
import { isAgentwireError, type AgentwireError } from '../../src/errors.js';
import { verifyRefresh } from '../../src/gateway/token-refresh.js';
import { CloseCode } from '../../src/protocol/close-codes.js';
import { SUBPROTOCOL } from '../../src/protocol/types.js';
import { TEST_SECRET } from '../helpers/server.js';
import { waitUntil } from '../helpers/wait.js';

const verifier = createJwtVerifier({ secret: TEST_SECRET });

/** A token of `lifetimeMs` (fractional NumericDates, so tests wait about a second, not a minute). */
function shortToken(userId: string, lifetimeMs: number): Promise<string> {
  const now = Date.now() / 1000;
  return new SignJWT({})
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(userId)
    .setIssuedAt(now)
    .setExpirationTime(now + lifetimeMs / 1000)
    .sign(new TextEncoder().encode(TEST_SECRET));
}

interface TinyServer {
  readonly url: string;
  /** Bearer tokens of the upgrades, in order. */
  readonly connectTokens: string[];
  /** Tokens received in `refresh` frames, in order. */
  readonly refreshTokens: string[];
  close(): Promise<void>;
}

/**
 * The server side of docs/protocol.md "Connecting" and `refresh` (1.1), as small as it gets:
 * Bearer auth, `connection_established`, a 4001 close at the token's exp, and refresh frames
 * answered through the gateway's own verifyRefresh. `refuseRefresh` answers every refresh
 * with `error` unauthorized, as for a token the verifier refused.
 */
async function startTinyServer(options: { refuseRefresh?: boolean } = {}): Promise<TinyServer> {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', handleProtocols: (offered) => (offered.has(SUBPROTOCOL) ? SUBPROTOCOL : false) });
  const connectTokens: string[] = [];
  const refreshTokens: string[] = [];
  wss.on('connection', (socket: WebSocket, request) => {
    void (async () => {
      const token = /^Bearer (\S+)$/.exec(request.headers.authorization ?? '')?.[1] ?? '';
      connectTokens.push(token);
      const verified = await verifier.verify(token).catch(() => undefined);
      if (!verified) return socket.close(CloseCode.unauthorized, 'unauthorized');
      let expiry: ReturnType<typeof setTimeout> | undefined;
      const expireAt = (ms: number | undefined): void => {
        clearTimeout(expiry);
        if (ms !== undefined) expiry = setTimeout(() => socket.close(CloseCode.tokenExpired, 'token_expired'), Math.max(0, ms - Date.now()));
      };
      expireAt(verified.expiresAtMs);
      socket.on('close', () => clearTimeout(expiry));
      socket.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { type: string; token?: string };
        if (frame.type !== 'refresh' || frame.token === undefined) return;
        refreshTokens.push(frame.token);
        void verifyRefresh(verified.userId, frame.token, verifier).then((result) => {
          if (options.refuseRefresh || result.outcome === 'unauthorized') {
            socket.send(JSON.stringify({ type: 'error', data: { code: 'unauthorized', message: 'refresh refused' } }));
          } else if (result.outcome === 'other_user') {
            socket.close(CloseCode.unauthorized, 'unauthorized');
          } else {
            expireAt(result.expiresAtMs);
            socket.send(JSON.stringify({ type: 'refreshed', data: { expires_at: new Date(result.expiresAtMs ?? 0).toISOString() } }));
          }
        });
      });
      socket.send(
        JSON.stringify({
          type: 'connection_established',
          data: { connection_id: 'c', user_id: verified.userId, protocol: 1, last_seq: 0, epoch: 'e', resumed: false, heartbeat_ms: 30_000 },
        }),
      );
    })();
  });
  await new Promise<void>((resolve) => wss.once('listening', resolve));
  return {
    url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/ws`,
    connectTokens,
    refreshTokens,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of wss.clients) client.terminate();
        wss.close(() => resolve());
      }),
  };
}

let server: TinyServer | undefined;
let client: AgentwireClient | undefined;
afterEach(async () => {
  client?.close();
  await server?.close();
  client = server = undefined;
});

describe('client token refresh (issue 12, sessions that end; protocol 1.1)', () => {
  it('finding: the client SDK renews its token through getToken ahead of exp, on the open connection, without reconnecting', async () => {
    server = await startTinyServer();
    let issued = 0;
    client = connect({ url: server.url, getToken: () => (issued++, shortToken('alice', 1000)), backoff: { initialMs: 1 } });
    await client.ready();
    const firstExpiry = Date.now() + 1000;
    // Two refreshes: the second comes after the first token's exp, which the server enforces with 4001.
    await waitUntil(() => server!.refreshTokens.length >= 2, 'two in-band refreshes', 5000);
    expect(Date.now()).toBeGreaterThan(firstExpiry);
    expect(client.stats.connections, 'never reconnected').toBe(1);
    expect(server.connectTokens).toHaveLength(1);
    expect(client.state).toBe('connected');
    expect(new Set([server.connectTokens[0], ...server.refreshTokens]).size, 'each refresh carries a new token').toBe(3);
    expect(issued).toBeGreaterThanOrEqual(3);
  });

  it('finding: a refresh answered error unauthorized leaves the old expiry, and the client reconnects with a new token at exp', async () => {
    server = await startTinyServer({ refuseRefresh: true });
    client = connect({ url: server.url, getToken: () => shortToken('bob', 1000), backoff: { initialMs: 1, maxMs: 1 } });
    const errors: AgentwireError[] = [];
    client.on('error', (error) => errors.push(error));
    await client.ready();
    await waitUntil(() => client!.stats.connections >= 2, 'the reconnect after close 4001', 5000);
    expect(server.refreshTokens.length).toBeGreaterThanOrEqual(1);
    expect(errors.some((e) => isAgentwireError(e, 'AW_ERR_CLIENT_REFRESH_FAILED'))).toBe(true);
    // The reconnect did not reuse the expired token, nor the refused one.
    expect(server.connectTokens[1]).not.toBe(server.connectTokens[0]);
    expect(server.refreshTokens).not.toContain(server.connectTokens[1]);
  });

  it('finding: the client refreshes 60 s before exp, or with a fifth of a short token\'s lifetime left', async () => {
    const now = Date.now();
    const hour = await shortToken('carol', 3_600_000);
    // Minted a few ms after `now`: ± 50 ms.
    expect(Math.abs(refreshDelayMs(hour, now)! - (3_600_000 - 60_000))).toBeLessThan(50);
    const second = await shortToken('carol', 1000);
    expect(Math.abs(refreshDelayMs(second, now)! - 800)).toBeLessThan(50);
    expect(refreshDelayMs('not-a-jwt', now)).toBeUndefined();
  });
});
