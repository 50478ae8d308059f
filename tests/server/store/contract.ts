/**
 * The CreditsStore contract: every store (SQLite, PostgreSQL) must pass these. Each test
 * gets a fresh, empty store from `open`; `reopen` (optional) opens the same data again.
 */
import { describe, expect, it } from 'vitest';
import type { DetectionResult } from '../../../server/detector/types.js';
import type { EpisodeFingerprints } from '../../../server/fingerprint/types.js';
import type { CreditsStore } from '../../../server/store/types.js';

export interface StoreFactory {
  /** A fresh empty store, plus a way to open the same data again (for persistence). */
  open(): Promise<{ store: CreditsStore; reopen(): Promise<CreditsStore> }>;
}

export const detection = (creditsStart: number, modelVersion = 'm1'): DetectionResult => ({
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

export function describeStoreContract(name: string, factory: StoreFactory, skip = false): void {
  describe.skipIf(skip)(`CreditsStore contract: ${name}`, () => {
    it('keys results by title + fingerprint + model version, and survives reopening', async () => {
      const { store, reopen } = await factory.open();
      await store.putTitle({ id: 'a', src: 'a.mp4' }, 'admin');
      await store.putResult({
        titleId: 'a',
        fingerprint: 'f1',
        modelVersion: 'm1',
        result: detection(80),
        createdAt: 1,
      });
      expect((await store.getResult('a', 'f1', 'm1'))?.result).toEqual(detection(80));
      expect(await store.getResult('a', 'f2', 'm1')).toBeUndefined(); // re-encoded file
      expect(await store.getResult('a', 'f1', 'm2')).toBeUndefined(); // new model
      expect((await store.getResult('a', 'f1'))?.modelVersion).toBe('m1'); // newest for the media
      await store.close();

      const again = await reopen();
      expect((await again.getResult('a', 'f1', 'm1'))?.result.creditsStart).toBe(80);
      expect(await again.getTitle('a')).toMatchObject({ id: 'a', src: 'a.mp4', origin: 'admin' });
      await again.close();
    });

    it('answers the newest model for a media when no model is asked for', async () => {
      const { store } = await factory.open();
      await store.putResult({
        titleId: 'a',
        fingerprint: 'f',
        modelVersion: 'm1',
        result: detection(10, 'm1'),
        createdAt: 1,
      });
      await store.putResult({
        titleId: 'a',
        fingerprint: 'f',
        modelVersion: 'm2',
        result: detection(20, 'm2'),
        createdAt: 2,
      });
      expect(await store.getResult('a', 'f')).toMatchObject({ modelVersion: 'm2', createdAt: 2 });
      expect((await store.getResult('a', 'f', 'm1'))?.result.creditsStart).toBe(10);
      // Same key again: replaced, not duplicated.
      await store.putResult({
        titleId: 'a',
        fingerprint: 'f',
        modelVersion: 'm1',
        result: detection(11, 'm1'),
        createdAt: 3,
      });
      expect(await store.getResult('a', 'f')).toMatchObject({ modelVersion: 'm1', createdAt: 3 });
      await store.close();
    });

    it('drops results of older media and clears failures when a new result lands', async () => {
      const { store } = await factory.open();
      await store.putResult({
        titleId: 'a',
        fingerprint: 'old',
        modelVersion: 'm1',
        result: detection(10),
        createdAt: 1,
      });
      await store.putFailure({
        titleId: 'a',
        fingerprint: 'new',
        error: { code: 'timeout', message: 'slow', hint: 'wait', retryable: true },
        createdAt: 2,
      });
      expect(await store.getFailure('a', 'new')).toEqual({
        titleId: 'a',
        fingerprint: 'new',
        error: { code: 'timeout', message: 'slow', hint: 'wait', retryable: true },
        createdAt: 2,
      });
      expect(await store.getFailure('a', 'old')).toBeUndefined();
      await store.putResult({
        titleId: 'a',
        fingerprint: 'new',
        modelVersion: 'm1',
        result: detection(20),
        createdAt: 3,
      });
      expect(await store.getResult('a', 'old', 'm1')).toBeUndefined();
      expect(await store.getFailure('a', 'new')).toBeUndefined();
      await store.putFailure({
        titleId: 'a',
        fingerprint: 'x',
        error: { code: 'not-a-video', message: 'bad', retryable: false },
        createdAt: 4,
      });
      await store.clearFailures('a');
      expect(await store.getFailure('a', 'x')).toBeUndefined();
      await store.close();
    });

    it('clears failures by error code across titles, keeping the others', async () => {
      const { store, reopen } = await factory.open();
      const fail = (titleId: string, code: 'model-missing' | 'ffmpeg-missing' | 'not-a-video') =>
        store.putFailure({
          titleId,
          fingerprint: `f-${titleId}`,
          error: { code, message: code, retryable: false },
          createdAt: 1,
        });
      await fail('a', 'model-missing');
      await fail('b', 'ffmpeg-missing');
      await fail('c', 'not-a-video');
      expect(await store.clearFailuresWithCodes(['model-missing', 'ffmpeg-missing'])).toBe(2);
      expect(await store.getFailure('a', 'f-a')).toBeUndefined();
      expect(await store.getFailure('b', 'f-b')).toBeUndefined();
      expect((await store.getFailure('c', 'f-c'))?.error.code).toBe('not-a-video');
      expect(await store.clearFailuresWithCodes([])).toBe(0);
      await store.close();
      const again = await reopen();
      expect(await again.clearFailuresWithCodes(['model-missing'])).toBe(0);
      expect((await again.getFailure('c', 'f-c'))?.error.code).toBe('not-a-video');
      await again.close();
    });

    it('keeps manual overrides apart from results (re-analysis never touches them)', async () => {
      const { store } = await factory.open();
      const put = await store.putOverride('a', {
        creditsStart: 50.5,
        creditsEnd: null,
        duration: null,
        note: 'checked by hand',
      });
      for (const [fingerprint, model, at] of [
        ['f', 'm1', 1],
        ['g', 'm2', 2],
      ] as const) {
        await store.putResult({
          titleId: 'a',
          fingerprint,
          modelVersion: model,
          result: detection(70),
          createdAt: at,
        });
      }
      expect(await store.getOverride('a')).toEqual(put);
      expect(put).toMatchObject({ titleId: 'a', creditsStart: 50.5, note: 'checked by hand' });
      // The scene after the credits is kept with it, and replaced with the override.
      await store.putOverride('a', {
        creditsStart: 50.5,
        creditsEnd: 60,
        duration: 70,
        note: null,
        postCredits: { start: 62, end: 70 },
      });
      expect(await store.getOverride('a')).toMatchObject({ postCredits: { start: 62, end: 70 } });
      await store.putOverride('a', {
        creditsStart: 50.5,
        creditsEnd: null,
        duration: null,
        note: null,
      });
      expect((await store.getOverride('a'))?.postCredits).toBeUndefined();
      expect(await store.deleteOverride('a')).toBe(true);
      expect(await store.deleteOverride('a')).toBe(false);
      expect(await store.getOverride('a')).toBeUndefined();
      await store.close();
    });

    it('syncs catalog titles without touching titles registered through the admin API', async () => {
      const { store } = await factory.open();
      await store.putTitle({ id: 'admin', src: 'mine.mp4' }, 'admin');
      expect(
        await store.syncCatalog([
          { id: 'a', src: 'a.mp4', series: 's', season: 1, episode: 1, title: 'A' },
          { id: 'b', src: 'b.mp4' },
          { id: 'admin', src: 'catalog-says.mp4' },
        ]),
      ).toEqual({ added: 2, updated: 0, removed: 0 });
      expect(await store.getTitle('a')).toMatchObject({
        series: 's',
        season: 1,
        episode: 1,
        title: 'A',
      });
      expect(
        await store.syncCatalog([{ id: 'a', src: 'a2.mp4', series: 's', episode: 1 }]),
      ).toEqual({ added: 0, updated: 1, removed: 1 });
      expect(
        await store.syncCatalog([{ id: 'a', src: 'a2.mp4', series: 's', episode: 1 }]),
      ).toEqual({ added: 0, updated: 0, removed: 0 });
      const titles = await store.listTitles();
      expect(titles.map((t) => [t.id, t.src, t.origin])).toEqual([
        ['a', 'a2.mp4', 'catalog'],
        ['admin', 'mine.mp4', 'admin'],
      ]);
      expect((await store.seriesTitles('s')).map((t) => t.id)).toEqual(['a']);
      expect(await store.deleteTitle('a')).toBe(true);
      expect(await store.deleteTitle('a')).toBe(false);
      expect(await store.getTitle('a')).toBeUndefined();
      await store.ping();
      await store.close();
    });

    it('lists every title with its newest result, failure and override (titleSummaries)', async () => {
      const { store } = await factory.open();
      await store.putTitle({ id: 'b', src: 'b.mp4', series: 's', episode: 2 }, 'admin');
      await store.putTitle({ id: 'a', src: 'a.mp4', series: 's', episode: 1 }, 'admin');
      await store.putTitle({ id: 'c', src: 'c.mp4' }, 'admin');
      await store.putTitle({ id: 'd', src: 'd.mp4' }, 'admin');
      await store.putResult({
        titleId: 'a',
        fingerprint: 'f1',
        modelVersion: 'm1',
        result: detection(80),
        createdAt: 1,
      });
      await store.putResult({
        titleId: 'a',
        fingerprint: 'f1',
        modelVersion: 'm2',
        result: detection(81, 'm2'),
        createdAt: 2,
      });
      const error = {
        code: 'corrupt-media' as const,
        message: 'b.mp4 is truncated',
        retryable: false,
      };
      await store.putFailure({ titleId: 'b', fingerprint: 'f9', error, createdAt: 3 });
      await store.putOverride('c', {
        creditsStart: 50,
        creditsEnd: null,
        duration: 60,
        note: null,
      });
      // The season's intro row, so the list can answer as the credits route does.
      const intro = {
        titleId: 'a',
        fingerprint: 'f1',
        seasonKey: 'k1',
        intro: null,
        reason: 'nothing-shared' as const,
        closing: { start: 80, end: 95, confidence: 1 },
        createdAt: 4,
      };
      await store.putIntros([intro]);
      const all = await store.titleSummaries();
      expect(all.map((s) => s.title.id)).toEqual(['a', 'b', 'c', 'd']);
      expect(all[0]?.intro).toEqual(intro);
      expect(all[1]).not.toHaveProperty('intro');
      expect(all[0]?.result).toMatchObject({ modelVersion: 'm2', fingerprint: 'f1', createdAt: 2 });
      expect(all[0]?.result?.result).toEqual(detection(81, 'm2'));
      expect(all[1]?.failure).toMatchObject({ fingerprint: 'f9', error, createdAt: 3 });
      expect(all[2]?.override).toMatchObject({ titleId: 'c', creditsStart: 50, duration: 60 });
      expect(all[3]).toEqual({ title: expect.objectContaining({ id: 'd' }) });
      expect((await store.titleSummaries('s')).map((s) => s.title.id)).toEqual(['a', 'b']);
      expect(await store.titleSummaries('none')).toEqual([]);
      await store.close();
    });
    it("keeps each title's intro from its season's analysis, replaced by the next, across reopening", async () => {
      const { store, reopen } = await factory.open();
      expect(await store.getIntro('a')).toBeUndefined();
      const intro = { start: 12.5, end: 41.25, confidence: 0.5 };
      await store.putIntros([
        { titleId: 'a', fingerprint: 'f1', seasonKey: 'k1', intro, reason: null, createdAt: 1 },
        {
          titleId: 'b',
          fingerprint: 'f2',
          seasonKey: 'k1',
          intro: null,
          reason: 'nothing-shared',
          closing: { start: 80, end: 95, confidence: 1 },
          createdAt: 1,
        },
      ]);
      expect(await store.getIntro('a')).toEqual({
        titleId: 'a',
        fingerprint: 'f1',
        seasonKey: 'k1',
        intro,
        reason: null,
        closing: null,
        createdAt: 1,
      });
      expect(await store.getIntro('b')).toMatchObject({
        intro: null,
        reason: 'nothing-shared',
        closing: { start: 80, end: 95, confidence: 1 },
      });
      // The detection re-run bounded by the end music is kept beside it (issue 22).
      const bounded = {
        from: { creditsStart: 61.5, modelVersion: 'm1' },
        creditsStart: 78.5,
        creditsEnd: 95,
        segments: [{ kind: 'credits' as const, start: 78.5, end: 95 }],
        confidence: 0.8,
      };
      const c = {
        titleId: 'c',
        fingerprint: 'f3',
        seasonKey: 'k1',
        intro,
        reason: null,
        closing: { start: 80, end: 95, confidence: 1 },
        bounded,
        createdAt: 1,
      };
      await store.putIntros([c]);
      expect(await store.getIntro('c')).toEqual(c);
      // Or, where that re-run failed on the media, the failure (not tried again for it).
      const failed = {
        ...c,
        titleId: 'd',
        bounded: undefined,
        boundedFailure: {
          from: { creditsStart: 61.5, modelVersion: 'm1' },
          bound: 77,
          error: { code: 'corrupt-media' as const, message: 'd.mp4: bad', retryable: false },
          createdAt: 1,
        },
      };
      await store.putIntros([failed]);
      const { bounded: _none, ...storedFailed } = failed;
      expect(await store.getIntro('d')).toEqual(storedFailed);
      // The season again with one more episode: each row is replaced, not duplicated.
      await store.putIntros([
        { titleId: 'b', fingerprint: 'f2', seasonKey: 'k2', intro, reason: null, createdAt: 2 },
      ]);
      expect(await store.getIntro('b')).toMatchObject({ seasonKey: 'k2', intro, reason: null });
      await store.close();
      const again = await reopen();
      expect(await again.getIntro('a')).toMatchObject({ seasonKey: 'k1', intro });
      expect(await again.getIntro('b')).toMatchObject({ seasonKey: 'k2', createdAt: 2 });
      await again.close();
    });

    it('keeps episode fingerprints by source, a miss for other media, windows or speed', async () => {
      const { store, reopen } = await factory.open();
      const value: EpisodeFingerprints = {
        kind: 'fingerprinted',
        duration: 100,
        opening: { start: 0, items: Uint32Array.from([1, 2, 0xffffffff]), itemCenter: 1.25 },
        closing: { start: 75, items: Uint32Array.from([7, 8]), itemCenter: 1.25 },
      };
      const key = { source: '/m/a.mp4', mediaFingerprint: 'f1' };
      const cache = store.fingerprintCache();
      expect(await cache.get(key)).toBeUndefined();
      await cache.put(key, value);
      const read = await cache.get(key);
      expect(read?.kind).toBe('fingerprinted');
      if (read?.kind !== 'fingerprinted') throw new Error('unreachable');
      expect([...read.opening.items]).toEqual([1, 2, 0xffffffff]);
      expect(read.closing.start).toBe(75);
      expect(await cache.get({ ...key, mediaFingerprint: 'f2' })).toBeUndefined(); // re-encoded
      expect(await cache.get({ ...key, speed: 1.043 })).toBeUndefined();
      expect(await cache.get({ ...key, windows: { openingMaxSeconds: 300 } })).toBeUndefined();
      await cache.put(
        { ...key, mediaFingerprint: 'f2' },
        { kind: 'no-audio', duration: 9, reason: 'x' },
      );
      expect(await cache.get(key)).toBeUndefined(); // replaced by the new media's
      await store.close();
      const again = await reopen();
      expect(await again.fingerprintCache().get({ ...key, mediaFingerprint: 'f2' })).toEqual({
        kind: 'no-audio',
        duration: 9,
        reason: 'x',
      });
      await again.close();
    });
  });
}
