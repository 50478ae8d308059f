/**
 * Every title with what is stored about it, for lists (GET /v1/titles): five queries
 * whatever the number of titles (titles, results, failures, overrides, intros), joined here.
 * The same SQL in SQLite and PostgreSQL; `param` writes a placeholder in each dialect.
 */
import type { DetectionResult } from '../detector/types.js';
import { type IntroRow, introFromRow } from './intro-rows.js';
import { type OverrideRow, overrideFromRow, type TitleRow, titleFromRow } from './title-rows.js';
import type { StoredError, TitleSummary } from './types.js';

export interface SummaryQueries {
  titles: string;
  results: string;
  failures: string;
  overrides: string;
  intros: string;
}

/** Queries for all titles, or one series' (`param` is the series placeholder, e.g. "?" or "$1"). */
export function summaryQueries(series: boolean, param: string): SummaryQueries {
  const ofTitles = series
    ? ` WHERE title_id IN (SELECT id FROM titles WHERE series = ${param})`
    : '';
  return {
    titles: `SELECT * FROM titles${series ? ` WHERE series = ${param}` : ''} ORDER BY id`,
    results: `SELECT title_id, fingerprint, model_version, result, created_at FROM results${ofTitles} ORDER BY created_at`,
    failures: `SELECT title_id, fingerprint, error, created_at FROM failures${ofTitles} ORDER BY created_at`,
    overrides: `SELECT * FROM overrides${ofTitles}`,
    intros: `SELECT * FROM intros${ofTitles}`,
  };
}

export interface SummaryRows {
  titles: TitleRow[];
  results: Array<{
    title_id: string;
    fingerprint: string;
    model_version: string;
    result: string | DetectionResult;
    created_at: number | string;
  }>;
  failures: Array<{
    title_id: string;
    fingerprint: string;
    error: string | StoredError;
    created_at: number | string;
  }>;
  overrides: Array<OverrideRow & { title_id: string }>;
  intros: IntroRow[];
}

const parsed = <T>(value: string | T): T =>
  typeof value === 'string' ? (JSON.parse(value) as T) : value;

/** Joins the rows: the newest result and failure of each title (rows come oldest first). */
export function assembleSummaries(rows: SummaryRows): TitleSummary[] {
  const results = new Map<string, SummaryRows['results'][number]>();
  for (const row of rows.results) results.set(row.title_id, row);
  const failures = new Map<string, SummaryRows['failures'][number]>();
  for (const row of rows.failures) failures.set(row.title_id, row);
  const overrides = new Map(rows.overrides.map((row) => [row.title_id, row]));
  const intros = new Map(rows.intros.map((row) => [row.title_id, row]));
  return rows.titles.map((titleRow) => {
    const id = titleRow.id;
    const result = results.get(id);
    const failure = failures.get(id);
    const override = overrides.get(id);
    const intro = intros.get(id);
    return {
      title: titleFromRow(titleRow),
      ...(result
        ? {
            result: {
              titleId: id,
              fingerprint: result.fingerprint,
              modelVersion: result.model_version,
              result: parsed<DetectionResult>(result.result),
              createdAt: Number(result.created_at),
            },
          }
        : {}),
      ...(failure
        ? {
            failure: {
              titleId: id,
              fingerprint: failure.fingerprint,
              error: parsed<StoredError>(failure.error),
              createdAt: Number(failure.created_at),
            },
          }
        : {}),
      ...(override ? { override: overrideFromRow(id, override) } : {}),
      ...(intro ? { intro: introFromRow(intro) } : {}),
    };
  });
}
