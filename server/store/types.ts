/**
 * Storage behind the API: titles, detection results, failures and manual overrides.
 * Async so a networked store (Postgres, issue 8) or an edge KV can implement it; the
 * default is SQLite (sqlite.ts). Web-standard types only: the edge read path uses it.
 */
import type { Title, TitleOrigin, TitleRecord } from '../catalog/title.js';
import type { DetectionResult, Segment } from '../detector/types.js';
import type { EndcueErrorCode } from '../errors.js';
import type { FingerprintCache } from '../fingerprint/cache.js';
import type { Intro, IntroReason } from '../series/intro.js';

/** EndcueError.toJSON(), as stored and returned by the API. */
export interface StoredError {
  code: EndcueErrorCode;
  message: string;
  hint?: string;
  retryable: boolean;
}

/** A result is valid only for the exact media (fingerprint) and model that produced it. */
export interface ResultKey {
  titleId: string;
  fingerprint: string;
  modelVersion: string;
}

export interface StoredResult extends ResultKey {
  result: DetectionResult;
  createdAt: number;
}

export interface StoredFailure {
  titleId: string;
  fingerprint: string;
  error: StoredError;
  createdAt: number;
}

/** An operator's answer; wins over detection and is never touched by re-analysis. */
export interface ManualOverride {
  titleId: string;
  creditsStart: number | null;
  creditsEnd: number | null;
  duration: number | null;
  note: string | null;
  /** A scene after the credits (to watch, not skip); absent or null: none. */
  postCredits?: { start: number; end: number } | null;
  updatedAt: number;
}

export type OverrideInput = Omit<ManualOverride, 'titleId' | 'updatedAt'>;

/**
 * A title's intro as its season's analysis found it (issue 22). Valid while the title has the
 * same media and its season the same members: a new, removed or moved episode changes
 * `seasonKey` (server/series/season-key.ts) and the season is analysed again.
 */
export interface StoredIntro {
  titleId: string;
  /** The title's media fingerprint when its season was analysed. */
  fingerprint: string;
  seasonKey: string;
  intro: Intro | null;
  /** Why there is none; null with an intro. */
  reason: IntroReason | null;
  /** The end music it shares with its siblings (evidence for its closing credits), if any. */
  closing?: Intro | null;
  /**
   * The detector re-run with the credits bounded by that music (series/closing.ts
   * musicBound), when the title's own start lay before it; absent when none was run.
   */
  bounded?: BoundedCredits | null;
  /** That re-run failed on this media (not tried again for the same result and bound). */
  boundedFailure?: BoundedFailure | null;
  createdAt: number;
}

/** A detection re-run bounded by the shared end music, and the result it was re-run for. */
export interface BoundedCredits {
  /** The single-title result it replaces while that result is the stored one. */
  from: { creditsStart: number | null; modelVersion: string };
  /**
   * The notBefore it ran with (musicBound of `from` and the end music). Absent in rows stored
   * before it was kept: those ran with the bound of the music stored beside them.
   */
  bound?: number;
  /** The re-run's answer (the answer takes it when it lies inside the music: boundedCredits). */
  creditsStart: number | null;
  creditsEnd: number | null;
  segments: Segment[];
  confidence: number;
}

/**
 * A bounded re-run that failed on the media itself: later season jobs do not try the same
 * result and bound again (a forced one does); the answer keeps the detected start.
 */
export interface BoundedFailure {
  from: BoundedCredits['from'];
  bound: number;
  error: StoredError;
  createdAt: number;
}

/** A title with what is stored about it, for lists (GET /v1/titles). */
export interface TitleSummary {
  title: TitleRecord;
  /** The newest result, for whatever media fingerprint and model. */
  result?: StoredResult;
  /** The newest failure, for whatever media fingerprint. */
  failure?: StoredFailure;
  override?: ManualOverride;
  /** Its intro row from its season's last job, whatever members and media that was for. */
  intro?: StoredIntro;
}

export interface CatalogChange {
  added: number;
  updated: number;
  removed: number;
}

export interface CreditsStore {
  getTitle(id: string): Promise<TitleRecord | undefined>;
  listTitles(): Promise<TitleRecord[]>;
  /** Titles of one series, any order. */
  seriesTitles(seriesId: string): Promise<Title[]>;
  /** Every title (or one series'), by id, with its newest result, failure and override. */
  titleSummaries(seriesId?: string): Promise<TitleSummary[]>;
  putTitle(title: Title, origin: TitleOrigin): Promise<TitleRecord>;
  deleteTitle(id: string): Promise<boolean>;
  /** Makes the catalog-origin titles equal `titles` (admin-registered titles are kept). */
  syncCatalog(titles: readonly Title[]): Promise<CatalogChange>;

  /** Exact key match; `modelVersion` undefined = the newest result for that media. */
  getResult(
    titleId: string,
    fingerprint: string,
    modelVersion?: string,
  ): Promise<StoredResult | undefined>;
  putResult(result: StoredResult): Promise<void>;

  getFailure(titleId: string, fingerprint: string): Promise<StoredFailure | undefined>;
  putFailure(failure: StoredFailure): Promise<void>;
  clearFailures(titleId: string): Promise<void>;
  /**
   * Drops every failure whose code is in `codes` (all titles); returns how many. Used at
   * start-up for environment failures (ENVIRONMENT_ERROR_CODES), which a restart may fix.
   */
  clearFailuresWithCodes(codes: readonly EndcueErrorCode[]): Promise<number>;

  getOverride(titleId: string): Promise<ManualOverride | undefined>;
  putOverride(titleId: string, input: OverrideInput): Promise<ManualOverride>;
  deleteOverride(titleId: string): Promise<boolean>;

  /** The intro stored for a title by its season's analysis, whatever media it was for. */
  getIntro(titleId: string): Promise<StoredIntro | undefined>;
  /** Stores a season's intros at once (each replaces the title's previous one). */
  putIntros(intros: readonly StoredIntro[]): Promise<void>;
  /** Episode fingerprints kept beside the results, so a season job never re-decodes a sibling. */
  fingerprintCache(): FingerprintCache;

  /**
   * A number that changes on every write this process makes (optional): lets readers keep
   * memoised answers until something changes. Stores shared between processes may omit it.
   */
  generation?(): number;

  /**
   * Drops this process's memoised reads about a title (optional; stores that memoise reads
   * have it), so the next read sees what another process wrote, e.g. a worker's result.
   */
  forget?(titleId: string): void;

  /** Cheap liveness check for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
