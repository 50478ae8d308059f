/**
 * The PostgreSQL store against a real server: DATABASE_URL (or ENDCUE_TEST_DATABASE_URL).
 * .ci/run starts one on loopback; without it these tests are skipped with a message.
 * Each test works in its own schema, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it, onTestFinished } from 'vitest';
import {
  migratePostgres,
  PG_SCHEMA_VERSION,
  PostgresCreditsStore,
} from '../../../server/store/postgres.js';
import { describeStoreContract } from './contract.js';

const url = process.env.ENDCUE_TEST_DATABASE_URL || process.env.DATABASE_URL;
if (!url) {
  console.warn(
    'tests/server/store/postgres.test.ts: skipped, DATABASE_URL is not set (.ci/run sets it; see .ci/services.sh)',
  );
}

const schemas: string[] = [];
function freshSchema(): string {
  const schema = `endcue_test_${randomBytes(6).toString('hex')}`;
  schemas.push(schema);
  return schema;
}

afterAll(async () => {
  if (!url || schemas.length === 0) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await client.end();
});

describeStoreContract(
  'PostgreSQL',
  {
    async open() {
      const schema = freshSchema();
      const connectionString = url as string;
      const store = new PostgresCreditsStore({ connectionString, schema });
      onTestFinished(() => store.close());
      return {
        store,
        reopen: async () => new PostgresCreditsStore({ connectionString, schema }),
      };
    },
  },
  !url,
);

describe.skipIf(!url)('PostgresCreditsStore', () => {
  it('migrates once even when several processes start together', async () => {
    const schema = freshSchema();
    const stores = [1, 2, 3].map(
      () => new PostgresCreditsStore({ connectionString: url as string, schema }),
    );
    await Promise.all(stores.map((store) => store.open()));
    const [first] = stores as [PostgresCreditsStore];
    const { rows } = await first.pool.query<{ version: number }>(
      'SELECT version FROM endcue_schema ORDER BY version',
    );
    expect(rows.map((row) => row.version)).toEqual(
      Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1),
    );
    expect(await migratePostgres(first.pool)).toBe(PG_SCHEMA_VERSION); // idempotent
    await Promise.all(stores.map((store) => store.close()));
  });

  it('refuses a database from a newer EndCue', async () => {
    const schema = freshSchema();
    const store = new PostgresCreditsStore({ connectionString: url as string, schema });
    await store.open();
    await store.pool.query('INSERT INTO endcue_schema (version, applied_at) VALUES ($1, 0)', [
      PG_SCHEMA_VERSION + 1,
    ]);
    await expect(migratePostgres(store.pool)).rejects.toThrow(/newer/);
    await store.close();
  });

  it('says which setting to check when the server cannot be reached', async () => {
    const store = new PostgresCreditsStore({
      connectionString: 'postgres://nobody@127.0.0.1:1/none',
    });
    await expect(store.ping()).rejects.toMatchObject({
      message: expect.stringMatching(/ECONNREFUSED/),
      hint: expect.stringMatching(/DATABASE_URL/),
    });
    await store.close();
  });
});
