/**
 * Series, season and episode from a scanned file's path (issue 22), so a folder groups into
 * seasons the way a catalog's `series` blocks do. PURE.
 *
 * - `S01E02`, `s1e2`, `1x02` in the file name give season and episode; the series is the
 *   folder above a season folder, else the name before the marker (`Show.Name.S01E02.mkv`
 *   -> "Show Name"), else the folder holding the file.
 * - A season folder (`Season 1`, `Series 2`, `S01`, `Staffel 3`) gives the season; the
 *   series is the folder above it, and the episode a number in the name (`E05`,
 *   `Episode 5`, a leading `05`) when there is one.
 * Anything else (`Movies/Film.mkv`) is no series: a folder alone is not a season.
 */

export interface EpisodeName {
  series: string;
  season: number;
  /** Absent when the name has no number (the caller numbers them in file order). */
  episode?: number;
}

const MARKER =
  /(?:^|[^A-Za-z0-9])[Ss](\d{1,3})[ ._-]?[Ee](\d{1,4})(?![0-9])|(?:^|[^A-Za-z0-9])(\d{1,2})x(\d{2,3})(?![0-9])/;
const SEASON_DIR = /^(?:season|series|staffel|saison|temporada|s)[ ._-]*(\d{1,3})$/i;
const EPISODE_IN_NAME =
  /(?:^|[^A-Za-z0-9])(?:e|ep|episode)[ ._-]*(\d{1,4})(?![0-9])|^(\d{1,4})(?![0-9])/i;

/** "Show.Name_" -> "Show Name": separators to spaces, trailing dashes and spaces trimmed. */
function cleanName(name: string): string {
  return name
    .replace(/[._]+/g, ' ')
    .replace(/[\s-]+$/, '')
    .replace(/^[\s-]+/, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/** `relative`: the file's path under the media root, '/' separated. */
export function episodeFromPath(relative: string): EpisodeName | undefined {
  const parts = relative.split('/').filter(Boolean);
  const file = parts.at(-1);
  if (!file) return undefined;
  const stem = file.replace(/\.[^.]+$/, '');
  const folders = parts.slice(0, -1);
  const parent = folders.at(-1);
  const seasonDir = parent === undefined ? undefined : SEASON_DIR.exec(parent.trim());
  const show = seasonDir ? folders.at(-2) : parent;

  const marker = MARKER.exec(stem);
  if (marker) {
    const season = Number(marker[1] ?? marker[3]);
    const episode = Number(marker[2] ?? marker[4]);
    const before = cleanName(stem.slice(0, marker.index));
    // A season folder's parent names the show; else the name before the marker (a flat
    // download folder may hold several shows), else the folder holding the file.
    const series = seasonDir ? (show ?? '').trim() : before || (parent ?? '').trim();
    return series ? { series: series.slice(0, 128), season, episode } : undefined;
  }
  if (!seasonDir || show === undefined || !show.trim()) return undefined;
  const numbered = EPISODE_IN_NAME.exec(stem);
  const episode = numbered ? Number(numbered[1] ?? numbered[2]) : undefined;
  return {
    series: show.trim().slice(0, 128),
    season: Number(seasonDir[1]),
    ...(episode !== undefined ? { episode } : {}),
  };
}
