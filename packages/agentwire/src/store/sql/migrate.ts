import { type Kysely, Migrator } from 'kysely';
import { migrationsFor, type SqlEngine } from './migrations.js';
import type { StoreDatabase } from './schema.js';

/** Brings the schema to the latest migration; rejects with the failing migration's error. */
export async function migrateToLatest(db: Kysely<StoreDatabase>, engine: SqlEngine, schema?: string): Promise<void> {
  const migrator = new Migrator({ db, provider: migrationsFor(engine), ...(schema ? { migrationTableSchema: schema } : {}) });
  const { error, results } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    const detail = error instanceof Error ? error.message : String(error);
    throw new Error(failed ? `migration ${failed} failed: ${detail}` : `migrations failed: ${detail}`, { cause: error });
  }
}
