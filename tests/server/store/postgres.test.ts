/**
 * The PostgreSQL store against a real server: DATABASE_URL (or ENDCUE_TEST_DATABASE_URL).
 * .ci/run starts one on loopback; without it these tests are skipped with a message.
 * Each test works in its own schema, dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, describe, expect, it, onTestFinished, vi } from 'vitest';
import {
  migratePostgres,
  PG_MIGRATIONS,
  PG_SCHEMA_VERSION,
  PostgresCreditsStore,
} from '../../../server/store/postgres.js';
import { describeStoreContract, detection } from './contract.js';

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

  it('upgrades a v2 database (before series) keeping its titles and results', async () => {
    const schema = freshSchema();
    const client = new pg.Client({ connectionString: url as string });
    await client.connect();
    await client.query(`CREATE SCHEMA ${schema}; SET search_path = ${schema}`);
    await client.query(
      'CREATE TABLE endcue_schema (version INTEGER NOT NULL, applied_at BIGINT NOT NULL)',
    );
    for (const [i, migration] of PG_MIGRATIONS.slice(0, 2).entries()) {
      await client.query(migration);
      await client.query('INSERT INTO endcue_schema VALUES ($1, 0)', [i + 1]);
    }
    await client.query(`INSERT INTO titles VALUES ('a', 'a.mp4', NULL, 'show', 1, 2, 'catalog', 1);
      INSERT INTO results VALUES ('a', 'fp', 'm1', '{"creditsStart":90}', 2)`);
    await client.end();
    const store = new PostgresCreditsStore({ connectionString: url as string, schema });
    expect(await migratePostgres(store.pool)).toBe(PG_SCHEMA_VERSION);
    expect(await store.getTitle('a')).toMatchObject({ series: 'show', season: 1, episode: 2 });
    expect((await store.getResult('a', 'fp', 'm1'))?.result).toEqual({ creditsStart: 90 });
    expect(await store.getIntro('a')).toBeUndefined();
    await store.close();
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

describe.skipIf(!url)('PostgresCreditsStore read memo (several processes on one database)', () => {
  /** Two stores on one schema, as two server processes would be; `reader` runs on a test clock. */
  async function twoProcesses(readCacheMs = 1000) {
    const schema = freshSchema();
    const clock = { now: 0 };
    const writer = new PostgresCreditsStore({ connectionString: url as string, schema });
    const reader = new PostgresCreditsStore({
      connectionString: url as string,
      schema,
      readCacheMs,
      now: () => clock.now,
    });
    onTestFinished(async () => {
      await reader.close();
      await writer.close();
    });
    await writer.open();
    await reader.open();
    const queries = vi.spyOn(reader.pool, 'query');
    return { writer, reader, clock, queries: () => queries.mock.calls.length };
  }

  it("answers repeated reads without querying, and sees another process's write within readCacheMs", async () => {
    const { writer, reader, clock, queries } = await twoProcesses(1000);
    await writer.putTitle({ id: 'a', src: 'a.mp4', series: 's' }, 'admin');
    // What one credits lookup reads: title, override, result, the series.
    const lookup = () =>
      Promise.all([
        reader.getTitle('a'),
        reader.getOverride('a'),
        reader.getResult('a', 'f1', 'm1'),
        reader.seriesTitles('s'),
      ]);
    expect((await lookup())[0]?.src).toBe('a.mp4');
    expect(queries()).toBe(4);
    for (let i = 0; i < 10; i++) await lookup();
    expect(queries()).toBe(4);

    await writer.putTitle({ id: 'a', src: 'b.mp4', series: 's' }, 'admin');
    await writer.putResult({
      titleId: 'a',
      fingerprint: 'f1',
      modelVersion: 'm1',
      result: detection(70),
      createdAt: 1,
    });
    clock.now = 999; // within the bound the memo may still answer: it does, without a query
    const [stale] = await lookup();
    expect(stale?.src).toBe('a.mp4');
    expect(queries()).toBe(4);
    clock.now = 1000; // the bound: the other process's writes are seen
    const [title, , result] = await lookup();
    expect(title?.src).toBe('b.mp4');
    expect(result?.result.creditsStart).toBe(70);
    expect(queries()).toBe(8);
  });

  it('sees its own writes at once, including reads sent while the write ran', async () => {
    const { reader, queries } = await twoProcesses(60_000);
    await reader.putTitle({ id: 'a', src: 'a.mp4' }, 'admin');
    expect((await reader.getTitle('a'))?.src).toBe('a.mp4');
    const writing = reader.putTitle({ id: 'a', src: 'b.mp4' }, 'admin');
    const during = reader.getTitle('a'); // may see either; must not be kept
    await Promise.all([writing, during]);
    expect((await reader.getTitle('a'))?.src).toBe('b.mp4');
    await reader.putOverride('a', {
      creditsStart: 5,
      creditsEnd: null,
      duration: null,
      note: null,
    });
    expect((await reader.getOverride('a'))?.creditsStart).toBe(5);
    await reader.deleteOverride('a');
    expect(await reader.getOverride('a')).toBeUndefined();
    const before = queries();
    await reader.getOverride('a');
    expect(queries()).toBe(before);
  });

  it('queries every time with readCacheMs 0', async () => {
    const { writer, reader, queries } = await twoProcesses(0);
    await writer.putTitle({ id: 'a', src: 'a.mp4' }, 'admin');
    await reader.getTitle('a');
    await writer.putTitle({ id: 'a', src: 'b.mp4' }, 'admin');
    expect((await reader.getTitle('a'))?.src).toBe('b.mp4');
    expect(queries()).toBe(2);
  });
});
