/**
 * The production store (issue 8): the same CreditsStore on PostgreSQL, so several API
 * servers and workers share titles, results, failures and overrides. Chosen when
 * DATABASE_URL is set. Migrations are versioned in `endcue_schema` and run once, under an
 * advisory lock, so processes starting together do not race.
 *
 * Reads are memoised for `readCacheMs` (default 1 s) so the hot credits path does not query
 * on every ask; see ReadMemo for the staleness bound across processes.
 */
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import type { Title, TitleOrigin, TitleRecord } from '../catalog/title.js';
import { guarded, isPostgresOutage, type Outages, unavailable } from '../dependencies.js';
import type { DetectionResult } from '../detector/types.js';
import { EndcueError, type EndcueErrorCode, isUnavailable } from '../errors.js';
import {
  type FingerprintCache,
  type FingerprintKey,
  fingerprintParams,
} from '../fingerprint/cache.js';
import { decodeFingerprints, encodeFingerprints } from '../fingerprint/codec.js';
import type { EpisodeFingerprints } from '../fingerprint/types.js';
import { type IntroRow, introFromRow, introValues } from './intro-rows.js';
import { assembleSummaries, type SummaryRows, summaryQueries } from './summaries.js';
import {
  type OverrideRow,
  overrideFromRow,
  overrideValues,
  sameTitle,
  type TitleRow,
  titleFromRow,
} from './title-rows.js';
import type {
  CatalogChange,
  CreditsStore,
  ManualOverride,
  OverrideInput,
  StoredError,
  StoredFailure,
  StoredIntro,
  StoredResult,
  TitleSummary,
} from './types.js';

/** Append only: never edit a shipped migration, add the next one. */
export const PG_MIGRATIONS: readonly string[] = [
  `CREATE TABLE titles (
     id TEXT PRIMARY KEY,
     src TEXT NOT NULL,
     title TEXT,
     series TEXT,
     season INTEGER,
     episode INTEGER,
     origin TEXT NOT NULL CHECK (origin IN ('catalog', 'admin')),
     updated_at BIGINT NOT NULL
   );
   CREATE INDEX titles_series ON titles (series) WHERE series IS NOT NULL;
   CREATE TABLE results (
     title_id TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     model_version TEXT NOT NULL,
     result JSONB NOT NULL,
     created_at BIGINT NOT NULL,
     seq BIGSERIAL,
     PRIMARY KEY (title_id, fingerprint, model_version)
   );
   CREATE TABLE failures (
     title_id TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     error JSONB NOT NULL,
     created_at BIGINT NOT NULL,
     PRIMARY KEY (title_id, fingerprint)
   );
   CREATE TABLE overrides (
     title_id TEXT PRIMARY KEY,
     credits_start DOUBLE PRECISION,
     credits_end DOUBLE PRECISION,
     duration DOUBLE PRECISION,
     note TEXT,
     updated_at BIGINT NOT NULL
   );`,
  // v2: an override can name the scene after the credits (issue 21).
  `ALTER TABLE overrides ADD COLUMN post_start DOUBLE PRECISION,
     ADD COLUMN post_end DOUBLE PRECISION;`,
  // v3: series (issue 22): each title's intro as its season's analysis found it, and the
  // episodes' audio fingerprints (the same shape as SQLite's, fingerprint/cache.ts).
  `CREATE TABLE intros (
     title_id TEXT PRIMARY KEY,
     fingerprint TEXT NOT NULL,
     season_key TEXT NOT NULL,
     intro JSONB,
     reason TEXT,
     closing JSONB,
     created_at BIGINT NOT NULL
   );
   CREATE TABLE audio_fingerprints (
     source TEXT PRIMARY KEY,
     media_fingerprint TEXT NOT NULL,
     params TEXT NOT NULL,
     data BYTEA NOT NULL,
     created_at BIGINT NOT NULL
   );`,
];

