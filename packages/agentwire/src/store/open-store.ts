import { createMemoryStore } from './memory-store.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';
import type { NoteLimits, Store } from './types.js';

export type StoreConfig = (
  | { readonly engine: 'memory' }
  | { readonly engine: 'sqlite'; readonly dataDir: string }
  | { readonly engine: 'postgres'; readonly url: string; readonly schema?: string }
) & { readonly noteLimits?: Partial<NoteLimits> };

/** Opens the configured engine (migrations applied); see each engine for its failures. */
export function openStore(config: StoreConfig): Promise<Store> {
  const limits = config.noteLimits ? { noteLimits: config.noteLimits } : {};
  switch (config.engine) {
    case 'memory':
      return Promise.resolve(createMemoryStore(limits));
    case 'sqlite':
      return openSqliteStore({ dataDir: config.dataDir, ...limits });
    case 'postgres':
      return openPostgresStore({ connectionString: config.url, ...limits, ...(config.schema !== undefined ? { schema: config.schema } : {}) });
  }
}
