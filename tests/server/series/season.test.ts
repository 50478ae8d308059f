/**
 * analyzeSeason with synthetic fingerprints (no ffmpeg): a fake reader stands for ffmpeg, so
 * what is read when (the cache, PAL speeds) and how bad episodes are answered can be checked.
 */
import { describe, expect, it } from 'vitest';
import { EndcueError } from '../../../server/errors.js';
import type { FingerprintCache, FingerprintKey } from '../../../server/fingerprint/cache.js';
import {
  type AudioFingerprint,
  type EpisodeFingerprints,
  ITEM_SECONDS,
} from '../../../server/fingerprint/types.js';
import { analyzeSeason, type EpisodeReader, PAL_SPEED } from '../../../server/series/season.js';
import { episode, randomItems } from './synthetic.js';

const theme = randomItems(7, 22);
const endMusic = randomItems(8, 40);
const chanceChunk = randomItems(555, 20);

/** A closing window: story, then the season's end music from `musicAt` to the end. */
function closing(seed: number, musicAt: number, music = endMusic): AudioFingerprint {
  const fp = episode(music, { seed: seed + 300, introAt: musicAt, seconds: musicAt + 40 });
  return { ...fp, start: 1000 };
}

type Plan =
  | {
      introAt: number;
      musicAt: number;
      seed: number;
      /** The theme only at PAL speed (a sped-up episode), or never (an episode without it). */
      theme?: 'pal-only' | 'none';
      finale?: boolean;
      /** 20 s of audio at 150 s that only the episodes with this flag share (chance, a recap). */
      chance?: boolean;
    }
  | { silent: true }
  | { error: EndcueError };

/** A reader that serves `plans` by path ('ep1'...), and counts what it was asked. */
function fakeReader(plans: Record<string, Plan>) {
  const calls: { path: string; speed: number }[] = [];
  const read: EpisodeReader = async (path, options = {}) => {
    const speed = options.speed ?? 1;
    calls.push({ path, speed });
    const plan = plans[path];
    if (!plan) throw new Error(`no plan for ${path}`);
    if ('error' in plan) throw plan.error;
    if ('silent' in plan)
      return { kind: 'no-audio', duration: 1200, reason: `${path} has no audio stream` };
    // A PAL episode shares its theme only when its speed-up is undone.
    const opening =
      (plan.theme === 'pal-only' && speed !== PAL_SPEED) || plan.theme === 'none'
        ? { start: 0, items: randomItems(plan.seed + 50, 200) }
        : episode(theme, {
            seed: plan.seed,
            // A sped-up file's times read 1.043x longer in its undone fingerprint.
            introAt: plan.introAt * speed,
            seconds: 200,
          });
    if (plan.chance) opening.items.set(chanceChunk, Math.round(150 / ITEM_SECONDS));
    const music = plan.finale ? randomItems(plan.seed + 77, 40) : endMusic;
    const fingerprints: EpisodeFingerprints = {
      kind: 'fingerprinted',
      duration: 1200,
      opening: speed === 1 ? opening : { ...opening, speed },
      closing: closing(plan.seed, plan.musicAt, music),
    };
    return fingerprints;
  };
  return { read, calls };
}

const round = (seconds: number | undefined) =>
  seconds === undefined ? undefined : Math.round(seconds * 2) / 2;

