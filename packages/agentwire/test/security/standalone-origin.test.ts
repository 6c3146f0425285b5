import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { silentLogger } from '../../src/index.js';
import { SUBPROTOCOL } from '../../src/protocol/types.js';
import { configFromEnv, startServer, type RunningServer } from '../../src/server.js';
import { testToken, TEST_SECRET } from '../helpers/server.js';

let server: RunningServer;
beforeAll(async () => {
  const config = configFromEnv({ AGENTWIRE_JWT_SECRET: TEST_SECRET, PORT: '0', HOST: '127.0.0.1', AGENTWIRE_STORE: 'memory' }, () => TEST_SECRET);
  server = await startServer(config, { logger: silentLogger });
});
afterAll(async () => {
  await server.close();
});

/** The upgrade's answer: 'open', or the HTTP status it was refused with. */
async function upgrade(origin: string | undefined): Promise<'open' | number> {
  const headers: Record<string, string> = { authorization: `Bearer ${await testToken('sam')}` };
  if (origin !== undefined) headers['origin'] = origin;
  const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/ws`, [SUBPROTOCOL], { headers });
  return new Promise((resolve) => {
    socket.once('open', () => {
      socket.close();
      resolve('open');
    });
    socket.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
    socket.once('error', () => undefined);
  });
}

describe('the standalone server checks Origin on /ws with the API\'s allow-list (docs/protocol.md, Connecting)', () => {
  it('finding: by default the standalone server refuses a foreign Origin on /ws with 403 and allows its own, and clients without Origin', async () => {
    expect(await upgrade('https://evil.example')).toBe(403);
    expect(await upgrade(server.url)).toBe('open');
    expect(await upgrade(undefined)).toBe('open');
  });
});
