import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { watchCatalog } from '../../../server/catalog/watch.js';
import { SqliteCreditsStore } from '../../../server/store/sqlite.js';
import { tempMedia, waitFor } from '../http/fakes.js';

const quiet = { info: () => {}, error: () => {} };

describe('watchCatalog', () => {
  it('loads the file into the store and follows edits, keeping the last good catalog on a bad edit', async () => {
    const media = tempMedia();
    const store = new SqliteCreditsStore(':memory:');
    const errors: unknown[] = [];
    const file = path.join(media.dir, 'catalog.yaml');
    writeFileSync(file, '- {id: a, src: a.mp4}\n- {id: b, src: b.mp4}\n');
    const watcher = await watchCatalog(
      file,
      store,
      { ...quiet, error: (obj) => errors.push(obj) },
      20,
    );
    try {
      expect((await store.listTitles()).map((t) => t.id)).toEqual(['a', 'b']);

      writeFileSync(file, '- {id: a, src: a2.mp4}\n- {id: c, src: c.mp4}\n');
      await waitFor(async () => ((await store.getTitle('c')) ? true : undefined));
      expect((await store.listTitles()).map((t) => [t.id, t.src])).toEqual([
        ['a', 'a2.mp4'],
        ['c', 'c.mp4'],
      ]);

      writeFileSync(file, '- {id: "../bad", src: x}\n');
      await waitFor(() => (errors.length > 0 ? true : undefined));
      expect((await store.listTitles()).map((t) => t.id)).toEqual(['a', 'c']);
    } finally {
      watcher.close();
      await store.close();
      media.cleanup();
    }
  });
});
