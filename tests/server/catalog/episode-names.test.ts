import { describe, expect, it } from 'vitest';
import { episodeFromPath } from '../../../server/catalog/episode-names.js';

describe('episodeFromPath: a scanned file groups into a season', () => {
  it.each([
    ['Show/Season 1/Show - S01E02 - Pilot.mkv', { series: 'Show', season: 1, episode: 2 }],
    ['Show/Season 01/ep.mkv', { series: 'Show', season: 1 }],
    ['Show/Series 4/Episode 7.mp4', { series: 'Show', season: 4, episode: 7 }],
    ['Show/S03/05 - The Fifth.mkv', { series: 'Show', season: 3, episode: 5 }],
    ['Show/Staffel 2/E10 Titel.mp4', { series: 'Show', season: 2, episode: 10 }],
    ['Downloads/Breaking.Bad.S02E05.720p.mkv', { series: 'Breaking Bad', season: 2, episode: 5 }],
    ['The.Show.s1e12.mkv', { series: 'The Show', season: 1, episode: 12 }],
    ['Show/show 1x03.avi', { series: 'show', season: 1, episode: 3 }],
    ['Show/S01E02.mkv', { series: 'Show', season: 1, episode: 2 }],
  ])('%s', (relative, expected) => {
    expect(episodeFromPath(relative)).toEqual(expected);
  });

  it.each([
    'Movies/Film.mkv',
    'film.mp4',
    'Show/extras/making-of.mkv',
    'Season 1/ep.mkv', // a season folder with no show above it
    'Show/Season 1/extras/a.mkv',
    'S01E02.mkv', // no name and no folder
    'Show/Version 2x1080.mkv',
  ])('%s is no series', (relative) => {
    expect(episodeFromPath(relative)).toBeUndefined();
  });
});
