/** Series ordering: which title plays after this one. Pure. */
import type { Title } from './title.js';

/** Orders episodes by season, then episode, then id (titles without numbers sort first). */
export function compareEpisodes(a: Title, b: Title): number {
  return (
    (a.season ?? 0) - (b.season ?? 0) ||
    (a.episode ?? 0) - (b.episode ?? 0) ||
    (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}

/** The title after `current` in its series (crossing into the next season), if any. */
export function nextInSeries(current: Title, seriesTitles: readonly Title[]): Title | undefined {
  if (current.series === undefined) return undefined;
  const ordered = seriesTitles
    .filter((title) => title.series === current.series)
    .slice()
    .sort(compareEpisodes);
  const index = ordered.findIndex((title) => title.id === current.id);
  return index >= 0 ? ordered[index + 1] : undefined;
}
