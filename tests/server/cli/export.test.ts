/** `endcue export`'s targets: a folder as scan names its videos, a single video by its src. */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { exportTarget } from '../../../server/cli/export.js';
import { libraryTitles } from '../../../server/cli/scan.js';
import { SqliteCreditsStore } from '../../../server/store/sqlite.js';
import { type TempMedia, tempMedia } from '../http/fakes.js';

let media: TempMedia | undefined;
afterEach(() => {
  media?.cleanup();
  media = undefined;
});

describe('exportTarget', () => {
  it('finds a single video by the src scan registered, suffixed ids included', async () => {
    media = tempMedia();
    media.write('show/a.mp4');
    media.write('show/a.mkv');
    media.write('show/new.mp4');
    const store = new SqliteCreditsStore(':memory:');
    const scanned = await libraryTitles(path.join(media.root, 'show'), []);
    expect(scanned.titles.map((t) => [t.id, t.src])).toEqual([
      ['a', 'a.mkv'],
      ['a_2', 'a.mp4'],
      ['new', 'new.mp4'],
    ]);
    for (const title of scanned.titles.slice(0, 2)) await store.putTitle(title, 'admin');

    const mp4 = await exportTarget(path.join(media.root, 'show/a.mp4'), store, []);
    expect(mp4.titles.map((t) => [t.id, t.src])).toEqual([['a_2', 'a.mp4']]);
    expect(mp4.mediaRoots).toEqual([path.join(media.root, 'show')]);
    const folder = await exportTarget(path.join(media.root, 'show'), store, []);
    expect(folder.titles.map((t) => t.id)).toEqual(['a', 'a_2', 'new']);

    await expect(exportTarget(path.join(media.root, 'show/new.mp4'), store, [])).rejects.toThrow(
      /new\.mp4 has no stored result: it was never scanned/,
    );
    await expect(exportTarget(path.join(media.root, 'gone.mp4'), store, [])).rejects.toThrow(
      /gone\.mp4 does not exist/,
    );
    await store.close();
  });
});
