/**
 * What the HTTP routes need, as interfaces with web-standard types only, so the read
 * routes can run at the edge over another implementation. The Node implementation
 * (node-service.ts) sits on the SQLite store, the local queue and the media guards.
 */
import type { Title, TitleInput } from '../catalog/title.js';
import type { Segment } from '../detector/types.js';
import type { JobCounts, JobSnapshot } from '../queue/types.js';
import type { MusicEvidence } from '../series/closing.js';
import type { IntroReason } from '../series/intro.js';
import type { ManualOverride, OverrideInput, StoredError } from '../store/types.js';

export interface NextTitle {
  titleId: string;
  src: string;
  title?: string;
}

/** Body of a 200 from GET /v1/titles/:id/credits (stable: the plugin reads it). */
export interface CreditsAnswer {
  titleId: string;
  creditsStart: number | null;
  creditsEnd: number | null;
  segments: Segment[];
  confidence: number;
  duration: number | null;
  modelVersion: string | null;
  /** detected: from the frames; chapter: a credits chapter the frames confirmed; manual: an override. */
  source: 'detected' | 'chapter' | 'manual';
  /** The opening theme the title's season shares (issue 22); null: none, `introReason` says why. */
  intro: { start: number; end: number; confidence: number } | null;
  /**
   * Why there is no intro: 'not-a-series', 'pending' (its season not analysed since it last
   * changed), 'no-siblings', 'no-audio', 'nothing-shared', 'ffmpeg-missing', 'unreadable'.
   */
  introReason: IntroReason | null;
  /** Once the season has been analysed (not under an override): its shared end music... */
  endMusic?: { start: number; end: number; confidence: number } | null;
  /**
   * ...how it bears on the detected start (series/closing.ts): 'bounded-by-music' when the
   * start is the season job's re-run bounded by the music...
   */
  endMusicEvidence?: MusicEvidence;
  /** ...and the confidence weighed by it (as `endcue detect --series` prints it). */
  seriesConfidence?: number;
  /** With 'bounded-by-music': the title's own detected start, which the re-run replaced. */
  singleCreditsStart?: number | null;
  next?: NextTitle;
}

export type CreditsLookup =
  | { status: 'unknown-title' }
  | { status: 'ready'; credits: CreditsAnswer }
  | { status: 'queued' | 'running'; progress: number; retryAfter: number }
  | { status: 'failed'; error: StoredError }
  /** A new analysis was needed but this client may not start one now. */
  | { status: 'throttled'; retryAfter: number };

export interface TitleView extends Title {
  next?: NextTitle;
}

export const TITLE_STATUSES = ['done', 'failed', 'queued', 'running', 'not-analysed'] as const;
export type TitleStatus = (typeof TITLE_STATUSES)[number];

export interface TitleListItem {
  id: string;
  src: string;
  title?: string;
  series?: string;
  season?: number;
  episode?: number;
  status: TitleStatus;
  creditsStart: number | null;
  creditsEnd: number | null;
  postCredits: { start: number; end: number } | null;
  confidence: number | null;
  source: 'detected' | 'chapter' | 'manual' | null;
  modelVersion: string | null;
  /** When the answer was stored (ms since the epoch). */
  updatedAt: number | null;
  error?: StoredError;
}

export interface TitleListQuery {
  series?: string;
  status?: TitleStatus;
  sort?: 'id' | 'confidence';
  order?: 'asc' | 'desc';
  limit: number;
  offset: number;
}

export interface TitleListPage {
  total: number;
  limit: number;
  offset: number;
  items: TitleListItem[];
}

export interface ReadService {
  /** `mayEnqueue` is asked only when a new analysis would start (rate limiting). */
  credits(titleId: string, options?: { mayEnqueue?: () => boolean }): Promise<CreditsLookup>;
  title(titleId: string): Promise<TitleView | undefined>;
}

export interface AdminService {
  /** Throws EndcueError (invalid-input / forbidden-source) for a source that cannot be allowed. */
  putTitle(titleId: string, input: TitleInput): Promise<{ title: Title; created: boolean }>;
  deleteTitle(titleId: string): Promise<boolean>;
  /** Forces a re-analysis; undefined for an unknown title. */
  analyze(titleId: string): Promise<{ job: JobSnapshot; created: boolean } | undefined>;
  putOverride(titleId: string, input: OverrideInput): Promise<ManualOverride | undefined>;
  /** undefined: unknown title; false: it had no override. */
  deleteOverride(titleId: string): Promise<boolean | undefined>;
  jobs(limit?: number): Promise<{ counts: JobCounts; jobs: JobSnapshot[] }>;
  /** Titles with their status and stored answer (GET /v1/titles). */
  listTitles(query: TitleListQuery): Promise<TitleListPage>;
}

export interface HealthReport {
  ok: boolean;
  checks: Record<string, string>;
}

export interface OpsService {
  health(): Promise<HealthReport>;
  /** Extra Prometheus text (queue gauges...) appended to the HTTP metrics. */
  metricsText?(): Promise<string>;
}

export interface EndcueService extends ReadService, AdminService, OpsService {}
