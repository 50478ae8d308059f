import { describe, expect, it } from 'vitest';
import { compareEpisodes, nextInSeries } from '../../../server/catalog/series.js';
import type { Title } from '../../../server/catalog/title.js';

const ep = (
  id: string,
  season: number | undefined,
  episode: number | undefined,
  series = 's',
): Title => ({
  id,
  src: `${id}.mp4`,
  series,
  ...(season !== undefined ? { season } : {}),
  ...(episode !== undefined ? { episode } : {}),
});

describe('nextInSeries', () => {
  const titles = [
    ep('s2e1', 2, 1),
    ep('s1e2', 1, 2),
    ep('s1e1', 1, 1),
    ep('other', 1, 3, 'other-series'),
  ];

  it('returns the following episode, crossing into the next season', () => {
    expect(nextInSeries(ep('s1e1', 1, 1), titles)?.id).toBe('s1e2');
    expect(nextInSeries(ep('s1e2', 1, 2), titles)?.id).toBe('s2e1');
  });

  it('returns nothing after the last episode, outside a series, or for a title not in the list', () => {
    expect(nextInSeries(ep('s2e1', 2, 1), titles)).toBeUndefined();
    expect(nextInSeries({ id: 'film', src: 'film.mp4' }, titles)).toBeUndefined();
    expect(
      nextInSeries(
        ep('ghost', 1, 5),
        titles.filter((t) => t.id !== 'ghost'),
      ),
    ).toBeUndefined();
  });

  it('does not step into another series', () => {
    expect(nextInSeries(ep('other', 1, 3, 'other-series'), titles)).toBeUndefined();
  });
});

describe('compareEpisodes', () => {
  it('orders by season, then episode, then id', () => {
    const sorted = [ep('b', 1, 1), ep('a', 1, 1), ep('c', 0, 9), ep('d', 1, 0)].sort(
      compareEpisodes,
    );
    expect(sorted.map((t) => t.id)).toEqual(['c', 'd', 'a', 'b']);
  });
});
