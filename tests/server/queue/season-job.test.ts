/**
 * The season job (issue 22) on plain data: which titles form a season and what it is
 * called, whether a stored intro still holds, and the job itself with a fake analysis.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Title } from '../../../server/catalog/title.js';
import type { SourcePolicy } from '../../../server/media/sources.js';
import { createSeasonHandler } from '../../../server/queue/season-job.js';
import type { JobSnapshot } from '../../../server/queue/types.js';
import type { analyzeSeason } from '../../../server/series/season.js';
import {
  currentIntro,
  parseSeasonJobId,
  seasonJobId,
  seasonKey,
  seasonMembers,
} from '../../../server/series/season-key.js';
import { SqliteCreditsStore } from '../../../server/store/sqlite.js';
import { type TempMedia, tempMedia } from '../http/fakes.js';

const ep = (id: string, season?: number, series = 'Show'): Title => ({
  id,
  src: `${id}.mp4`,
  series,
  ...(season !== undefined ? { season } : {}),
});

describe('a season: members, key and job id', () => {
  it('is the titles of one series and season (none counts as one)', () => {
    const titles = [ep('b', 1), ep('a', 1), ep('c', 2), ep('x'), ep('d', 1, 'Other')];
    expect(seasonMembers({ series: 'Show', season: 1 }, titles).map((t) => t.id)).toEqual([
      'a',
      'b',
    ]);
    expect(seasonMembers({ series: 'Show', season: null }, titles).map((t) => t.id)).toEqual(['x']);
  });

  it('has a key that changes with a new, removed or moved episode, not with their order', () => {
    const key = seasonKey([ep('a', 1), ep('b', 1)]);
    expect(key).toMatch(/^[0-9a-f]{16}$/);
    expect(seasonKey([ep('b', 1), ep('a', 1)])).toBe(key);
    expect(seasonKey([ep('a', 1), ep('b', 1), ep('c', 1)])).not.toBe(key);
    expect(seasonKey([ep('a', 1)])).not.toBe(key);
    expect(seasonKey([ep('a', 1), { ...ep('b', 1), src: 'moved/b.mp4' }])).not.toBe(key);
  });

  it('is named in the queue by an id no title can have, and read back from it', () => {
    for (const season of [
      { series: 'Show', season: 1 },
      { series: 'Ünïcode: the show / part 2', season: null },
    ]) {
      const id = seasonJobId(season);
      expect(id).toMatch(/^season\+(\d+|x)\+[A-Za-z0-9_-]+$/);
      expect(id).not.toMatch(/^[A-Za-z0-9._-]+$/); // TITLE_ID_PATTERN
      expect(parseSeasonJobId(id)).toEqual(season);
    }
    expect(parseSeasonJobId('show_s01e01')).toBeUndefined();
  });
});

describe('currentIntro: whether a stored intro still holds', () => {
  const titles = [ep('a', 1), ep('b', 1)];
  const stored = {
    titleId: 'a',
    fingerprint: 'f1',
    seasonKey: seasonKey(titles),
    intro: { start: 3, end: 30, confidence: 1 },
    reason: null,
    createdAt: 1,
  };

  it('answers the stored intro, or its reason, for the same members and media', () => {
    expect(currentIntro(ep('a', 1), titles, stored, 'f1')).toEqual({
      intro: stored.intro,
      introReason: null,
      closing: null,
    });
    const music = { start: 80, end: 95, confidence: 1 };
    expect(
      currentIntro(
        ep('a', 1),
        titles,
        { ...stored, intro: null, reason: 'no-audio', closing: music },
        'f1',
      ),
    ).toEqual({ intro: null, introReason: 'no-audio', closing: music });
  });

  it("is 'pending' for a new episode, new media or nothing stored; 'not-a-series' outside one", () => {
    expect(currentIntro(ep('a', 1), [...titles, ep('c', 1)], stored, 'f1').introReason).toBe(
      'pending',
    );
    expect(currentIntro(ep('a', 1), titles, stored, 'f2').introReason).toBe('pending');
    expect(currentIntro(ep('a', 1), titles, undefined, 'f1')).toEqual({
      intro: null,
      introReason: 'pending', // and no end music: the season is not known
    });
    expect(currentIntro({ id: 'film', src: 'film.mp4' }, [], stored)).toEqual({
      intro: null,
      introReason: 'not-a-series',
    });
  });
});

describe('the season job', () => {
  let media: TempMedia | undefined;
  afterEach(() => media?.cleanup());

  const job = (titleId: string, force = false): JobSnapshot => ({
    id: '1',
    titleId,
    state: 'running',
    attempts: 1,
    progress: 0,
    phase: null,
    error: null,
    force,
    createdAt: 0,
    updatedAt: 0,
    runAfter: 0,
    startedAt: 0,
    finishedAt: null,
  });
  const context = { signal: new AbortController().signal, progress: () => {} };

  it('analyses the season files, stores every intro with its key, and skips it when nothing changed', async () => {
    media = tempMedia();
    media.write('a.mp4', 'a');
    media.write('b.mp4', 'b');
    const store = new SqliteCreditsStore(':memory:');
    const policy: SourcePolicy = {
      mediaRoots: [media.root],
      allowedHosts: ['cdn.example.com'],
      allowPrivateNetworks: false,
    };
    await store.putTitle(ep('a', 1), 'catalog');
    await store.putTitle(ep('b', 1), 'catalog');
    await store.putTitle({ ...ep('gone', 1), src: 'gone.mp4' }, 'catalog'); // no such file
    await store.putTitle({ ...ep('web', 1), src: 'https://cdn.example.com/web.m3u8' }, 'admin');
    const calls: string[][] = [];
    const analyze: typeof analyzeSeason = async (episodes, deps) => {
      calls.push(episodes.map((e) => path.basename(e.path)));
      expect(deps?.cache).toBe(store.fingerprintCache());
      expect(episodes.every((e) => typeof e.key === 'string')).toBe(true);
      return episodes.map((_, i) =>
        i === 0
          ? {
              intro: { start: 1, end: 21, confidence: 1 },
              introReason: null,
              closing: null,
              closingReason: null,
              speed: 1,
            }
          : {
              intro: null,
              introReason: 'no-audio',
              closing: null,
              closingReason: null,
              speed: 1,
              message: 'b.mp4 has no audio stream',
            },
      );
    };
    const resolved: string[] = [];
    const warnings: string[] = [];
    const handler = createSeasonHandler({
      store,
      policy,
      analyze,
      log: { warn: (_obj, message) => void warnings.push(message) },
      sourceDeps: {
        // The URL title resolves without a network: a fixed fingerprint.
        fetch: async (url: string | URL | Request) => {
          resolved.push(String(url));
          return new Response(null, {
            status: 200,
            headers: { 'content-length': '10', 'last-modified': 'Sat, 05 Dec 2026 10:00:00 GMT' },
          });
        },
        lookup: async () => [{ address: '93.184.216.34', family: 4 }],
      },
    });
    const id = seasonJobId({ series: 'Show', season: 1 });
    await handler.run(job(id), context);
    expect(calls).toEqual([['a.mp4', 'b.mp4']]); // the URL title is not fingerprinted
    const key = seasonKey([
      ep('a', 1),
      ep('b', 1),
      { ...ep('gone', 1) },
      { ...ep('web', 1), src: 'https://cdn.example.com/web.m3u8' },
    ]);
    expect(await store.getIntro('a')).toMatchObject({
      seasonKey: key,
      intro: { start: 1, end: 21 },
      reason: null,
    });
    expect(await store.getIntro('b')).toMatchObject({
      seasonKey: key,
      intro: null,
      reason: 'no-audio',
    });
    expect(await store.getIntro('web')).toMatchObject({ intro: null, reason: 'unreadable' });
    expect(await store.getIntro('gone')).toBeUndefined(); // its own answer says why (422)
    expect(warnings).toEqual([
      'season analysis: episode left out, its source cannot be read',
      'b.mp4 has no audio stream',
    ]);

    await handler.run(job(id), context); // a sibling's analysis asked again: nothing changed
    expect(calls).toHaveLength(1);
    await handler.run(job(id, true), context); // forced
    expect(calls).toHaveLength(2);
    media.write('c.mp4', 'c');
    await store.putTitle(ep('c', 1), 'catalog'); // a new episode
    await handler.run(job(id), context);
    expect(calls.at(-1)).toEqual(['a.mp4', 'b.mp4', 'c.mp4']);
    await store.close();
  });
});
