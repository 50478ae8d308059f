/**
 * analyzeSeason through the real ffmpeg (issue 22) on a generated season: three episodes
 * with the theme after cold opens, one sped up 4.3% (PAL), one without audio and one that is
 * not media at all, with the SQLite fingerprint cache. Skipped, saying why, where ffmpeg has
 * no chromaprint muxer. The generated stories are plain tones: some seeds (6, 9) chroma-match
 * a sibling's story for 10-30 s around the theme by chance, which real story audio does not
 * (docs/series.md); these seeds don't.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqliteFingerprintCache } from '../../../server/fingerprint/cache.js';
import { fingerprintEpisode } from '../../../server/fingerprint/chromaprint.js';
import type { FfmpegBinaries } from '../../../server/media/ffmpeg.js';
import {
  analyzeSeason,
  type EpisodeReader,
  PAL_SPEED,
  type SeasonEpisode,
} from '../../../server/series/season.js';
import { chromaprintFfmpeg } from '../../fixtures/chromaprint-ffmpeg.js';
import { type GeneratedEpisode, generateEpisode } from '../fingerprint/generated-season.js';

const installed = chromaprintFfmpeg('analyzeSeason on a generated season');
const available = installed !== undefined;

describe.skipIf(!available)('analyzeSeason on a generated season (ffmpeg)', () => {
  const binaries = installed as FfmpegBinaries;
  const scratch = mkdtempSync(path.join(tmpdir(), 'endcue-season-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const plans: GeneratedEpisode[] = [
    { seed: 1, introAt: 0, themeSeconds: 20, seconds: 80, endMusicAt: 55 },
    { seed: 2, introAt: 17, themeSeconds: 20, seconds: 80, bitrate: '96k', endMusicAt: 52 },
    { seed: 3, introAt: 25, themeSeconds: 20, seconds: 80, bitrate: '64k', endMusicAt: 54 },
  ];
  const PAL_PLAN: GeneratedEpisode = { seed: 4, introAt: 30, themeSeconds: 20, seconds: 80 };
  // Short episodes: wide windows, so the theme and the 25-28 s of end music lie inside.
  const windows = { openingShare: 0.8, closingShare: 0.5 };
  const episodes: SeasonEpisode[] = [];
  const reads: string[] = [];
  const read: EpisodeReader = (source, options) => {
    reads.push(`${path.basename(source)}@${options?.speed ?? 1}`);
    return fingerprintEpisode(source, options);
  };
  const cache = new SqliteFingerprintCache(new Database(':memory:'));

  beforeAll(() => {
    for (const [i, plan] of plans.entries()) {
      const file = path.join(scratch, `ep${i + 1}.mkv`);
      generateEpisode(binaries.ffmpeg, file, plan);
      episodes.push({ path: file, key: `key-${i + 1}` });
    }
    // A fourth episode 4.3% faster with its pitch (a PAL transfer).
    const source = path.join(scratch, 'pal-source.mkv');
    generateEpisode(binaries.ffmpeg, source, PAL_PLAN);
    const pal = path.join(scratch, 'pal.mkv');
    const speedUp = ['-af', 'asetrate=44100*1.043,aresample=44100', '-c:v', 'copy', '-c:a', 'aac'];
    const made = spawnSync(binaries.ffmpeg, ['-v', 'error', '-y', '-i', source, ...speedUp, pal]);
    if (made.status !== 0) throw new Error(`ffmpeg failed making ${pal}: ${made.stderr}`);
    episodes.push({ path: pal, key: 'key-pal' });
    const silent = path.join(scratch, 'silent.mkv');
    generateEpisode(binaries.ffmpeg, silent, {
      ...(plans[0] as GeneratedEpisode),
      silentFile: true,
    });
    episodes.push({ path: silent, key: 'key-silent' });
    const junk = path.join(scratch, 'not-media.mkv');
    writeFileSync(junk, 'this is not a video\n');
    episodes.push({ path: junk, key: 'key-junk' });
  });

  it('finds each intro within 1 s, the PAL one at its speed, and answers the bad ones', async () => {
    const answers = await analyzeSeason(episodes, { windows, cache, read, binaries });
    const truths = [...plans, PAL_PLAN].map((plan, i) => {
      const speed = i === 3 ? 1.043 : 1;
      return { start: plan.introAt / speed, end: (plan.introAt + plan.themeSeconds) / speed };
    });
    for (const [i, truth] of truths.entries()) {
      const intro = answers[i]?.intro;
      expect(intro, `episode ${i + 1}: ${answers[i]?.introReason}`).toBeTruthy();
      expect(Math.abs((intro?.start ?? -99) - truth.start), `episode ${i + 1} start`).toBeLessThan(
        1,
      );
      expect(Math.abs((intro?.end ?? -99) - truth.end), `episode ${i + 1} end`).toBeLessThan(1);
    }
    expect(answers.map((a) => a.speed)).toEqual([1, 1, 1, PAL_SPEED, 1, 1]);
    expect(answers[4]).toMatchObject({ intro: null, introReason: 'no-audio', closing: null });
    expect(answers[5]).toMatchObject({ intro: null, introReason: 'unreadable' });
    expect(answers[5]?.message).toContain('not-media.mkv');
    // Closing music from 52-55 s on, to the end (the PAL episode has none).
    for (const [i, plan] of plans.entries()) {
      const closing = answers[i]?.closing;
      expect(
        Math.abs((closing?.start ?? -99) - (plan.endMusicAt ?? 0)),
        `episode ${i + 1}`,
      ).toBeLessThan(1);
    }
  });

  it('reads nothing again from the cache, and only a new episode when one is added', async () => {
    const before = reads.length;
    const again = await analyzeSeason(episodes, { windows, cache, read, binaries });
    // The unreadable file is read again (a failure is not cached); nothing else is.
    expect(reads.slice(before)).toEqual(['not-media.mkv@1']);
    expect(again[3]?.speed).toBe(PAL_SPEED);
    const added = path.join(scratch, 'ep4.mkv');
    generateEpisode(binaries.ffmpeg, added, {
      seed: 10,
      introAt: 9,
      themeSeconds: 20,
      seconds: 80,
    });
    const from = reads.length;
    const grown = await analyzeSeason([...episodes.slice(0, 3), { path: added, key: 'key-4' }], {
      windows,
      cache,
      read,
      binaries,
    });
    expect(reads.slice(from)).toEqual(['ep4.mkv@1']);
    expect(Math.abs((grown[3]?.intro?.start ?? -99) - 9)).toBeLessThan(1);
  });

  it('fingerprints the track a player plays: an episode whose first track is a dub', async () => {
    // The episode's own audio as a second track marked default, after a track of other
    // audio (a dub without the theme, say).
    const own = path.join(scratch, 'own.mkv');
    generateEpisode(binaries.ffmpeg, own, { seed: 11, introAt: 12, themeSeconds: 20, seconds: 80 });
    const dubbed = path.join(scratch, 'dubbed.mkv');
    const made = spawnSync(binaries.ffmpeg, [
      ...['-v', 'error', '-y', '-i', own],
      ...['-f', 'lavfi', '-i', 'anoisesrc=d=80:c=brown:a=0.2:r=44100'],
      ...['-map', '0:v', '-map', '1:a', '-map', '0:a', '-c:v', 'copy', '-c:a', 'aac'],
      ...['-disposition:a:0', '0', '-disposition:a:1', 'default', dubbed],
    ]);
    if (made.status !== 0) throw new Error(`ffmpeg failed making ${dubbed}: ${made.stderr}`);
    const answers = await analyzeSeason(
      [...episodes.slice(0, 3), { path: dubbed, key: 'key-dubbed' }],
      { windows, cache, read, binaries },
    );
    const intro = answers[3]?.intro;
    expect(intro, `${answers[3]?.introReason}`).toBeTruthy();
    expect(Math.abs((intro?.start ?? -99) - 12)).toBeLessThan(1);
    expect(Math.abs((intro?.end ?? -99) - 32)).toBeLessThan(1);
  });
});
