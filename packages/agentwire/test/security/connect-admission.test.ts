import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { SUBPROTOCOL } from '../../src/protocol/types.js';
import { startTestServer, type TestServer, type TestServerOptions } from '../helpers/server.js';
import { eventually } from '../helpers/wait.js';

/** The HTTP status of an upgrade request: 101 when it became a socket (left open in `sockets`). */
function upgradeStatus(server: TestServer, token: string, headers: Record<string, string>, sockets: WebSocket[]): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(server.wsUrl, [SUBPROTOCOL], { headers: { authorization: `Bearer ${token}`, ...headers } });
    socket.on('upgrade', () => {
      sockets.push(socket);
      resolve(101);
    });
    socket.on('unexpected-response', (_request, response) => {
      resolve(response.statusCode ?? 0);
      response.resume();
    });
    socket.on('error', (error) => reject(error));
  });
}

describe('admission control on the upgrade (issue 12, bounded resources and browser-facing)', () => {
  let server: TestServer | undefined;
  const sockets: WebSocket[] = [];
  const start = async (options: TestServerOptions): Promise<TestServer> => (server = await startTestServer(options));
  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await server?.close();
  });

  it('finding: a global connection cap answers 503 before the upgrade, and frees its place when a socket closes', async () => {
    const s = await start({ connectLimits: { maxConnections: 2 }, trustProxy: true });
    const token = await s.token('sec-admission-global');
    expect(await upgradeStatus(s, token, { 'x-forwarded-for': '10.0.0.1' }, sockets)).toBe(101);
    expect(await upgradeStatus(s, token, { 'x-forwarded-for': '10.0.0.2' }, sockets)).toBe(101);
    expect(await upgradeStatus(s, token, { 'x-forwarded-for': '10.0.0.3' }, sockets)).toBe(503);
    sockets.shift()!.terminate();
    await eventually('a place to free up', async () => (await upgradeStatus(s, token, { 'x-forwarded-for': '10.0.0.4' }, sockets)) === 101);
  });

  it('finding: a per-address cap answers 429, with X-Forwarded-For believed only when trustProxy is set', async () => {
    const trusting = await start({ connectLimits: { maxConnectionsPerAddress: 1 }, trustProxy: true });
    const token = await trusting.token('sec-admission-address');
    expect(await upgradeStatus(trusting, token, { 'x-forwarded-for': '10.0.0.1' }, sockets)).toBe(101);
    expect(await upgradeStatus(trusting, token, { 'x-forwarded-for': '10.0.0.2' }, sockets)).toBe(101);
    // Only the entry the proxy appended counts: a client-written first entry changes nothing.
    expect(await upgradeStatus(trusting, token, { 'x-forwarded-for': '10.9.9.9, 10.0.0.1' }, sockets)).toBe(429);
    await trusting.close();
    for (const socket of sockets.splice(0)) socket.terminate();

    const direct = await start({ connectLimits: { maxConnectionsPerAddress: 1 } });
    expect(await upgradeStatus(direct, token, { 'x-forwarded-for': '10.0.0.1' }, sockets)).toBe(101);
    // Without trustProxy a client cannot pick its address: both come from 127.0.0.1.
    expect(await upgradeStatus(direct, token, { 'x-forwarded-for': '10.0.0.2' }, sockets)).toBe(429);
  });

  // Concurrent upgrades arrive within milliseconds of each other, so a bucket of 3 cannot refill in between.
  const burst = (s: TestServer, token: string, addresses: string[]) =>
    Promise.all(addresses.map((address) => upgradeStatus(s, token, { 'x-forwarded-for': address }, sockets))).then((all) => all.sort());

  it('finding: connecting faster than the per-address rate answers 429 before the upgrade', async () => {
    const s = await start({ connectLimits: { connectsPerSecondPerAddress: 3 }, trustProxy: true });
    const token = await s.token('sec-admission-rate');
    expect(await burst(s, token, ['10.0.0.1', '10.0.0.1', '10.0.0.1', '10.0.0.1'])).toEqual([101, 101, 101, 429]);
    // Another address has its own budget.
    expect(await upgradeStatus(s, token, { 'x-forwarded-for': '10.0.0.2' }, sockets)).toBe(101);
  });

  it('finding: connecting faster than the global rate answers 503 before the upgrade', async () => {
    const s = await start({ connectLimits: { connectsPerSecond: 3 }, trustProxy: true });
    const token = await s.token('sec-admission-global-rate');
    expect(await burst(s, token, ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.4'])).toEqual([101, 101, 101, 503]);
  });

  it('finding: an upgrade from a browser origin not in allowedOrigins is refused with 403; no Origin passes', async () => {
    const s = await start({ allowedOrigins: ['https://chat.example.com'] });
    const token = await s.token('sec-admission-origin');
    expect(await upgradeStatus(s, token, { origin: 'https://evil.example.net' }, sockets)).toBe(403);
    expect(await upgradeStatus(s, token, { origin: 'https://chat.example.com' }, sockets)).toBe(101);
    expect(await upgradeStatus(s, token, {}, sockets)).toBe(101);
  });

  it('finding: without allowedOrigins the library accepts any origin (documented default)', async () => {
    const s = await start({});
    expect(await upgradeStatus(s, await s.token('sec-admission-any'), { origin: 'https://elsewhere.example' }, sockets)).toBe(101);
  });
});
