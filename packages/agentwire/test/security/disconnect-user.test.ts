import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { TestClient } from '../helpers/ws-client.js';
import { requireRedisBus, uniquePrefix, purgeAndClose } from '../redis/support/redis-env.js';
import type { RedisBus } from '../../src/redis.js';
import type { EngineFactory } from '../helpers/engines.js';

let users = 0;
const user = (): string => `sec-disconnect ${process.pid} ${++users}`;

describe('gateway.disconnectUser (issue 12, sessions that end)', () => {
  describe('memory engine, one process', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = await startTestServer();
    });
    afterAll(() => server.close());

    it("finding: disconnectUser closes every socket of that user with 4001 and no one else's", async () => {
      const target = user();
      const other = user();
      const a = await TestClient.connect(server.wsUrl, { token: await server.token(target) });
      const b = await TestClient.connect(server.wsUrl, { token: await server.token(target) });
      const bystander = await TestClient.connect(server.wsUrl, { token: await server.token(other) });
      await server.gateway.disconnectUser(target);
      expect((await a.closed).code).toBe(4001);
      expect((await b.closed).code).toBe(4001);
      bystander.send({ type: 'ping', client_ts: 1 });
      await bystander.waitFor((f) => f.type === 'pong');
      await bystander.close();
    });
  });

  describe('Redis engine, two gateways on one key prefix', () => {
    const prefix = uniquePrefix();
    const buses: RedisBus[] = [];
    const shared: EngineFactory = {
      name: 'redis',
      create: async () => {
        const bus = await requireRedisBus({ prefix });
        buses.push(bus);
        return bus;
      },
    };
    let one: TestServer;
    let two: TestServer;
    beforeAll(async () => {
      one = await startTestServer({ engine: shared });
      two = await startTestServer({ engine: shared });
    });
    afterAll(async () => {
      await one.close();
      await two.close();
      await purgeAndClose(await requireRedisBus({ prefix }));
    });

    it('finding: disconnectUser on one process closes the user\'s sockets on the other with 4001', async () => {
      const target = user();
      const here = await TestClient.connect(one.wsUrl, { token: await one.token(target) });
      const there = await TestClient.connect(two.wsUrl, { token: await two.token(target) });
      const bystander = await TestClient.connect(two.wsUrl, { token: await two.token(user()) });
      await one.gateway.disconnectUser(target);
      expect((await here.closed).code).toBe(4001);
      expect((await there.closed).code).toBe(4001);
      bystander.send({ type: 'ping', client_ts: 1 });
      await bystander.waitFor((f) => f.type === 'pong');
      await bystander.close();
    });
  });
});
