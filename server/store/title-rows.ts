/** Title rows as both SQL stores keep them (same columns in SQLite and PostgreSQL). */
import type { Title, TitleOrigin, TitleRecord } from '../catalog/title.js';

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
