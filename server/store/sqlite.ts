/**
 * The default store: one SQLite file (better-sqlite3, WAL) in the data dir. Holds titles,
 * results, failures, overrides and the local job queue's table. Schema versions are kept in
 * PRAGMA user_version; each migration runs once, in a transaction.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { Title, TitleOrigin, TitleRecord } from '../catalog/title.js';
import type { DetectionResult } from '../detector/types.js';
import { EndcueError, type EndcueErrorCode } from '../errors.js';
import { type FingerprintCache, SqliteFingerprintCache } from '../fingerprint/cache.js';
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

export type SqliteDb = Database.Database;

/** Append only: never edit a shipped migration, add the next one. */
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE titles (
     id TEXT PRIMARY KEY,
     src TEXT NOT NULL,
     title TEXT,
     series TEXT,
     season INTEGER,
     episode INTEGER,
     origin TEXT NOT NULL CHECK (origin IN ('catalog', 'admin')),
     updated_at INTEGER NOT NULL
   );
   CREATE INDEX titles_series ON titles (series) WHERE series IS NOT NULL;
   CREATE TABLE results (
     title_id TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     model_version TEXT NOT NULL,
     result TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (title_id, fingerprint, model_version)
   );
   CREATE TABLE failures (
     title_id TEXT NOT NULL,
     fingerprint TEXT NOT NULL,
     error TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (title_id, fingerprint)
   );
   CREATE TABLE overrides (
     title_id TEXT PRIMARY KEY,
     credits_start REAL,
     credits_end REAL,
     duration REAL,
     note TEXT,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE jobs (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     title_id TEXT NOT NULL,
     state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
     force INTEGER NOT NULL DEFAULT 0,
     attempts INTEGER NOT NULL DEFAULT 0,
     progress REAL NOT NULL DEFAULT 0,
     phase TEXT,
     error TEXT,
     run_after INTEGER NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     started_at INTEGER,
     finished_at INTEGER
   );
   -- single-flight in the database too: one active job per title
   CREATE UNIQUE INDEX jobs_active_title ON jobs (title_id) WHERE state IN ('queued', 'running');
   CREATE INDEX jobs_pending ON jobs (state, run_after, id);`,
  // v2: who runs a 'running' job (queue instance, host, pid) and when it last said so, so
  // that a second process on the same data dir (`endcue scan` beside `endcue serve`)
  // re-queues only jobs whose owner died or went silent. Old rows keep NULLs = no owner.
  `ALTER TABLE jobs ADD COLUMN owner_id TEXT;
   ALTER TABLE jobs ADD COLUMN owner_host TEXT;
   ALTER TABLE jobs ADD COLUMN owner_pid INTEGER;
   ALTER TABLE jobs ADD COLUMN heartbeat_at INTEGER;`,
  // v3: an override can name the scene after the credits (issue 21).
  `ALTER TABLE overrides ADD COLUMN post_start REAL;
   ALTER TABLE overrides ADD COLUMN post_end REAL;`,
  // v4: series (issue 22): each title's intro as its season's analysis found it, and the
  // episodes' audio fingerprints (the table SqliteFingerprintCache also creates if missing).
  `CREATE TABLE intros (
     title_id TEXT PRIMARY KEY,
     fingerprint TEXT NOT NULL,
     season_key TEXT NOT NULL,
     intro TEXT,
     reason TEXT,
     closing TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE IF NOT EXISTS audio_fingerprints (
     source TEXT PRIMARY KEY,
     media_fingerprint TEXT NOT NULL,
     params TEXT NOT NULL,
     data BLOB NOT NULL,
     created_at INTEGER NOT NULL
   );`,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Opens (creating) `<dataDir>/endcue.db` or a given file; ':memory:' for tests. */
export function openDatabase(location: string): SqliteDb {
  let file = location;
  if (location !== ':memory:' && !location.endsWith('.db')) {
    mkdirSync(location, { recursive: true });
    file = path.join(location, 'endcue.db');
  }
  let db: SqliteDb;
  try {
    db = new Database(file);
  } catch (cause) {
    throw new EndcueError('internal', `Cannot open the database ${file}`, {
      hint: 'Check that ENDCUE_DATA_DIR is writable.',
      cause,
      retryable: false,
    });
  }
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('busy_timeout = 5000');
  migrate(db);
  return db;
}

export function migrate(db: SqliteDb): number {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new EndcueError(
      'internal',
      `Database schema v${current} is newer than this EndCue (v${MIGRATIONS.length})`,
      { hint: 'Upgrade EndCue or use another ENDCUE_DATA_DIR.', retryable: false },
    );
  }
  for (let version = current; version < MIGRATIONS.length; version++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[version] as string);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
  return MIGRATIONS.length;
}

export class SqliteCreditsStore implements CreditsStore {
  readonly db: SqliteDb;
  private readonly ownsDb: boolean;
  private readonly stmt;
  private writes = 0;
  /** SQLite's data_version when last looked: it moves when another connection commits. */
  private seenDataVersion: unknown;

  /** Pass a path (data dir, .db file or ':memory:') or an open database to share. */
  constructor(location: string | SqliteDb) {
    this.ownsDb = typeof location === 'string';
    this.db = typeof location === 'string' ? openDatabase(location) : location;
    const db = this.db;
    this.stmt = {
      getTitle: db.prepare<[string], TitleRow>('SELECT * FROM titles WHERE id = ?'),
      listTitles: db.prepare<[], TitleRow>('SELECT * FROM titles ORDER BY id'),
      seriesTitles: db.prepare<[string], TitleRow>('SELECT * FROM titles WHERE series = ?'),
      putTitle: db.prepare(
        `INSERT INTO titles (id, src, title, series, season, episode, origin, updated_at)
         VALUES (@id, @src, @title, @series, @season, @episode, @origin, @updatedAt)
         ON CONFLICT (id) DO UPDATE SET src = excluded.src, title = excluded.title,
           series = excluded.series, season = excluded.season, episode = excluded.episode,
           origin = excluded.origin, updated_at = excluded.updated_at`,
      ),
      deleteTitle: db.prepare<[string]>('DELETE FROM titles WHERE id = ?'),
      getResultExact: db.prepare<
        [string, string, string],
        { result: string; created_at: number; model_version: string }
      >(
        'SELECT result, created_at, model_version FROM results WHERE title_id = ? AND fingerprint = ? AND model_version = ?',
      ),
      getResultNewest: db.prepare<
        [string, string],
        { result: string; created_at: number; model_version: string }
      >(
        `SELECT result, created_at, model_version FROM results WHERE title_id = ? AND fingerprint = ?
         ORDER BY created_at DESC, rowid DESC LIMIT 1`,
      ),
      putResult: db.prepare(
        `INSERT OR REPLACE INTO results (title_id, fingerprint, model_version, result, created_at)
         VALUES (?, ?, ?, ?, ?)`,
      ),
      // Results for other media of the same title can never be served again.
      pruneResults: db.prepare<[string, string]>(
        'DELETE FROM results WHERE title_id = ? AND fingerprint <> ?',
      ),
      getFailure: db.prepare<[string, string], { error: string; created_at: number }>(
        'SELECT error, created_at FROM failures WHERE title_id = ? AND fingerprint = ?',
      ),
      putFailure: db.prepare(
        'INSERT OR REPLACE INTO failures (title_id, fingerprint, error, created_at) VALUES (?, ?, ?, ?)',
      ),
      clearFailures: db.prepare<[string]>('DELETE FROM failures WHERE title_id = ?'),
      getOverride: db.prepare<[string], OverrideRow>('SELECT * FROM overrides WHERE title_id = ?'),
      putOverride: db.prepare(
        `INSERT OR REPLACE INTO overrides
           (title_id, credits_start, credits_end, duration, note, updated_at, post_start, post_end)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      deleteOverride: db.prepare<[string]>('DELETE FROM overrides WHERE title_id = ?'),
      getIntro: db.prepare<[string], IntroRow>('SELECT * FROM intros WHERE title_id = ?'),
      putIntro: db.prepare(
        `INSERT OR REPLACE INTO intros
           (title_id, fingerprint, season_key, intro, reason, closing, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ),
      ping: db.prepare('SELECT 1'),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
    };
  }

  generation(): number {
    // Writes by other processes on the same file (`endcue scan` beside `endcue serve`) count
    // too, so memoised answers never outlive them. A pragma read costs about a microsecond.
    const version = this.stmt.dataVersion.get();
    if (version !== this.seenDataVersion) {
      this.seenDataVersion = version;
      this.writes++;
    }
    return this.writes;
  }

  async getTitle(id: string): Promise<TitleRecord | undefined> {
    const row = this.stmt.getTitle.get(id);
    return row ? titleFromRow(row) : undefined;
  }

  async listTitles(): Promise<TitleRecord[]> {
    return this.stmt.listTitles.all().map(titleFromRow);
  }

  async titleSummaries(seriesId?: string): Promise<TitleSummary[]> {
    const sql = summaryQueries(seriesId !== undefined, '?');
    const args = seriesId === undefined ? [] : [seriesId];
    return this.db.transaction(() =>
      assembleSummaries({
        titles: this.db.prepare<unknown[], TitleRow>(sql.titles).all(...args),
        results: this.db
          .prepare<unknown[], SummaryRows['results'][number]>(sql.results)
          .all(...args),
        failures: this.db
          .prepare<unknown[], SummaryRows['failures'][number]>(sql.failures)
          .all(...args),
        overrides: this.db
          .prepare<unknown[], SummaryRows['overrides'][number]>(sql.overrides)
          .all(...args),
        intros: this.db.prepare<unknown[], IntroRow>(sql.intros).all(...args),
      }),
    )();
  }

  async seriesTitles(seriesId: string): Promise<Title[]> {
    return this.stmt.seriesTitles.all(seriesId).map(titleFromRow);
  }

  private putTitleSync(title: Title, origin: TitleOrigin): TitleRecord {
    this.writes++;
    const record: TitleRecord = { ...title, origin, updatedAt: Date.now() };
    this.stmt.putTitle.run({
      id: title.id,
      src: title.src,
      title: title.title ?? null,
      series: title.series ?? null,
      season: title.season ?? null,
      episode: title.episode ?? null,
      origin,
      updatedAt: record.updatedAt,
    });
    return record;
  }

  async putTitle(title: Title, origin: TitleOrigin): Promise<TitleRecord> {
    return this.putTitleSync(title, origin);
  }

  async deleteTitle(id: string): Promise<boolean> {
    this.writes++;
    return this.stmt.deleteTitle.run(id).changes > 0;
  }

  async syncCatalog(titles: readonly Title[]): Promise<CatalogChange> {
    this.writes++;
    return this.db.transaction((): CatalogChange => {
      const change = { added: 0, updated: 0, removed: 0 };
      const existing = new Map(
        this.stmt.listTitles.all().map((row) => [row.id, titleFromRow(row)]),
      );
      const wanted = new Set<string>();
      for (const title of titles) {
        wanted.add(title.id);
        const before = existing.get(title.id);
        if (before?.origin === 'admin') continue; // the admin API's word wins
        if (before && sameTitle(before, title)) continue;
        this.putTitleSync(title, 'catalog');
        if (before) change.updated++;
        else change.added++;
      }
      for (const [id, before] of existing) {
        if (before.origin === 'catalog' && !wanted.has(id)) {
          this.stmt.deleteTitle.run(id);
          change.removed++;
        }
      }
      return change;
    })();
  }

  async getResult(
    titleId: string,
    fingerprint: string,
    modelVersion?: string,
  ): Promise<StoredResult | undefined> {
    const row =
      modelVersion === undefined
        ? this.stmt.getResultNewest.get(titleId, fingerprint)
        : this.stmt.getResultExact.get(titleId, fingerprint, modelVersion);
    if (!row) return undefined;
    return {
      titleId,
      fingerprint,
      modelVersion: row.model_version,
      result: JSON.parse(row.result) as DetectionResult,
      createdAt: row.created_at,
    };
  }

  async putResult(stored: StoredResult): Promise<void> {
    this.writes++;
    this.db.transaction(() => {
      this.stmt.putResult.run(
        stored.titleId,
        stored.fingerprint,
        stored.modelVersion,
        JSON.stringify(stored.result),
        stored.createdAt,
      );
      this.stmt.pruneResults.run(stored.titleId, stored.fingerprint);
      this.stmt.clearFailures.run(stored.titleId);
    })();
  }

  async getFailure(titleId: string, fingerprint: string): Promise<StoredFailure | undefined> {
    const row = this.stmt.getFailure.get(titleId, fingerprint);
    if (!row) return undefined;
    return {
      titleId,
      fingerprint,
      error: JSON.parse(row.error) as StoredError,
      createdAt: row.created_at,
    };
  }

  async putFailure(failure: StoredFailure): Promise<void> {
    this.writes++;
    this.stmt.putFailure.run(
      failure.titleId,
      failure.fingerprint,
      JSON.stringify(failure.error),
      failure.createdAt,
    );
  }

  async clearFailures(titleId: string): Promise<void> {
    this.writes++;
    this.stmt.clearFailures.run(titleId);
  }

  async clearFailuresWithCodes(codes: readonly EndcueErrorCode[]): Promise<number> {
    if (codes.length === 0) return 0;
    this.writes++;
    const marks = codes.map(() => '?').join(', ');
    return this.db
      .prepare(`DELETE FROM failures WHERE json_extract(error, '$.code') IN (${marks})`)
      .run(...codes).changes;
  }

  async getOverride(titleId: string): Promise<ManualOverride | undefined> {
    const row = this.stmt.getOverride.get(titleId);
    return row ? overrideFromRow(titleId, row) : undefined;
  }

  async putOverride(titleId: string, input: OverrideInput): Promise<ManualOverride> {
    this.writes++;
    const override: ManualOverride = { titleId, ...input, updatedAt: Date.now() };
    this.stmt.putOverride.run(...overrideValues(titleId, input, override.updatedAt));
    return override;
  }

  async deleteOverride(titleId: string): Promise<boolean> {
    this.writes++;
    return this.stmt.deleteOverride.run(titleId).changes > 0;
  }

  async getIntro(titleId: string): Promise<StoredIntro | undefined> {
    const row = this.stmt.getIntro.get(titleId);
    return row ? introFromRow(row) : undefined;
  }

  async putIntros(intros: readonly StoredIntro[]): Promise<void> {
    this.writes++;
    this.db.transaction(() => {
      for (const stored of intros) this.stmt.putIntro.run(...introValues(stored));
    })();
  }

  private fingerprints: FingerprintCache | undefined;

  fingerprintCache(): FingerprintCache {
    this.fingerprints ??= new SqliteFingerprintCache(this.db);
    return this.fingerprints;
  }

  async ping(): Promise<void> {
    this.stmt.ping.get();
  }

  async close(): Promise<void> {
    if (this.ownsDb && this.db.open) this.db.close();
  }
}
