/** Title and override rows as both SQL stores keep them (same columns in SQLite and PostgreSQL). */
import type { Title, TitleOrigin, TitleRecord } from '../catalog/title.js';
import type { ManualOverride, OverrideInput } from './types.js';

export interface TitleRow {
  id: string;
  src: string;
  title: string | null;
  series: string | null;
  season: number | null;
  episode: number | null;
  origin: TitleOrigin;
  updated_at: number;
}

/** A stored row as the store interface returns it (NULL columns left out). */
export function titleFromRow(row: TitleRow): TitleRecord {
  return {
    id: row.id,
    src: row.src,
    ...(row.title !== null ? { title: row.title } : {}),
    ...(row.series !== null ? { series: row.series } : {}),
    ...(row.season !== null ? { season: row.season } : {}),
    ...(row.episode !== null ? { episode: row.episode } : {}),
    origin: row.origin,
    updatedAt: row.updated_at,
  };
}

/** Whether a catalog sync would change nothing. */
export function sameTitle(a: Title, b: Title): boolean {
  return (
    a.src === b.src &&
    a.title === b.title &&
    a.series === b.series &&
    a.season === b.season &&
    a.episode === b.episode
  );
}

export interface OverrideRow {
  credits_start: number | null;
  credits_end: number | null;
  duration: number | null;
  note: string | null;
  /** Schema v3 (SQLite) / v2 (PostgreSQL): the post-credits scene. */
  post_start?: number | null;
  post_end?: number | null;
  updated_at: number;
}

/** A stored override row as the store interface returns it. */
export function overrideFromRow(titleId: string, row: OverrideRow): ManualOverride {
  return {
    titleId,
    creditsStart: row.credits_start,
    creditsEnd: row.credits_end,
    duration: row.duration,
    note: row.note,
    ...(row.post_start != null && row.post_end != null
      ? { postCredits: { start: row.post_start, end: row.post_end } }
      : {}),
    updatedAt: row.updated_at,
  };
}

/** The values of an override row, in the column order both stores insert. */
export function overrideValues(
  titleId: string,
  input: OverrideInput,
  updatedAt: number,
): [
  string,
  number | null,
  number | null,
  number | null,
  string | null,
  number,
  number | null,
  number | null,
] {
  const post = input.postCredits ?? null;
  return [
    titleId,
    input.creditsStart,
    input.creditsEnd,
    input.duration,
    input.note,
    updatedAt,
    post?.start ?? null,
    post?.end ?? null,
  ];
}