export const PG_SCHEMA_VERSION = PG_MIGRATIONS.length;
/**
 * CREATE SCHEMA IF NOT EXISTS is not safe against itself: two processes starting together
 * can both pass the check, and the loser fails on the catalog's unique index. Losing that
 * race means the schema exists, which is all we wanted.
 */
async function createSchema(pool: pg.Pool, schema: string): Promise<void> {
  try {
    await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== '23505' && code !== '42P06') throw error;
  }
}

/** Arbitrary constant: the advisory lock that serialises migrations across processes. */
const MIGRATION_LOCK = 0x656e6463; // 'endc'

// BIGINT comes back as a string by default; our numbers are ms timestamps (< 2^53).
const types = {
  getTypeParser: (oid: number, format?: 'text' | 'binary') =>
    oid === 20 ? (value: string) => Number(value) : pg.types.getTypeParser(oid, format),
} as pg.CustomTypesConfig;

export async function migratePostgres(pool: pg.Pool): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await client.query(
      'CREATE TABLE IF NOT EXISTS endcue_schema (version INTEGER NOT NULL, applied_at BIGINT NOT NULL)',
    );
    const { rows } = await client.query<{ v: number | null }>(
      'SELECT MAX(version) AS v FROM endcue_schema',
    );
    const current = rows[0]?.v ?? 0;
    if (current > PG_MIGRATIONS.length) {
      throw new EndcueError(
        'internal',
        `Database schema v${current} is newer than this EndCue (v${PG_MIGRATIONS.length})`,
        { hint: 'Upgrade EndCue or point DATABASE_URL at another database.', retryable: false },
      );
    }
    for (let version = current; version < PG_MIGRATIONS.length; version++) {
      await client.query('BEGIN');
      try {
        await client.query(PG_MIGRATIONS[version] as string);
        await client.query('INSERT INTO endcue_schema (version, applied_at) VALUES ($1, $2)', [
          version + 1,
          Date.now(),
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK');
        throw error;
      }
    }
    return PG_MIGRATIONS.length;
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    client.release();
  }
}

type Queryable = Pick<pg.Pool | pg.PoolClient, 'query'>;

const memoKey = (...parts: (string | null)[]): string => JSON.stringify(parts);

const UPSERT_TITLE = `INSERT INTO titles (id, src, title, series, season, episode, origin, updated_at)
  VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
  ON CONFLICT (id) DO UPDATE SET src = excluded.src, title = excluded.title,
    series = excluded.series, season = excluded.season, episode = excluded.episode,
    origin = excluded.origin, updated_at = excluded.updated_at`;

async function upsertTitle(db: Queryable, title: Title, origin: TitleOrigin): Promise<TitleRecord> {
  const record: TitleRecord = { ...title, origin, updatedAt: Date.now() };
  await db.query(UPSERT_TITLE, [
    title.id,
    title.src,
    title.title ?? null,
    title.series ?? null,
    title.season ?? null,
    title.episode ?? null,
    origin,
    record.updatedAt,
  ]);
  return record;
}

/**
 * Short-lived memo of reads, safe beside other processes writing the same database: an
 * answer is kept for `ttlMs` from the moment its query was sent, so a write committed by
 * another process is seen by every read here at most `ttlMs` after its commit (the query
 * that produced a stale answer started before that commit). This process's own writes
 * clear the memo as they start and again once they are done, so a read sent during a
 * write is not kept either. Concurrent asks for the same key share one query; failed
 * queries are not kept.
 *
 * While the database is unreachable (storage-unavailable), the last answer read for a key
 * is served instead, so answers already known keep being served through an outage; a
 * write that succeeds drops those.
 */
export class ReadMemo {
  private readonly entries = new Map<string, { at: number; value: Promise<unknown> }>();
  private readonly last = new Map<string, unknown>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {}

