/**
 * The season job (issue 22) on plain data: which titles form a season and what it is
 * called, whether a stored intro still holds, and the job itself with a fake analysis.
 */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Title } from '../../../server/catalog/title.js';
import type { DetectionResult, DetectOptions } from '../../../server/detector/types.js';
import { EndcueError, type EndcueErrorCode } from '../../../server/errors.js';
import { creditsAnswer } from '../../../server/http/answer.js';
import { resolveSource, type SourcePolicy } from '../../../server/media/sources.js';
import { createSeasonHandler, NO_EGRESS_PROXY } from '../../../server/queue/season-job.js';
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
import type { BoundedCredits, StoredIntro } from '../../../server/store/types.js';
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
  /** Media a.mp4 and b.mp4 under a fresh root, an empty store, and a policy for that root. */
  const twoEpisodes = (allowedHosts: string[] = []) => {
    const root = tempMedia();
    media = root;
    root.write('a.mp4', 'a');
    root.write('b.mp4', 'b');
    const store = new SqliteCreditsStore(':memory:');
    const policy: SourcePolicy = {
      mediaRoots: [root.root],
      allowedHosts,
      allowPrivateNetworks: false,
    };
    return { media: root, store, policy };
  };

  it('analyses the season files, stores every intro with its key, and skips it when nothing changed', async () => {
    const { media: root, store, policy } = twoEpisodes(['cdn.example.com']);
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
    expect(calls).toEqual([['a.mp4', 'b.mp4']]); // no egress proxy: the URL title is not read
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
      NO_EGRESS_PROXY,
      'b.mp4 has no audio stream',
    ]);

    await handler.run(job(id), context); // a sibling's analysis asked again: nothing changed
    expect(calls).toHaveLength(1);
    await handler.run(job(id, true), context); // forced
    expect(calls).toHaveLength(2);
    root.write('c.mp4', 'c');
    await store.putTitle(ep('c', 1), 'catalog'); // a new episode
    await handler.run(job(id), context);
    expect(calls.at(-1)).toEqual(['a.mp4', 'b.mp4', 'c.mp4']);
    await store.close();
  });

  it('fingerprints URL episodes through the egress proxy it is given, keyed by their media fingerprint', async () => {
    const { store, policy } = twoEpisodes(['cdn.example.com']);
    await store.putTitle(ep('a', 1), 'catalog');
    await store.putTitle({ ...ep('web', 1), src: 'https://cdn.example.com/web.mkv' }, 'admin');
    const seen: { paths: string[]; keys: (string | undefined)[]; proxy?: string }[] = [];
    const analyze: typeof analyzeSeason = async (episodes, deps) => {
      seen.push({
        paths: episodes.map((e) => e.path),
        keys: episodes.map((e) => e.key),
        ...(deps?.httpProxy ? { proxy: deps.httpProxy } : {}),
      });
      return episodes.map(() => ({
        intro: { start: 1, end: 21, confidence: 1 },
        introReason: null,
        closing: null,
        closingReason: null,
        speed: 1,
      }));
    };
    const handler = createSeasonHandler({
      store,
      policy,
      analyze,
      httpProxy: 'http://127.0.0.1:9',
      sourceDeps: {
        fetch: async () =>
          new Response(null, { status: 200, headers: { etag: '"v1"', 'content-length': '10' } }),
        lookup: async () => [{ address: '93.184.216.34', family: 4 }],
      },
    });
    await handler.run(job(seasonJobId({ series: 'Show', season: 1 })), context);
    expect(seen).toHaveLength(1);
    expect(seen[0]?.paths[1]).toBe('https://cdn.example.com/web.mkv');
    // The cache key is the media fingerprint its results are keyed by (sources.ts).
    const web = await resolveSource('https://cdn.example.com/web.mkv', policy, {
      fetch: async () =>
        new Response(null, { status: 200, headers: { etag: '"v1"', 'content-length': '10' } }),
      lookup: async () => [{ address: '93.184.216.34', family: 4 }],
    });
    expect(seen[0]?.keys[1]).toBe(web.fingerprint);
    expect(seen[0]?.proxy).toBe('http://127.0.0.1:9');
    expect(await store.getIntro('web')).toMatchObject({
      fingerprint: web.fingerprint,
      intro: { start: 1, end: 21 },
      reason: null,
    });
    await store.close();
  });

  /**
   * A season of a and b with a detector: a's start (60 s, a dark last scene) lies before the
   * shared end music (80-100 s, bound 77 s), b's (81 s) agrees with it. The detector's re-run
   * answers half a second after the bound it is given; `failNext` makes it fail with that code.
   */
  const boundedSeason = async () => {
    const { media: root, store, policy } = twoEpisodes();
    const titles = [ep('a', 1), ep('b', 1)];
    for (const title of titles) await store.putTitle(title, 'catalog');
    const fingerprint = async (title: Title) =>
      (await resolveSource(title.src, policy)).fingerprint;
    const result = (creditsStart: number, modelVersion = 'm1'): DetectionResult => ({
      file: 'x.mp4',
      duration: 100,
      fps: 25,
      creditsStart,
      creditsEnd: 100,
      frame: creditsStart * 25,
      confidence: 0.6,
      segments: [{ kind: 'credits', start: creditsStart, end: 100 }],
      modelVersion,
      backend: 'fake',
      elapsedMs: 1,
    });
    const putResult = async (title: Title, creditsStart: number, modelVersion = 'm1') =>
      store.putResult({
        titleId: title.id,
        fingerprint: await fingerprint(title),
        modelVersion,
        result: result(creditsStart, modelVersion),
        createdAt: 1,
      });
    /** A new episode whose start agrees with the music. */
    const addEpisode = async (id: string) => {
      root.write(`${id}.mp4`, id);
      titles.push(ep(id, 1));
      await store.putTitle(ep(id, 1), 'catalog');
      await putResult(ep(id, 1), 81);
    };
    await putResult(ep('a', 1), 60);
    await putResult(ep('b', 1), 81);
    const state = {
      music: { start: 80, end: 100, confidence: 1 },
      analyses: 0,
      /** The code the detector's next re-runs fail with; null: they succeed. */
      failNext: null as EndcueErrorCode | null,
      reruns: [] as { file: string; notBefore: number | undefined }[],
      warnings: [] as string[],
    };
    const analyze: typeof analyzeSeason = async (episodes) => {
      state.analyses++;
      return episodes.map(() => ({
        intro: { start: 1, end: 21, confidence: 1 },
        introReason: null,
        closing: state.music,
        closingReason: null,
        speed: 1,
      }));
    };
    const detect = async (source: string, options: DetectOptions = {}) => {
      state.reruns.push({ file: path.basename(source), notBefore: options.notBefore });
      if (state.failNext) throw new EndcueError(state.failNext, `${source}: gone bad`);
      return result((options.notBefore ?? 0) + 0.5);
    };
    const handler = createSeasonHandler({
      store,
      policy,
      analyze,
      detect,
      log: { warn: (_obj, message) => void state.warnings.push(message) },
    });
    const id = seasonJobId({ series: 'Show', season: 1 });
    const runJob = (force = false) => handler.run(job(id, force), context);
    /** The credits answer as GET /v1/titles/:id/credits gives it. */
    const answerOf = async (title: Title) => {
      const fp = await fingerprint(title);
      const intro = currentIntro(title, titles, await store.getIntro(title.id), fp);
      return creditsAnswer(
        title.id,
        await store.getResult(title.id, fp),
        await store.getOverride(title.id),
        intro,
      );
    };
    return { store, state, putResult, addEpisode, runJob, answerOf };
  };

  it('re-runs the detector bounded by the shared end music for a start before it, and the answer takes it', async () => {
    const { store, state, putResult, runJob, answerOf } = await boundedSeason();
    await runJob();
    expect(state.reruns).toEqual([{ file: 'a.mp4', notBefore: 77 }]); // music.start - LEAD_SECONDS
    const storedA = await store.getIntro('a');
    expect(storedA?.bounded).toEqual({
      from: { creditsStart: 60, modelVersion: 'm1' },
      bound: 77,
      creditsStart: 77.5,
      creditsEnd: 100,
      segments: [{ kind: 'credits', start: 77.5, end: 100 }],
      confidence: 0.6,
    });
    expect((await store.getIntro('b'))?.bounded).toBeUndefined();

    // The answer: the bounded start, the single-title one beside it; b as before.
    expect(await answerOf(ep('a', 1))).toMatchObject({
      creditsStart: 77.5,
      creditsEnd: 100,
      segments: [
        { kind: 'intro', start: 1, end: 21 },
        { kind: 'credits', start: 77.5, end: 100 },
      ],
      confidence: 0.6,
      source: 'detected',
      endMusicEvidence: 'bounded-by-music',
      seriesConfidence: 0.8,
      singleCreditsStart: 60,
    });
    const b = await answerOf(ep('b', 1));
    expect(b).toMatchObject({ creditsStart: 81, endMusicEvidence: 'agrees' });
    expect(b).not.toHaveProperty('singleCreditsStart');
    // An operator's override always wins.
    await store.putOverride('a', {
      creditsStart: 70,
      creditsEnd: null,
      duration: null,
      note: null,
    });
    expect(await answerOf(ep('a', 1))).toMatchObject({ creditsStart: 70, source: 'manual' });
    expect(await answerOf(ep('a', 1))).not.toHaveProperty('endMusicEvidence');
    await store.deleteOverride('a');

    await runJob(); // nothing changed: skipped, no re-run
    expect(state.analyses).toBe(1);
    expect(state.reruns).toHaveLength(1);

    // A newer result for a: the stored re-run is stale (the answer drops it) and the next
    // season job runs it again.
    await putResult(ep('a', 1), 62, 'm2');
    expect(await answerOf(ep('a', 1))).toMatchObject({
      creditsStart: 62,
      endMusicEvidence: 'disagrees',
    });
    await runJob();
    expect(state.analyses).toBe(2);
    expect(state.reruns).toHaveLength(2);
    expect((await store.getIntro('a'))?.bounded?.from).toEqual({
      creditsStart: 62,
      modelVersion: 'm2',
    });
    expect(await answerOf(ep('a', 1))).toMatchObject({
      creditsStart: 77.5,
      singleCreditsStart: 62,
    });
    await store.close();
  });

  it('keeps a re-run that failed on the media from being tried again until the result or bound changes or a job is forced', async () => {
    const { store, state, putResult, addEpisode, runJob, answerOf } = await boundedSeason();
    state.failNext = 'corrupt-media';
    await runJob();
    expect(state.reruns).toHaveLength(1);
    const stored = await store.getIntro('a');
    expect(stored?.bounded).toBeUndefined();
    expect(stored?.boundedFailure).toMatchObject({
      from: { creditsStart: 60, modelVersion: 'm1' },
      bound: 77,
      error: { code: 'corrupt-media', retryable: false },
    });
    expect(state.warnings).toEqual([
      'season analysis: the credits re-run bounded by the end music failed; the start stands',
    ]);
    // The answer keeps the detected start, weighed by the music.
    expect(await answerOf(ep('a', 1))).toMatchObject({
      creditsStart: 60,
      endMusicEvidence: 'disagrees',
    });
    expect(await answerOf(ep('a', 1))).not.toHaveProperty('singleCreditsStart');

    await runJob(); // a sibling's analysis asks again: nothing to do
    expect(state.analyses).toBe(1);
    await addEpisode('c'); // the season again, a's result and bound the same: not retried
    await runJob();
    expect(state.analyses).toBe(2);
    expect(state.reruns).toHaveLength(1);
    expect((await store.getIntro('a'))?.boundedFailure).toEqual(stored?.boundedFailure);

    await runJob(true); // forced: tried again (and fails again)
    expect(state.reruns).toHaveLength(2);

    state.failNext = null; // a newer result: tried again, and the failure dropped
    await putResult(ep('a', 1), 62, 'm2');
    await runJob();
    expect(state.reruns).toHaveLength(3);
    expect(await store.getIntro('a')).toMatchObject({ bounded: { from: { creditsStart: 62 } } });
    expect(await store.getIntro('a')).not.toHaveProperty('boundedFailure');

    // A transient failure (here a timeout) is not kept: the next job tries again.
    state.failNext = 'timeout';
    state.music = { start: 84, end: 100, confidence: 1 }; // a new bound: 81 s
    await addEpisode('d');
    await runJob();
    expect(state.reruns.at(-1)).toEqual({ file: 'a.mp4', notBefore: 81 });
    expect(await store.getIntro('a')).not.toHaveProperty('boundedFailure');
    state.failNext = null;
    await runJob();
    expect(state.reruns).toHaveLength(5);
    expect((await store.getIntro('a'))?.bounded).toMatchObject({ bound: 81, creditsStart: 81.5 });
    await store.close();
  });

  it('keeps the stored bounded re-run when a new episode leaves the result and the bound as they were', async () => {
    const { store, state, addEpisode, runJob, answerOf } = await boundedSeason();
    await runJob();
    expect(state.reruns).toHaveLength(1);
    const first = (await store.getIntro('a'))?.bounded;

    await addEpisode('c'); // the season is analysed again, the music the same
    await runJob();
    expect(state.analyses).toBe(2);
    expect(state.reruns).toHaveLength(1);
    expect((await store.getIntro('a'))?.bounded).toEqual(first);
    expect(await answerOf(ep('a', 1))).toMatchObject({ creditsStart: 77.5 });

    // A row stored before the bound was kept ran with the bound of the music beside it.
    const row = (await store.getIntro('a')) as StoredIntro;
    const { bound: _bound, ...before } = row.bounded as BoundedCredits;
    await store.putIntros([{ ...row, bounded: before }]);
    await addEpisode('d');
    await runJob();
    expect(state.analyses).toBe(3);
    expect(state.reruns).toHaveLength(1);

    // The music moved: a bound of its own, so the detector again.
    state.music = { start: 84, end: 100, confidence: 1 };
    await addEpisode('e');
    await runJob();
    expect(state.reruns).toEqual([
      { file: 'a.mp4', notBefore: 77 },
      { file: 'a.mp4', notBefore: 81 },
    ]);
    expect((await store.getIntro('a'))?.bounded).toMatchObject({ bound: 81, creditsStart: 81.5 });

    await runJob(true); // forced: everything again
    expect(state.reruns).toHaveLength(3);
    await store.close();
  });
});
