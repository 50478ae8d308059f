import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  formatScanReport,
  libraryTitles,
  scanLibrary,
  titleIdFromPath,
} from '../../../server/cli/scan.js';
import { EndcueError } from '../../../server/errors.js';
import type { SourcePolicy } from '../../../server/media/sources.js';
import { createAnalysisHandler } from '../../../server/queue/analyze.js';
import { LocalJobQueue } from '../../../server/queue/local.js';
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
    expect(inside.titles).toEqual([
      { id: 'show_s1_e1', src: 'show/s1/e1.mp4' },
      { id: 'show_s1_e2', src: 'show/s1/e2.mkv' },
    ]);
    expect(inside.mediaRoots).toEqual([media.root]);
    // Scanning the root later finds the same titles under the same ids.
    expect((await libraryTitles(media.root, [media.root])).titles.map((t) => t.id)).toEqual([
      'show_s1_e1',
      'show_s1_e2',
    ]);
    const outside = await libraryTitles(path.join(media.root, 'show'), []);
    expect(outside.titles[0]).toEqual({ id: 's1_e1', src: 's1/e1.mp4' });
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
});
