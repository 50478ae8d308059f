/** Intro rows as both SQL stores keep them (JSON in SQLite TEXT, JSONB in PostgreSQL). */
import type { Intro, IntroReason } from '../series/intro.js';
import type { BoundedCredits, StoredIntro } from './types.js';

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

/**
 * The closing column holds the end music and, beside it, the re-run it bounded
 * (`{...closing, bounded}`): no new column, so stores written before read as they were.
 */
function closingFromColumn(value: string | Intro | null): Pick<StoredIntro, 'closing' | 'bounded'> {
  const closing = parsed(value) as (Intro & { bounded?: BoundedCredits }) | null;
  if (!closing) return { closing: null };
  const { bounded, ...music } = closing;
  return bounded ? { closing: music, bounded } : { closing: music };
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
    stored.closing
      ? JSON.stringify(
          stored.bounded ? { ...stored.closing, bounded: stored.bounded } : stored.closing,
        )
      : null,
    stored.createdAt,
  ];
}
