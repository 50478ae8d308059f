import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatScanReport,
  libraryTitles,
  scanLibrary,
  scanReportJson,
  titleIdFromPath,
} from '../../../server/cli/scan.js';
import { EndcueError } from '../../../server/errors.js';
import type { SourcePolicy } from '../../../server/media/sources.js';
import { createAnalysisHandler } from '../../../server/queue/analyze.js';
import { LocalJobQueue } from '../../../server/queue/local.js';
import { withSeasons } from '../../../server/queue/season-job.js';
import type { analyzeSeason } from '../../../server/series/season.js';
import { SqliteCreditsStore } from '../../../server/store/sqlite.js';
import { fakeDetector, type TempMedia, tempMedia } from '../http/fakes.js';

let media: TempMedia | undefined;
afterEach(() => {
  media?.cleanup();
  media = undefined;
});

describe('endcue scan', () => {
  it('derives valid, stable title ids from paths', () => {
    expect(titleIdFromPath('Show/Season 1/Ep 01 (HD).mp4')).toBe('Show_Season_1_Ep_01_HD_');
    expect(titleIdFromPath('.hidden.mkv')).toBe('hidden');
    expect(titleIdFromPath(`${'x'.repeat(300)}.mp4`)).toHaveLength(128);
  });

  it('finds the videos of a folder, with srcs relative to the media root holding it', async () => {
    media = tempMedia();
    media.write('show/s1/e1.mp4');
    media.write('show/s1/e2.mkv');
    media.write('show/s1/notes.txt');
    media.write('show/.trash/e0.mp4');
    const inside = await libraryTitles(path.join(media.root, 'show'), [media.root]);
    // 'show/s1/' is a season folder: its episodes are grouped (issue 22).
    expect(inside.titles).toEqual([
      { id: 'show_s1_e1', src: 'show/s1/e1.mp4', series: 'show', season: 1, episode: 1 },
      { id: 'show_s1_e2', src: 'show/s1/e2.mkv', series: 'show', season: 1, episode: 2 },
    ]);
    expect(inside.mediaRoots).toEqual([media.root]);
    // Scanning the root later finds the same titles under the same ids.
    expect((await libraryTitles(media.root, [media.root])).titles.map((t) => t.id)).toEqual([
      'show_s1_e1',
      'show_s1_e2',
    ]);
    const outside = await libraryTitles(path.join(media.root, 'show'), []);
    expect(outside.titles[0]).toEqual({ id: 's1_e1', src: 's1/e1.mp4' }); // no show folder above
    expect(outside.mediaRoots).toEqual([path.join(media.root, 'show')]);
    await expect(libraryTitles(path.join(media.dir, 'nope'), [])).rejects.toThrow(/does not exist/);
  });

  it('reads a catalog file', async () => {
    media = tempMedia();
    const file = path.join(media.dir, 'catalog.json');
    writeFileSync(file, JSON.stringify([{ id: 'a', src: 'a.mp4' }]));
    expect((await libraryTitles(file, [media.root])).titles).toEqual([{ id: 'a', src: 'a.mp4' }]);
  });

  it('analyses what is new, skips what is analysed, and reports failures with reasons', async () => {
    media = tempMedia();
    for (const name of ['a', 'b', 'bad']) media.write(`${name}.mp4`, name);
    const store = new SqliteCreditsStore(':memory:');
    const detector = fakeDetector({ modelVersion: 'm1' });
    const failing = fakeDetector({
      error: new EndcueError('not-a-video', 'bad.mp4 has no video stream', {
        hint: 'Point it at a video.',
        retryable: false,
      }),
    });
    const policy: SourcePolicy = {
      mediaRoots: [media.root],
      allowedHosts: [],
      allowPrivateNetworks: false,
    };
    const handler = createAnalysisHandler({
      store,
      detector: (source, options) =>
        source.endsWith('bad.mp4') ? failing(source, options) : detector(source, options),
      policy,
      modelVersion: () => 'm1',
    });
    const queue = new LocalJobQueue({ db: store.db, handler, concurrency: 2 });
    await queue.start();
    const titles = [
      { id: 'a', src: 'a.mp4' },
      { id: 'b', src: 'b.mp4' },
      { id: 'bad', src: 'bad.mp4' },
      { id: 'gone', src: 'gone.mp4' },
    ];
    const progress: number[][] = [];
    const first = await scanLibrary({
      titles,
      store,
      queue,
      policy,
      modelVersion: () => 'm1',
      pollMs: 5,
      onProgress: (finished, total, running) => progress.push([finished, total, running]),
    });
    expect(first).toMatchObject({ done: 2, skipped: 0, failed: 2 });
    expect(detector.calls.map((file) => path.basename(file)).sort()).toEqual(['a.mp4', 'b.mp4']);
    expect(first.entries.find((e) => e.titleId === 'bad')?.reason).toMatch(
      /^not-a-video: bad.mp4 has no video stream \(Point it at a video.\)/,
    );
    expect(first.entries.find((e) => e.titleId === 'gone')?.reason).toMatch(/^not-found/);
    expect(progress[0]).toEqual([0, 3, 0]);
    expect(progress.at(-1)?.slice(0, 2)).toEqual([3, 3]);
    expect(await store.getTitle('a')).toMatchObject({ src: 'a.mp4', origin: 'admin' });

    const second = await scanLibrary({
      titles,
      store,
      queue,
      policy,
      modelVersion: () => 'm1',
      pollMs: 5,
    });
    // Analysed titles are skipped; known bad media is reported again, not re-run.
    expect(second).toMatchObject({ done: 0, skipped: 2, failed: 2 });
    expect(detector.calls).toHaveLength(2);
    expect(failing.calls).toHaveLength(1);
    const report = formatScanReport(second);
    expect(report).toMatch(/^done 0, skipped 2 \(already analysed\), failed 2\n/);
    expect(report).toMatch(/ {2}failed bad: not-a-video/);

    // A new model: everything is analysed again.
    const third = await scanLibrary({
      titles,
      store,
      queue,
      policy,
      modelVersion: () => 'm2',
      pollMs: 5,
    });
    expect(third).toMatchObject({ done: 0, skipped: 0, failed: 4 });
    await queue.stop();
    await store.close();
  });
  it('groups a folder into seasons, analyses each season once and reports its intros', async () => {
    media = tempMedia();
    for (const n of [1, 2, 3]) media.write(`Show/Season 1/Show - S01E0${n}.mp4`, `ep${n}`);
    media.write('Film.mp4', 'film');
    const store = new SqliteCreditsStore(':memory:');
    const policy: SourcePolicy = {
      mediaRoots: [media.root],
      allowedHosts: [],
      allowPrivateNetworks: false,
    };
    const seasons: string[][] = [];
    // The season analysis, faked: episode 3 shares nothing (the real one is tested with audio).
    const analyze: typeof analyzeSeason = async (episodes, deps) => {
      seasons.push(episodes.map((e) => path.basename(e.path)));
      expect(deps?.cache).toBeDefined(); // fingerprints kept in the store
      return episodes.map((e) =>
        e.path.includes('E03')
          ? {
              intro: null,
              introReason: 'nothing-shared',
              closing: null,
              closingReason: null,
              speed: 1,
            }
          : {
              intro: { start: 5, end: 35.5, confidence: 0.5 },
              introReason: null,
              closing: null,
              closingReason: null,
              speed: 1,
            },
      );
    };
    let queue: LocalJobQueue | undefined;
    const handler = withSeasons(
      createAnalysisHandler({ store, detector: fakeDetector(), policy, modelVersion: () => 'm1' }),
      { store, policy, analyze },
      () => queue,
    );
    queue = new LocalJobQueue({ db: store.db, handler, concurrency: 1 });
    await queue.start();
    const { titles } = await libraryTitles(media.root, [media.root]);
    expect(titles.map((t) => [t.id, t.series, t.season, t.episode])).toEqual([
      ['Film', undefined, undefined, undefined],
      ['Show_Season_1_Show_-_S01E01', 'Show', 1, 1],
      ['Show_Season_1_Show_-_S01E02', 'Show', 1, 2],
      ['Show_Season_1_Show_-_S01E03', 'Show', 1, 3],
    ]);
    const scan = () =>
      scanLibrary({
        titles,
        store,
        queue: queue as LocalJobQueue,
        policy,
        modelVersion: () => 'm1',
        pollMs: 5,
      });
    const first = await scan();
    expect(first).toMatchObject({ done: 4, failed: 0 });
    expect(first.seasons).toEqual([
      {
        series: 'Show',
        season: 1,
        intros: 2,
        episodes: [
          {
            titleId: 'Show_Season_1_Show_-_S01E01',
            intro: { start: 5, end: 35.5, confidence: 0.5 },
            introReason: null,
          },
          {
            titleId: 'Show_Season_1_Show_-_S01E02',
            intro: { start: 5, end: 35.5, confidence: 0.5 },
            introReason: null,
          },
          { titleId: 'Show_Season_1_Show_-_S01E03', intro: null, introReason: 'nothing-shared' },
        ],
      },
    ]);
    expect(formatScanReport(first)).toContain(
      'Show season 1: intros in 2 of 3 episodes\n  Show_Season_1_Show_-_S01E01: intro 00:00:05.0-00:00:35.5, confidence 0.50\n',
    );
    expect(formatScanReport(first)).toContain(
      '  Show_Season_1_Show_-_S01E03: no intro (nothing-shared)\n',
    );
    expect(scanReportJson(first).seasons).toEqual([
      expect.objectContaining({
        series: 'Show',
        intros: 2,
        episodes: expect.arrayContaining([
          { id: 'Show_Season_1_Show_-_S01E03', intro: null, introReason: 'nothing-shared' },
        ]),
      }),
    ]);
    // However many episodes finished, the season ran as few times as its jobs could merge,
    // and always with all three at the end.
    expect(seasons.at(-1)).toEqual(['Show - S01E01.mp4', 'Show - S01E02.mp4', 'Show - S01E03.mp4']);
    const runs = seasons.length;

    // Scanned again: nothing new, the season is not analysed again.
    expect((await scan()).seasons?.[0]?.intros).toBe(2);
    expect(seasons).toHaveLength(runs);

    // A fourth episode arrives: the season runs again with all four.
    media.write('Show/Season 1/Show - S01E04.mp4', 'ep4');
    const more = await libraryTitles(media.root, [media.root]);
    const third = await scanLibrary({
      titles: more.titles,
      store,
      queue,
      policy,
      modelVersion: () => 'm1',
      pollMs: 5,
    });
    expect(third).toMatchObject({ done: 1, skipped: 4 });
    expect(seasons.at(-1)).toHaveLength(4);
    expect(third.seasons?.[0]).toMatchObject({ intros: 3 });
    await queue.stop();
    await store.close();
  });
});
