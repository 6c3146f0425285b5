import { GatewayProcesses, type GatewayProcess } from '../../helpers/gateway-processes.js';
import { testToken } from '../../helpers/server.js';
import { TestClient } from '../../helpers/ws-client.js';
import { createTestDatabase, type TestDatabase } from '../../store/support/postgres.js';
import { purgeAndClose, requireRedisBus, TEST_REDIS_URL, uniquePrefix } from './redis-env.js';

/**
 * What the tests with real gateway processes (the compiled CLI) share, as docs/deploy.md runs
 * them: one Redis key prefix and one fresh PostgreSQL database for every process of the file,
 * the sockets the file opened, and the clean-up of all of it.
 */
export interface ProcessCluster {
  readonly processes: GatewayProcesses;
  /** `REDIS_URL`, `DATABASE_URL` and `AGENTWIRE_REDIS_PREFIX`: spread into each process's env. */
  readonly env: Readonly<Record<string, string>>;
  /** A socket of `userId` on `gateway`, closed by `dispose`. */
  connect(gateway: GatewayProcess, userId: string, query?: Record<string, string | number>): Promise<TestClient>;
  dispose(): Promise<void>;
}

/** Fails (never skips) with instructions when Redis or PostgreSQL is missing. */
export async function startProcessCluster(): Promise<ProcessCluster> {
  const prefix = uniquePrefix();
  const probe = await requireRedisBus({ prefix });
  await probe.close();
  const processes = await GatewayProcesses.build();
  let database: TestDatabase | undefined;
  try {
    database = await createTestDatabase();
  } catch (error) {
    await processes.dispose();
    throw error;
  }
  const clients: TestClient[] = [];
  return {
    processes,
    env: { REDIS_URL: TEST_REDIS_URL, DATABASE_URL: database.url, AGENTWIRE_REDIS_PREFIX: prefix },
    async connect(gateway, userId, query = {}) {
      const client = await TestClient.connect(gateway.wsUrl, { token: await testToken(userId), query });
      clients.push(client);
      return client;
    },
    async dispose() {
      await Promise.all(clients.map((client) => client.close()));
      await processes.dispose();
      await database?.drop();
      await purgeAndClose(await requireRedisBus({ prefix }));
    },
  };
}
