import { afterEach, describe, expect, it } from 'vitest';
import { connect, type AgentwireClient, type SocketLike } from '../../src/client.js';
import { isAgentwireError } from '../../src/errors.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { dropSockets, waitForState } from './helpers.js';

let server: TestServer | undefined;
let client: AgentwireClient | undefined;

afterEach(async () => {
  client?.close();
  await server?.close();
  client = server = undefined;
});

async function fetchTicket(s: TestServer, token: string): Promise<string> {
  const res = await fetch(`${s.httpUrl}/auth/ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`ticket: HTTP ${res.status}`);
  return ((await res.json()) as { ticket: string }).ticket;
}

describe('client credentials', () => {
  it('connects with single-use tickets and fetches a fresh one for every reconnect', async () => {
    server = await startTestServer();
    const token = await server.token('tix');
    const tickets: string[] = [];
    client = connect({
      url: server.wsUrl,
      getTicket: async () => {
        tickets.push(await fetchTicket(server!, token));
        return tickets.at(-1)!;
      },
      backoff: { initialMs: 4 },
    });
    await client.ready();
    expect(dropSockets(server, 'tix')).toBe(1);
    await waitForState(client, 'connected');
    const result = await client.run('What is 17 * 23?').result;
    expect(result.text).toContain('391');
    expect(tickets).toHaveLength(2);
    expect(new Set(tickets).size).toBe(2);
    expect(client.stats.connections).toBe(2);
  });

  it('goes offline on 1008 and never retries', async () => {
    server = await startTestServer();
    client = connect({ url: server.wsUrl, token: 'not-a-jwt', backoff: { initialMs: 1, maxMs: 1 } });
    const states: string[] = [];
    client.on('state', (c) => states.push(c.state));
    const pending = client.send('What is 1 + 1?');
    const offline = await waitForState(client, 'offline');
    expect(offline.closeCode).toBe(1008);
    expect(isAgentwireError(offline.error, 'AW_ERR_CLIENT_UNAUTHORIZED')).toBe(true);
    await expect(pending).rejects.toMatchObject({ code: 'AW_ERR_CLIENT_UNAUTHORIZED' });
    expect(states).toEqual(['offline']);
    expect(client.stats.attempts).toBe(1);
    expect(server.gateway.stats.connectionsRefused).toBe(1);
  });

  it('a reused ticket is a 1008: offline, not a retry loop', async () => {
    server = await startTestServer();
    const ticket = await fetchTicket(server, await server.token('reuse'));
    const first = connect({ url: server.wsUrl, getTicket: () => ticket });
    await first.ready();
    client = connect({ url: server.wsUrl, getTicket: () => ticket, backoff: { initialMs: 1, maxMs: 1 } });
    const offline = await waitForState(client, 'offline');
    first.close();
    expect(offline.closeCode).toBe(1008);
    expect(client.stats.attempts).toBe(1);
  });

  it('on 4001 asks the app for a fresh token and resumes', async () => {
    server = await startTestServer();
    const expired = await server.token('exp', -60);
    let asked = 0;
    client = connect({
      url: server.wsUrl,
      token: expired,
      getToken: async () => {
        asked++;
        return server!.token('exp');
      },
      backoff: { initialMs: 4 },
    });
    const reconnecting = await waitForState(client, 'reconnecting');
    expect(reconnecting.closeCode).toBe(4001);
    await waitForState(client, 'connected');
    expect(asked).toBe(1);
    const result = await client.run('What is 2 ^ 10?').result;
    expect(result.text).toContain('1024');
  });

  it('on 4001 without getToken goes offline with AW_ERR_CLIENT_TOKEN_EXPIRED', async () => {
    server = await startTestServer();
    client = connect({ url: server.wsUrl, token: await server.token('exp2', -60) });
    const offline = await waitForState(client, 'offline');
    expect(offline.closeCode).toBe(4001);
    expect(offline.error?.code).toBe('AW_ERR_CLIENT_TOKEN_EXPIRED');
  });

  it('without header support (browsers) sends the token as the bearer.<jwt> subprotocol', async () => {
    server = await startTestServer();
    const { default: WebSocket } = await import('ws');
    const offered: string[][] = [];
    client = connect({
      url: server.wsUrl,
      token: await server.token('sub'),
      socketFactory: async () => ({
        supportsHeaders: false,
        open: (r) => {
          offered.push(r.protocols);
          return new WebSocket(r.url, r.protocols) as unknown as SocketLike;
        },
      }),
    });
    await client.ready();
    expect(offered[0]![0]).toBe('agentwire.v1');
    expect(offered[0]![1]).toMatch(/^bearer\./);
    expect((await client.run('What is 5 * 5?').result).text).toContain('25');
  });

  it('rejects options without any credential with a coded error', () => {
    expect(() => connect({ url: 'ws://127.0.0.1:1/ws' })).toThrow(expect.objectContaining({ code: 'AW_ERR_CLIENT_OPTIONS' }));
  });
});
