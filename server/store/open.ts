/**
 * Picks the store from the config: PostgreSQL when DATABASE_URL is set (production mode,
 * shared by every server and worker), else the zero-config SQLite file in the data dir.
 */
import type { ServerConfig } from '../config.js';
import type { Outages } from '../dependencies.js';
import { PostgresCreditsStore } from './postgres.js';
import { SqliteCreditsStore } from './sqlite.js';
import type { CreditsStore } from './types.js';

export async function openStore(
  config: Pick<ServerConfig, 'databaseUrl' | 'dataDir'> &
    Partial<Pick<ServerConfig, 'dbReadCacheMs'>>,
  /** PostgreSQL: where its outages are noted and logged. */
  outages?: Outages,
): Promise<CreditsStore> {
  if (!config.databaseUrl) return new SqliteCreditsStore(config.dataDir);
  const store = new PostgresCreditsStore({
    connectionString: config.databaseUrl,
    ...(outages ? { outages } : {}),
    ...(config.dbReadCacheMs !== undefined ? { readCacheMs: config.dbReadCacheMs } : {}),
  });
  try {
    await store.open(); // fail at start, with the hint, rather than on the first request
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