describe('analyzeSeason', () => {
  it('answers each episode in the order given: its intro and its shared end music', async () => {
    const { read } = fakeReader({
      ep1: { seed: 11, introAt: 0, musicAt: 20 },
      ep2: { seed: 23, introAt: 35, musicAt: 50 },
      ep3: { seed: 37, introAt: 12, musicAt: 5 },
    });
    const answers = await analyzeSeason([{ path: 'ep1' }, { path: 'ep2' }, { path: 'ep3' }], {
      read,
    });
    expect(answers.map((a) => [round(a.intro?.start), round(a.intro?.end)])).toEqual([
      [0, 22],
      [35, 57],
      [12, 34],
    ]);
    expect(answers.map((a) => a.introReason)).toEqual([null, null, null]);
    // The closing window starts 1000 s into the file: the music at 1020, 1050 and 1005 s.
    const music = answers.map((a) => a.closing?.start ?? Number.NaN);
    for (const [i, at] of [1020, 1050, 1005].entries()) {
      expect(Math.abs((music[i] as number) - at), `episode ${i + 1}`).toBeLessThan(0.6);
    }
    expect(answers.map((a) => a.intro?.confidence)).toEqual([1, 1, 1]);
    expect(answers.map((a) => a.speed)).toEqual([1, 1, 1]);
  });

  it('gives a finale with other end music no closing music, and keeps its intro', async () => {
    const { read } = fakeReader({
      ep1: { seed: 11, introAt: 0, musicAt: 20 },
      ep2: { seed: 23, introAt: 35, musicAt: 50 },
      ep3: { seed: 37, introAt: 12, musicAt: 5, finale: true },
    });
    const answers = await analyzeSeason([{ path: 'ep1' }, { path: 'ep2' }, { path: 'ep3' }], {
      read,
    });
    expect(answers[2]?.closing).toBeNull();
    expect(answers[2]?.closingReason).toBe('nothing-shared');
    expect(round(answers[2]?.intro?.start)).toBe(12);
    expect(answers[0]?.closing?.confidence).toBe(0.5);
  });

  it('answers a bad episode with its reason and still analyses its siblings', async () => {
    const { read } = fakeReader({
      ep1: { seed: 11, introAt: 0, musicAt: 20 },
      silent: { silent: true },
      broken: { error: new EndcueError('corrupt-media', 'broken: moov atom not found') },
      ep2: { seed: 23, introAt: 35, musicAt: 50 },
    });
    const answers = await analyzeSeason(
      [{ path: 'ep1' }, { path: 'silent' }, { path: 'broken' }, { path: 'ep2' }],
      { read },
    );
    expect(answers.map((a) => a.introReason)).toEqual([null, 'no-audio', 'unreadable', null]);
    expect(answers[1]?.message).toBe('silent has no audio stream');
    expect(answers[2]?.message).toMatch(/^broken: moov atom not found/);
    expect(answers[2]?.closing).toBeNull();
    // Two siblings with audio: each shares with the one other, confidence 1.
    expect(answers[0]?.intro?.confidence).toBe(1);
  });

  it("answers 'ffmpeg-missing' for every episode when ffmpeg cannot fingerprint, naming what to install", async () => {
    const missing = new EndcueError('ffmpeg-missing', 'ffmpeg has no chromaprint muxer');
    const { read } = fakeReader({ ep1: { error: missing }, ep2: { error: missing } });
    const answers = await analyzeSeason([{ path: 'ep1' }, { path: 'ep2' }], { read });
    expect(answers.map((a) => a.introReason)).toEqual(['ffmpeg-missing', 'ffmpeg-missing']);
    expect(answers[0]?.message).toMatch(/--enable-chromaprint/);
  });

  it("answers 'no-siblings' for a season of one episode", async () => {
    const { read } = fakeReader({ ep1: { seed: 11, introAt: 0, musicAt: 20 } });
    const [answer] = await analyzeSeason([{ path: 'ep1' }], { read });
    expect(answer?.intro).toBeNull();
    expect(answer?.introReason).toBe('no-siblings');
    expect(answer?.closingReason).toBe('no-siblings');
  });

  it('reads siblings from the cache: adding an episode reads only the new one', async () => {
    const { read, calls } = fakeReader({
      ep1: { seed: 11, introAt: 0, musicAt: 20 },
      ep2: { seed: 23, introAt: 35, musicAt: 50 },
      ep3: { seed: 37, introAt: 12, musicAt: 5 },
    });
    const cache = memoryCache();
    const season = [
      { path: 'ep1', key: 'size1:mtime1' },
      { path: 'ep2', key: 'size2:mtime2' },
    ];
    await analyzeSeason(season, { read, cache });
    expect(calls.map((c) => c.path)).toEqual(['ep1', 'ep2']);
    const answers = await analyzeSeason([...season, { path: 'ep3', key: 'size3:mtime3' }], {
      read,
      cache,
    });
    expect(calls.map((c) => c.path)).toEqual(['ep1', 'ep2', 'ep3']);
    expect(answers.map((a) => round(a.intro?.start))).toEqual([0, 35, 12]);
    // A re-encode (another key) is read again.
    await analyzeSeason([{ path: 'ep1', key: 'size1:mtime9' }, season[1] as never], {
      read,
      cache,
    });
    expect(calls.map((c) => c.path)).toEqual(['ep1', 'ep2', 'ep3', 'ep1']);
  });

  it('keeps the PAL speed at which an episode that shared nothing shares its intro', async () => {
    const { read, calls } = fakeReader({
      ep1: { seed: 11, introAt: 0, musicAt: 20 },
      pal: { seed: 23, introAt: 35, musicAt: 50, theme: 'pal-only' },
      ep3: { seed: 37, introAt: 12, musicAt: 5 },
    });
    const answers = await analyzeSeason([{ path: 'ep1' }, { path: 'pal' }, { path: 'ep3' }], {
      read,
    });
    expect(answers[1]?.speed).toBe(PAL_SPEED);
    expect(round(answers[1]?.intro?.start)).toBe(35);
    expect(answers[0]?.intro?.confidence).toBe(1);
    // Both speeds were tried for that episode only.
    expect(calls.filter((c) => c.speed !== 1)).toEqual([
      { path: 'pal', speed: PAL_SPEED },
      { path: 'pal', speed: 1 / PAL_SPEED },
    ]);
  });

  it('tries the PAL speeds for an episode that shares only with one sibling, by chance', async () => {
    const { read, calls } = fakeReader({
      ep1: { seed: 11, introAt: 0, musicAt: 20, chance: true },
      ep2: { seed: 23, introAt: 35, musicAt: 50 },
      ep3: { seed: 37, introAt: 12, musicAt: 5 },
      pal: { seed: 41, introAt: 20, musicAt: 8, theme: 'pal-only', chance: true },
    });
    const season = ['ep1', 'ep2', 'ep3', 'pal'].map((path) => ({ path }));
    const asIs = await analyzeSeason(season, { read, palSpeeds: false });
    expect(asIs[3]?.intro?.confidence).toBeCloseTo(1 / 3);
    expect(round(asIs[3]?.intro?.start)).toBe(150);
    calls.length = 0;
    const answers = await analyzeSeason(season, { read });
    expect(answers[3]?.speed).toBe(PAL_SPEED);
    expect(round(answers[3]?.intro?.start)).toBe(20);
    expect(answers[3]?.intro?.confidence).toBe(1);
    expect(calls.filter((c) => c.speed !== 1).map((c) => c.path)).toEqual(['pal', 'pal']);
  });

  it('tries both speeds for an episode without the intro, and keeps 1 when neither shares', async () => {
    const { read, calls } = fakeReader({
      ep1: { seed: 11, introAt: 0, musicAt: 20 },
      ep2: { seed: 23, introAt: 35, musicAt: 50 },
      nointro: { seed: 41, introAt: 0, musicAt: 10, theme: 'none' },
    });
    const season = [{ path: 'ep1' }, { path: 'ep2' }, { path: 'nointro' }];
    const answers = await analyzeSeason(season, { read });
    expect(answers[2]?.introReason).toBe('nothing-shared');
    expect(answers[2]?.speed).toBe(1);
    expect(answers[0]?.intro?.confidence).toBe(0.5);
    expect(calls.filter((c) => c.speed !== 1).map((c) => c.path)).toEqual(['nointro', 'nointro']);
    calls.length = 0;
    await analyzeSeason(season, { read, palSpeeds: false });
    expect(calls.map((c) => c.speed)).toEqual([1, 1, 1]);
  });

  it('tries no speeds where no two episodes share (not a season with an intro)', async () => {
    const { read, calls } = fakeReader({
      a: { seed: 11, introAt: 0, musicAt: 20, theme: 'none' },
      b: { seed: 23, introAt: 0, musicAt: 50, theme: 'none' },
      c: { seed: 37, introAt: 0, musicAt: 5, theme: 'none' },
    });
    const answers = await analyzeSeason([{ path: 'a' }, { path: 'b' }, { path: 'c' }], { read });
    expect(answers.map((a) => a.introReason)).toEqual([
      'nothing-shared',
      'nothing-shared',
      'nothing-shared',
    ]);
    expect(calls).toHaveLength(3);
  });
});

function memoryCache(): FingerprintCache {
  const rows = new Map<string, { key: string; value: EpisodeFingerprints }>();
  const id = (key: FingerprintKey) => `${key.mediaFingerprint} ${key.speed ?? 1}`;
  return {
    get: (key) => {
      const row = rows.get(`${key.source} ${key.speed ?? 1}`);
      return row && row.key === id(key) ? row.value : undefined;
    },
    put: (key, value) => rows.set(`${key.source} ${key.speed ?? 1}`, { key: id(key), value }),
  };
}
