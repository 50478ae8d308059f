import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogFile, parseCatalog } from '../../../server/catalog/load.js';
import { EndcueError } from '../../../server/errors.js';
import { tempMedia } from '../http/fakes.js';

describe('parseCatalog', () => {
  it('reads a JSON list', () => {
    const titles = parseCatalog(
      JSON.stringify([{ id: 'a', src: 'a.mp4', title: 'A', series: 's', season: 1, episode: 2 }]),
      'catalog.json',
    );
    expect(titles).toEqual([
      { id: 'a', src: 'a.mp4', title: 'A', series: 's', season: 1, episode: 2 },
    ]);
  });

  it('reads a YAML map by id, with string shorthand and `titles:` wrapper', () => {
    const yaml =
      'titles:\n  intro: intro.mp4\n  movie:\n    src: https://cdn.test/m.m3u8\n    title: Movie\n';
    expect(parseCatalog(yaml, 'catalog.yaml')).toEqual([
      { id: 'intro', src: 'intro.mp4' },
      { id: 'movie', src: 'https://cdn.test/m.m3u8', title: 'Movie' },
    ]);
  });

  it('numbers series episodes in file order unless given', () => {
    const yaml = [
      'series:',
      '  demo:',
      '    episodes:',
      '      - {id: d1, src: d1.mp4}',
      '      - {id: d2, src: d2.mp4}',
      '      - {id: d9, src: d9.mp4, season: 2, episode: 9}',
    ].join('\n');
    expect(parseCatalog(yaml, 'c.yml')).toEqual([
      { id: 'd1', src: 'd1.mp4', series: 'demo', episode: 1 },
      { id: 'd2', src: 'd2.mp4', series: 'demo', episode: 2 },
      { id: 'd9', src: 'd9.mp4', series: 'demo', season: 2, episode: 9 },
    ]);
  });

  it.each([
    ['a bad id', '[{"id": "../x", "src": "a.mp4"}]', /entry 1/],
    ['a missing src', '[{"id": "a"}]', /src/],
    ['a duplicate id', '[{"id": "a", "src": "a"}, {"id": "a", "src": "b"}]', /duplicate/],
    ['an unknown field', '[{"id": "a", "src": "a", "sauce": 1}]', /entry 1/],
    ['broken syntax', '[{', /not valid/],
  ])('rejects %s with an EndcueError naming the file', (_what, text, message) => {
    expect(() => parseCatalog(text, 'bad.json')).toThrow(message);
    expect(() => parseCatalog(text, 'bad.json')).toThrow(EndcueError);
  });

  it('accepts an empty file as an empty catalog', () => {
    expect(parseCatalog('', 'empty.yaml')).toEqual([]);
  });
});

describe('loadCatalogFile', () => {
  it('loads from disk and reports a missing file as not-found', async () => {
    const media = tempMedia();
    try {
      const file = path.join(media.dir, 'catalog.yaml');
      writeFileSync(file, '- {id: x, src: x.mp4}\n');
      expect(await loadCatalogFile(file)).toEqual([{ id: 'x', src: 'x.mp4' }]);
      await expect(loadCatalogFile(path.join(media.dir, 'nope.yaml'))).rejects.toMatchObject({
        code: 'not-found',
      });
    } finally {
      media.cleanup();
    }
  });
});