  get<T>(key: string, read: () => Promise<T>): Promise<T> {
    if (this.ttlMs <= 0) return read();
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && now - hit.at < this.ttlMs) return hit.value as Promise<T>;
    const value = read().then(
      (answer) => {
        this.last.delete(key);
        this.last.set(key, answer);
        if (this.last.size > this.maxEntries) {
          const oldest = this.last.keys().next().value;
          if (oldest !== undefined) this.last.delete(oldest);
        }
        return answer;
      },
      (error: unknown) => {
        if (isUnavailable(error) && this.last.has(key)) return this.last.get(key) as T;
        throw error;
      },
    );
    const entry = { at: now, value };
    this.entries.delete(key); // re-inserted last: eviction drops the oldest first
    this.entries.set(key, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    value.catch(() => {
      if (this.entries.get(key) === entry) this.entries.delete(key);
    });
    return value;
  }

  /** `written`: a write succeeded, so answers kept for outages are dropped too. */
  clear(written = false): void {
    this.entries.clear();
    if (written) this.last.clear();
  }

  /** Drops what is kept about one title (keys made by memoKey(kind, titleId, ...)). */
  forget(titleId: string): void {
    const id = JSON.stringify(titleId);
    for (const key of this.entries.keys()) {
      const rest = key.slice(key.indexOf(',') + 1);
      if (rest.startsWith(id) && (rest[id.length] === ',' || rest[id.length] === ']')) {
        this.entries.delete(key);
      }
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

export interface PostgresStoreOptions {
  /** postgres://user:pass@host:port/db (DATABASE_URL). */
  connectionString: string;
  /** Pool size per process (default 10). */
  max?: number;
  /** Keep EndCue's tables in this schema (created if missing; default: the search_path). */
  schema?: string;
  /**
   * How long a read answer is reused (default 1000 ms; 0 = query every time). Bounds how
   * late this process sees another process's writes; its own writes are seen at once.
   */
  readCacheMs?: number;
  /** Clock for the read memo (tests); default performance.now(). */
  now?: () => number;
  /** Where outages are noted (one log line when one starts and ends). */
  outages?: Outages;
  /** Bounds on a new connection and on one query (defaults 1500 ms and 5000 ms). */
  connectTimeoutMs?: number;
  queryTimeoutMs?: number;
}

/** Default read memo lifetime: well under the player's polling interval (2 s). */
export const DEFAULT_PG_READ_CACHE_MS = 1000;

export class PostgresCreditsStore implements CreditsStore {
  readonly pool: pg.Pool;
  private readonly schema: string | undefined;
  private ready: Promise<unknown> | undefined;
  private readonly memo: ReadMemo;
  private readonly outages: Outages | undefined;

  constructor(options: PostgresStoreOptions) {
    if (options.schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.schema)) {
      throw new EndcueError('invalid-input', `Invalid PostgreSQL schema name ${options.schema}`, {
        hint: 'Use lower-case letters, digits and underscores.',
      });
    }
    this.schema = options.schema;
    this.outages = options.outages;
    this.memo = new ReadMemo(options.readCacheMs ?? DEFAULT_PG_READ_CACHE_MS, 10_000, options.now);
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      // Bounded waits: a database that is down or hung answers storage-unavailable in
      // seconds instead of holding requests (refused connections fail at once).
      connectionTimeoutMillis: options.connectTimeoutMs ?? 1500,
      query_timeout: options.queryTimeoutMs ?? 5000,
      keepAlive: true,
      types,
      ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    });
    // An idle client losing its connection must not crash the process; the next query retries.
    this.pool.on('error', () => {});
  }

  /** Connects and migrates; every method awaits it, so calling it first is optional. */
  open(): Promise<unknown> {
    this.ready ??= (async () => {
      if (this.schema) await createSchema(this.pool, this.schema);
      return migratePostgres(this.pool);
    })().catch((cause: unknown) => {
      this.ready = undefined;
      if (isPostgresOutage(cause)) throw unavailable('postgres', cause);
      throw new EndcueError(
        'internal',
        `Cannot open the PostgreSQL database: ${cause instanceof Error ? cause.message : String(cause)}`,
        { hint: 'Check DATABASE_URL and that the server is reachable.', cause },
      );
    });
    return this.ready;
  }

