import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The shared PostgreSQL of the test machines: DATABASE_URL names the admin connection
 * (default: the local server, trust auth). Tests never skip without it: they fail and say how
 * to start it.
 */
export const ADMIN_DATABASE_URL = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  drop(): Promise<void>;
}

/** A fresh database (`agentwire_test_<random>`) on the admin server, dropped by `drop()`. */
export async function createTestDatabase(adminUrl = ADMIN_DATABASE_URL): Promise<TestDatabase> {
  const name = `agentwire_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (admin) => admin.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    // FORCE: a store left open by a failed test must not keep the database alive.
    drop: () => withAdmin(adminUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)).then(() => undefined),
  };
}

async function withAdmin<T>(adminUrl: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 5000 });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (error) {
    const where = new URL(adminUrl).host;
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(
      `PostgreSQL is required at ${where} for the store suite: start it with ` +
        '`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` (or run `node scripts/test-setup.mjs`), ' +
        `or point DATABASE_URL at a server where the user may create databases. Cause: ${detail}`,
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}
