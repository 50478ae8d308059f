/** Intro rows as both SQL stores keep them (JSON in SQLite TEXT, JSONB in PostgreSQL). */
import type { Intro, IntroReason } from '../series/intro.js';
import type { StoredIntro } from './types.js';

export interface IntroRow {
  title_id: string;
  fingerprint: string;
  season_key: string;
  /** SQLite: JSON text; PostgreSQL: the parsed JSONB. */
  intro: string | Intro | null;
  reason: string | null;
  closing: string | Intro | null;
  created_at: number;
}

const parsed = (value: string | Intro | null): Intro | null =>
  typeof value === 'string' ? (JSON.parse(value) as Intro) : value;

/** What the closing column keeps beside the end music. */
type BesideMusic = Pick<StoredIntro, 'bounded' | 'boundedFailure'>;

/**
 * The closing column holds the end music and, beside it, the re-run it bounded or that
 * re-run's failure (`{...closing, bounded, boundedFailure}`): no new column, so stores
 * written before read as they were.
 */
function closingFromColumn(
  value: string | Intro | null,
): Pick<StoredIntro, 'closing'> & BesideMusic {
  const closing = parsed(value) as (Intro & BesideMusic) | null;
  if (!closing) return { closing: null };
  const { bounded, boundedFailure, ...music } = closing;
  return {
    closing: music,
    ...(bounded ? { bounded } : {}),
    ...(boundedFailure ? { boundedFailure } : {}),
  };
}

/** The closing column's JSON: the music and what is kept beside it. */
function closingColumn(stored: StoredIntro): string | null {
  if (!stored.closing) return null;
  const { bounded, boundedFailure } = stored;
  return JSON.stringify({
    ...stored.closing,
    ...(bounded ? { bounded } : {}),
    ...(boundedFailure ? { boundedFailure } : {}),
  });
}

export function introFromRow(row: IntroRow): StoredIntro {
  return {
    titleId: row.title_id,
    fingerprint: row.fingerprint,
    seasonKey: row.season_key,
    intro: parsed(row.intro),
    reason: row.reason as IntroReason | null,
    ...closingFromColumn(row.closing),
    createdAt: row.created_at,
  };
}

/** Column values in table order: title_id, fingerprint, season_key, intro, reason, closing, created_at. */
export function introValues(
  stored: StoredIntro,
): [string, string, string, string | null, string | null, string | null, number] {
  return [
    stored.titleId,
    stored.fingerprint,
    stored.seasonKey,
    stored.intro ? JSON.stringify(stored.intro) : null,
    stored.reason,
    closingColumn(stored),
    stored.createdAt,
  ];
}