  /** Runs database work; an unreachable database becomes storage-unavailable. */
  private guard<T>(work: () => Promise<T>): Promise<T> {
    return guarded('postgres', this.outages, isPostgresOutage, work);
  }

  private q<R extends pg.QueryResultRow>(
    text: string,
    values: unknown[] = [],
  ): Promise<pg.QueryResult<R>> {
    return this.guard(async () => {
      await this.open();
      return this.pool.query<R>(text, values);
    });
  }

  /** A read, answered from the memo while fresh. Callers must not modify what it returns. */
  private cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    return this.memo.get(key, read);
  }

  /** A write: the memo is dropped before it starts and again once it has settled. */
  private async write<T>(work: () => Promise<T>): Promise<T> {
    this.memo.clear();
    try {
      const out = await work();
      this.memo.clear(true);
      return out;
    } finally {
      this.memo.clear();
    }
  }

  /** Runs `work` in one transaction on one connection. */
  private tx<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.guard(async () => {
      await this.open();
      const client = await this.pool.connect();
      let broken: unknown;
      try {
        await client.query('BEGIN');
        const out = await work(client);
        await client.query('COMMIT');
        return out;
      } catch (error) {
        broken = isPostgresOutage(error) ? error : undefined;
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      } finally {
        // A connection that failed mid-transaction is not given back to the pool.
        client.release(broken instanceof Error ? broken : undefined);
      }
    });
  }

  /** The next reads about this title ask the database (a job may have finished elsewhere). */
  forget(titleId: string): void {
    this.memo.forget(titleId);
  }

  getTitle(id: string): Promise<TitleRecord | undefined> {
    return this.cached(memoKey('title', id), async () => {
      const { rows } = await this.q<TitleRow>('SELECT * FROM titles WHERE id = $1', [id]);
      return rows[0] ? titleFromRow(rows[0]) : undefined;
    });
  }

  listTitles(): Promise<TitleRecord[]> {
    return this.cached(memoKey('titles'), async () => {
      const { rows } = await this.q<TitleRow>('SELECT * FROM titles ORDER BY id');
      return rows.map(titleFromRow);
    });
  }

  titleSummaries(seriesId?: string): Promise<TitleSummary[]> {
    return this.cached(memoKey('summaries', seriesId ?? null), async () => {
      const sql = summaryQueries(seriesId !== undefined, '$1');
      const args = seriesId === undefined ? [] : [seriesId];
      const [titles, results, failures, overrides, intros] = await Promise.all([
        this.q<TitleRow>(sql.titles, args),
        this.q<SummaryRows['results'][number]>(sql.results, args),
        this.q<SummaryRows['failures'][number]>(sql.failures, args),
        this.q<SummaryRows['overrides'][number]>(sql.overrides, args),
        this.q<IntroRow>(sql.intros, args),
      ]);
      return assembleSummaries({
        titles: titles.rows,
        results: results.rows,
        failures: failures.rows,
        overrides: overrides.rows,
        intros: intros.rows,
      });
    });
  }

  seriesTitles(seriesId: string): Promise<Title[]> {
    return this.cached(memoKey('series', seriesId), async () => {
      const { rows } = await this.q<TitleRow>('SELECT * FROM titles WHERE series = $1', [seriesId]);
      return rows.map(titleFromRow);
    });
  }

  putTitle(title: Title, origin: TitleOrigin): Promise<TitleRecord> {
    return this.write(() =>
      this.guard(async () => {
        await this.open();
        return upsertTitle(this.pool, title, origin);
      }),
    );
  }

  deleteTitle(id: string): Promise<boolean> {
    return this.write(async () => {
      const { rowCount } = await this.q('DELETE FROM titles WHERE id = $1', [id]);
      return (rowCount ?? 0) > 0;
    });
  }

  syncCatalog(titles: readonly Title[]): Promise<CatalogChange> {
    return this.write(async () => {
      return this.tx(async (client) => {
        // Serialise concurrent syncs (several servers watching the same catalog).
        await client.query('LOCK TABLE titles IN SHARE ROW EXCLUSIVE MODE');
        const change = { added: 0, updated: 0, removed: 0 };
        const { rows } = await client.query<TitleRow>('SELECT * FROM titles');
        const existing = new Map(rows.map((row) => [row.id, titleFromRow(row)]));
        const wanted = new Set<string>();
        for (const title of titles) {
          wanted.add(title.id);
          const before = existing.get(title.id);
          if (before?.origin === 'admin') continue; // the admin API's word wins
          if (before && sameTitle(before, title)) continue;
          await upsertTitle(client, title, 'catalog');
          if (before) change.updated++;
          else change.added++;
        }
        const gone = [...existing.values()]
          .filter((before) => before.origin === 'catalog' && !wanted.has(before.id))
          .map((before) => before.id);
        if (gone.length > 0) {
          await client.query('DELETE FROM titles WHERE id = ANY($1)', [gone]);
          change.removed = gone.length;
        }
        return change;
      });
    });
  }

  getResult(
    titleId: string,
    fingerprint: string,
    modelVersion?: string,
  ): Promise<StoredResult | undefined> {
    return this.cached(memoKey('result', titleId, fingerprint, modelVersion ?? null), async () => {
      const { rows } =
        modelVersion === undefined
          ? await this.q<{ result: DetectionResult; created_at: number; model_version: string }>(
              `SELECT result, created_at, model_version FROM results
             WHERE title_id = $1 AND fingerprint = $2 ORDER BY created_at DESC, seq DESC LIMIT 1`,
              [titleId, fingerprint],
            )
          : await this.q<{ result: DetectionResult; created_at: number; model_version: string }>(
              `SELECT result, created_at, model_version FROM results
             WHERE title_id = $1 AND fingerprint = $2 AND model_version = $3`,
              [titleId, fingerprint, modelVersion],
            );
      const row = rows[0];
      if (!row) return undefined;
      return {
        titleId,
        fingerprint,
        modelVersion: row.model_version,
        result: row.result,
        createdAt: row.created_at,
      };
    });
  }

  putResult(stored: StoredResult): Promise<void> {
    return this.write(async () => {
      await this.tx(async (client) => {
        await client.query(
          `INSERT INTO results (title_id, fingerprint, model_version, result, created_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (title_id, fingerprint, model_version) DO UPDATE
           SET result = excluded.result, created_at = excluded.created_at, seq = DEFAULT`,
          [
            stored.titleId,
            stored.fingerprint,
            stored.modelVersion,
            JSON.stringify(stored.result),
            stored.createdAt,
          ],
        );
        // Results for other media of the same title can never be served again.
        await client.query('DELETE FROM results WHERE title_id = $1 AND fingerprint <> $2', [
          stored.titleId,
          stored.fingerprint,
        ]);
        await client.query('DELETE FROM failures WHERE title_id = $1', [stored.titleId]);
      });
    });
  }

  getFailure(titleId: string, fingerprint: string): Promise<StoredFailure | undefined> {
    return this.cached(memoKey('failure', titleId, fingerprint), async () => {
      const { rows } = await this.q<{ error: StoredError; created_at: number }>(
        'SELECT error, created_at FROM failures WHERE title_id = $1 AND fingerprint = $2',
        [titleId, fingerprint],
      );
      const row = rows[0];
      return row
        ? { titleId, fingerprint, error: row.error, createdAt: row.created_at }
        : undefined;
    });
  }

  putFailure(failure: StoredFailure): Promise<void> {
    return this.write(async () => {
      await this.q(
        `INSERT INTO failures (title_id, fingerprint, error, created_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (title_id, fingerprint) DO UPDATE
         SET error = excluded.error, created_at = excluded.created_at`,
        [failure.titleId, failure.fingerprint, JSON.stringify(failure.error), failure.createdAt],
      );
    });
  }

  clearFailures(titleId: string): Promise<void> {
    return this.write(async () => {
      await this.q('DELETE FROM failures WHERE title_id = $1', [titleId]);
    });
  }

  clearFailuresWithCodes(codes: readonly EndcueErrorCode[]): Promise<number> {
    return this.write(async () => {
      if (codes.length === 0) return 0;
      const { rowCount } = await this.q(
        "DELETE FROM failures WHERE error->>'code' = ANY($1::text[])",
        [[...codes]],
      );
      return rowCount ?? 0;
    });
  }

  getOverride(titleId: string): Promise<ManualOverride | undefined> {
    return this.cached(memoKey('override', titleId), async () => {
      const { rows } = await this.q<OverrideRow>('SELECT * FROM overrides WHERE title_id = $1', [
        titleId,
      ]);
      const row = rows[0];
      return row ? overrideFromRow(titleId, row) : undefined;
    });
  }

  putOverride(titleId: string, input: OverrideInput): Promise<ManualOverride> {
    return this.write(async () => {
      const override: ManualOverride = { titleId, ...input, updatedAt: Date.now() };
      await this.q(
        `INSERT INTO overrides
         (title_id, credits_start, credits_end, duration, note, updated_at, post_start, post_end)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (title_id) DO UPDATE SET credits_start = excluded.credits_start,
         credits_end = excluded.credits_end, duration = excluded.duration, note = excluded.note,
         updated_at = excluded.updated_at, post_start = excluded.post_start,
         post_end = excluded.post_end`,
        overrideValues(titleId, input, override.updatedAt),
      );
      return override;
    });
  }

  deleteOverride(titleId: string): Promise<boolean> {
    return this.write(async () => {
      const { rowCount } = await this.q('DELETE FROM overrides WHERE title_id = $1', [titleId]);
      return (rowCount ?? 0) > 0;
    });
  }

  getIntro(titleId: string): Promise<StoredIntro | undefined> {
    return this.cached(memoKey('intro', titleId), async () => {
      const { rows } = await this.q<IntroRow>('SELECT * FROM intros WHERE title_id = $1', [
        titleId,
      ]);
      return rows[0] ? introFromRow(rows[0]) : undefined;
    });
  }

  putIntros(intros: readonly StoredIntro[]): Promise<void> {
    return this.write(async () => {
      await this.tx(async (client) => {
        for (const stored of intros) {
          await client.query(
            `INSERT INTO intros (title_id, fingerprint, season_key, intro, reason, closing, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (title_id) DO UPDATE SET fingerprint = excluded.fingerprint,
               season_key = excluded.season_key, intro = excluded.intro, reason = excluded.reason,
               closing = excluded.closing, created_at = excluded.created_at`,
            introValues(stored),
          );
        }
      });
    });
  }

  /** Fingerprints in the `audio_fingerprints` table; not memoised (read once per season job). */
  fingerprintCache(): FingerprintCache {
    return {
      get: async (key: FingerprintKey): Promise<EpisodeFingerprints | undefined> => {
        const { rows } = await this.q<{ media_fingerprint: string; params: string; data: Buffer }>(
          'SELECT media_fingerprint, params, data FROM audio_fingerprints WHERE source = $1',
          [key.source],
        );
        const row = rows[0];
        if (!row || row.media_fingerprint !== key.mediaFingerprint) return undefined;
        if (row.params !== fingerprintParams(key)) return undefined;
        return decodeFingerprints(row.data);
      },
      put: async (key: FingerprintKey, value: EpisodeFingerprints): Promise<void> => {
        await this.q(
          `INSERT INTO audio_fingerprints (source, media_fingerprint, params, data, created_at)
           VALUES ($1, $2, $3, $4, $5)
           ON CONFLICT (source) DO UPDATE SET media_fingerprint = excluded.media_fingerprint,
             params = excluded.params, data = excluded.data, created_at = excluded.created_at`,
          [
            key.source,
            key.mediaFingerprint,
            fingerprintParams(key),
            Buffer.from(encodeFingerprints(value)),
            Date.now(),
          ],
        );
      },
    };
  }

  async ping(): Promise<void> {
    await this.q('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end().catch(() => {});
  }
}
