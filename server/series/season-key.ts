/**
 * Which titles form a season, and the names that season goes by (issue 22): the season
 * job's id in the queue and the key stored with each intro. PURE apart from hashing.
 *
 * A season is the titles of one `series` with the same `season` (none counts as one
 * season). The key covers each member's id and src, so a new, removed or moved episode
 * makes every stored intro of the season stale and the season is analysed again.
 */
import { createHash } from 'node:crypto';
import type { Title } from '../catalog/title.js';
import type { BoundedCredits, StoredIntro } from '../store/types.js';
import type { Intro, IntroReason } from './intro.js';

export interface SeasonRef {
  series: string;
  /** null: the series' titles without a season number. */
  season: number | null;
}

export function seasonOf(title: Title): SeasonRef | undefined {
  return title.series === undefined
    ? undefined
    : { series: title.series, season: title.season ?? null };
}

/** The titles of `season` among `titles`, by id. */
export function seasonMembers(season: SeasonRef, titles: readonly Title[]): Title[] {
  return titles
    .filter((t) => t.series === season.series && (t.season ?? null) === season.season)
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** 16 hex digits of SHA-256 over the members' ids and srcs (any order in). */
export function seasonKey(members: readonly Title[]): string {
  const lines = members.map((t) => `${t.id}\t${t.src}`).sort();
  return createHash('sha256').update(lines.join('\n')).digest('hex').slice(0, 16);
}

/**
 * The queue's name for a season's job: `season+<n or x>+<series in base64url>`. Title ids are
 * [A-Za-z0-9._-], so a '+' never names a title, and BullMQ's job id stays free of ':'.
 */
export function seasonJobId(season: SeasonRef): string {
  const series = Buffer.from(season.series, 'utf8').toString('base64url');
  return `season+${season.season ?? 'x'}+${series}`;
}

/** The season a job id names, or undefined for a title's own job. */
export function parseSeasonJobId(id: string): SeasonRef | undefined {
  const match = /^season\+(\d+|x)\+([A-Za-z0-9_-]+)$/.exec(id);
  if (!match) return undefined;
  const series = Buffer.from(match[2] as string, 'base64url').toString('utf8');
  return { series, season: match[1] === 'x' ? null : Number(match[1]) };
}

/** What the API says about a title's intro: the stored one while it holds, else why not. */
export interface IntroState {
  intro: Intro | null;
  introReason: IntroReason | null;
  /** The end music shared with siblings (null: none); absent while the season is unknown. */
  closing?: Intro | null;
  /** The detection re-run bounded by that music (season job), if one was run. */
  bounded?: BoundedCredits;
}

/**
 * The title's intro from what its season's job stored, if that still holds: same season
 * members (`seasonKey`) and, when `fingerprint` is given, the same media. Otherwise
 * 'pending' (the season job has not run since), or 'not-a-series'.
 */
export function currentIntro(
  title: Title,
  seriesTitles: readonly Title[],
  stored: StoredIntro | undefined,
  fingerprint?: string,
): IntroState {
  const season = seasonOf(title);
  if (!season) return { intro: null, introReason: 'not-a-series' };
  const fresh =
    stored !== undefined &&
    stored.seasonKey === seasonKey(seasonMembers(season, seriesTitles)) &&
    (fingerprint === undefined || stored.fingerprint === fingerprint);
  if (!fresh) return { intro: null, introReason: 'pending' };
  const closing = stored.closing ?? null;
  const bounded = stored.bounded ? { bounded: stored.bounded } : {};
  return stored.intro
    ? { intro: stored.intro, introReason: null, closing, ...bounded }
    : { intro: null, introReason: stored.reason ?? 'nothing-shared', closing, ...bounded };
}
