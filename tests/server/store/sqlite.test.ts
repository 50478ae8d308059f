import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import type { DetectionResult } from '../../../server/detector/types.js';
import { migrate, SCHEMA_VERSION, SqliteCreditsStore } from '../../../server/store/sqlite.js';
import { type TempMedia, tempMedia } from '../http/fakes.js';

const result = (creditsStart: number, modelVersion = 'm1'): DetectionResult => ({
  file: 'a.mp4',
  duration: 100,
  fps: 25,
  creditsStart,
  creditsEnd: 100,
  frame: creditsStart * 25,
  confidence: 0.8,
  segments: [{ kind: 'credits', start: creditsStart, end: 100 }],
  modelVersion,
  backend: 'fake',
  elapsedMs: 5,
});

let media: TempMedia | undefined;
afterEach(() => {
  media?.cleanup();
  media = undefined;
});

describe('SqliteCreditsStore', () => {
  it('creates the schema once, in WAL mode, with a versioned migration count', async () => {
    media = tempMedia();
    const store = new SqliteCreditsStore(media.dataDir);
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(migrate(store.db)).toBe(SCHEMA_VERSION); // idempotent
    await store.close();
  });

  it('refuses a database from a newer EndCue', () => {
    const db = new Database(':memory:');
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    expect(() => migrate(db)).toThrow(/newer/);
    db.close();
  });

  it('keys results by title + fingerprint + model version, and survives reopening', async () => {
    media = tempMedia();
    const store = new SqliteCreditsStore(media.dataDir);
    await store.putTitle({ id: 'a', src: 'a.mp4' }, 'admin');
    await store.putResult({
      titleId: 'a',
      fingerprint: 'f1',
      modelVersion: 'm1',
      result: result(80),
      createdAt: 1,
    });
    expect((await store.getResult('a', 'f1', 'm1'))?.result.creditsStart).toBe(80);
    expect(await store.getResult('a', 'f2', 'm1')).toBeUndefined(); // re-encoded file
    expect(await store.getResult('a', 'f1', 'm2')).toBeUndefined(); // new model
    expect((await store.getResult('a', 'f1'))?.modelVersion).toBe('m1'); // newest for the media
    await store.close();

    const reopened = new SqliteCreditsStore(path.join(media.dataDir, 'endcue.db'));
    expect((await reopened.getResult('a', 'f1', 'm1'))?.result.creditsStart).toBe(80);
    expect((await reopened.getTitle('a'))?.src).toBe('a.mp4');
    await reopened.close();
  });

  it('drops results of older media and clears failures when a new result lands', async () => {
    const store = new SqliteCreditsStore(':memory:');
    await store.putResult({
      titleId: 'a',
      fingerprint: 'old',
      modelVersion: 'm1',
      result: result(10),
      createdAt: 1,
    });
    await store.putFailure({
      titleId: 'a',
      fingerprint: 'new',
      error: { code: 'timeout', message: 'slow', retryable: true },
      createdAt: 2,
    });
    expect((await store.getFailure('a', 'new'))?.error.code).toBe('timeout');
    await store.putResult({
      titleId: 'a',
      fingerprint: 'new',
      modelVersion: 'm1',
      result: result(20),
      createdAt: 3,
    });
    expect(await store.getResult('a', 'old', 'm1')).toBeUndefined();
    expect(await store.getFailure('a', 'new')).toBeUndefined();
    await store.close();
  });

  it('keeps manual overrides apart from results (re-analysis never touches them)', async () => {
    const store = new SqliteCreditsStore(':memory:');
    await store.putOverride('a', {
      creditsStart: 50,
      creditsEnd: null,
      duration: null,
      note: 'checked by hand',
    });
    await store.putResult({
      titleId: 'a',
      fingerprint: 'f',
      modelVersion: 'm1',
      result: result(70),
      createdAt: 1,
    });
    await store.putResult({
      titleId: 'a',
      fingerprint: 'g',
      modelVersion: 'm2',
      result: result(71),
      createdAt: 2,
    });
    expect(await store.getOverride('a')).toMatchObject({
      creditsStart: 50,
      note: 'checked by hand',
    });
    expect(await store.deleteOverride('a')).toBe(true);
    expect(await store.deleteOverride('a')).toBe(false);
    await store.close();
  });

  it('syncs catalog titles without touching titles registered through the admin API', async () => {
    const store = new SqliteCreditsStore(':memory:');
    await store.putTitle({ id: 'admin', src: 'mine.mp4' }, 'admin');
    expect(
      await store.syncCatalog([
        { id: 'a', src: 'a.mp4', series: 's', episode: 1 },
        { id: 'b', src: 'b.mp4' },
        { id: 'admin', src: 'catalog-says.mp4' },
      ]),
    ).toEqual({ added: 2, updated: 0, removed: 0 });
    expect(await store.syncCatalog([{ id: 'a', src: 'a2.mp4', series: 's', episode: 1 }])).toEqual({
      added: 0,
      updated: 1,
      removed: 1,
    });
    const titles = await store.listTitles();
    expect(titles.map((t) => [t.id, t.src, t.origin])).toEqual([
      ['a', 'a2.mp4', 'catalog'],
      ['admin', 'mine.mp4', 'admin'],
    ]);
    expect((await store.seriesTitles('s')).map((t) => t.id)).toEqual(['a']);
    expect(await store.deleteTitle('a')).toBe(true);
    expect(await store.getTitle('a')).toBeUndefined();
    await store.close();
  });
});
