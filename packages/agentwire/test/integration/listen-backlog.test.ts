import { Server } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createDemoAgent, createGateway, silentLogger } from '../../src/index.js';
import { configFromEnv, startServer } from '../../src/server.js';
import { TEST_SECRET } from '../helpers/server.js';

// A reconnect storm overflows Node's default accept queue (511): the kernel drops the SYNs
// and each client waits out TCP's 1 s, 3 s, 7 s retries (README, "Configuration").
describe('the listen backlog', () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    vi.restoreAllMocks();
    for (const close of closers.splice(0)) await close();
  });

  /** The backlog each `listen` call of any server was given, in call order. */
  function listenBacklogs(): () => unknown[] {
    const listen = vi.spyOn(Server.prototype, 'listen');
    return () => listen.mock.calls.map(([options]) => (typeof options === 'object' && options !== null ? (options as { backlog?: number }).backlog : undefined));
  }

  it('gateway.listen asks for 4096 by default and for what it is given', async () => {
    const backlogs = listenBacklogs();
    const byDefault = createGateway({ auth: { jwt: { secret: TEST_SECRET } }, agents: [createDemoAgent()], quiet: true });
    closers.push(() => byDefault.close());
    await byDefault.listen(0);
    const given = createGateway({ auth: { jwt: { secret: TEST_SECRET } }, agents: [createDemoAgent()], quiet: true });
    closers.push(() => given.close());
    await given.listen(0, '127.0.0.1', 123);
    expect(backlogs()).toEqual([4096, 123]);
  });

  it('AGENTWIRE_LISTEN_BACKLOG reaches the standalone server’s listen', async () => {
    const env = { AGENTWIRE_JWT_SECRET: TEST_SECRET, PORT: '0', HOST: '127.0.0.1', AGENTWIRE_STORE: 'memory' };
    expect(configFromEnv(env, () => TEST_SECRET).listenBacklog).toBe(4096);
    const backlogs = listenBacklogs();
    const server = await startServer(configFromEnv({ ...env, AGENTWIRE_LISTEN_BACKLOG: '777' }, () => TEST_SECRET), { logger: silentLogger });
    closers.push(() => server.close());
    expect(backlogs()).toEqual([777]);
  });

  it('AGENTWIRE_LISTEN_BACKLOG must be a whole number from 1 to 65535', () => {
    for (const bad of ['0', '-1', '70000', 'lots']) {
      expect(() => configFromEnv({ AGENTWIRE_JWT_SECRET: TEST_SECRET, AGENTWIRE_LISTEN_BACKLOG: bad }, () => TEST_SECRET)).toThrow(/AGENTWIRE_LISTEN_BACKLOG/);
    }
  });
});
