import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createMemoryStore } from '../../../src/store/memory-store.js';
import { openPostgresStore } from '../../../src/store/postgres-store.js';
import { openSqliteStore } from '../../../src/store/sqlite-store.js';
import type { NoteLimits, Store } from '../../../src/store/types.js';
import { createTestDatabase, type TestDatabase } from './postgres.js';

export interface OpenOptions {
  readonly noteLimits?: Partial<NoteLimits>;
}

/** One engine under test: fresh, empty stores, and (SQL engines) the same data opened again. */
export interface StoreHarness {
  readonly name: string;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  /** A store over empty data; `reopen` opens another store over the same data (undefined for memory). */
  open(options?: OpenOptions): Promise<{ store: Store; reopen: (() => Promise<Store>) | undefined }>;
}

export const memoryHarness: StoreHarness = {
  name: 'memory',
  setup: () => Promise.resolve(),
  teardown: () => Promise.resolve(),
  open: (options = {}) => Promise.resolve({ store: createMemoryStore(options), reopen: undefined }),
};

/** A temp directory per run, a data directory per store under it. */
export function sqliteHarness(): StoreHarness {
  let root = '';
  let count = 0;
  return {
    name: 'sqlite',
    setup: async () => {
      root = await mkdtemp(join(tmpdir(), 'aw-store-'));
    },
    teardown: () => rm(root, { recursive: true, force: true }),
    open: async (options = {}) => {
      const dataDir = join(root, `data-${count++}`);
      const reopen = (): Promise<Store> => openSqliteStore({ dataDir, ...options });
      return { store: await reopen(), reopen };
    },
  };
}

/** A fresh database per run, a schema per store in it (so each test also runs the migrations). */
export function postgresHarness(): StoreHarness {
  let database: TestDatabase | undefined;
  let unavailable: unknown;
  return {
    name: 'postgres',
    // Kept, not thrown: a failing beforeAll would mark the tests skipped; each test fails with it instead.
    setup: async () => {
      database = await createTestDatabase().catch((error: unknown) => {
        unavailable = error;
        return undefined;
      });
    },
    teardown: async () => {
      await database?.drop();
    },
    open: async (options = {}) => {
      if (!database) throw unavailable instanceof Error ? unavailable : new Error('the PostgreSQL test database was not created');
      const url = database.url;
      const schema = `s_${randomBytes(5).toString('hex')}`;
      const reopen = (): Promise<Store> => openPostgresStore({ connectionString: url, schema, ...options });
      return { store: await reopen(), reopen };
    },
  };
}
