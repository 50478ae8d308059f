/**
 * Fingerprints read with the real ffmpeg from a generated season (issue 22): three episodes
 * share a synthesized theme at different offsets (0 s, 17 s, 34.5 s, after cold opens), and
 * the season's intros found from their fingerprints lie within 1 s of where it was put.
 * Skipped, saying why, where ffmpeg has no chromaprint muxer (the static npm ffmpeg).
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndcueError } from '../../../server/errors.js';
import {
  decodeRawFingerprint,
  type EpisodeFingerprints,
  fingerprintEpisode,
  fingerprintWindow,
  hasChromaprintMuxer,
  requireChromaprint,
} from '../../../server/fingerprint/chromaprint.js';
import { ITEM_SECONDS } from '../../../server/fingerprint/types.js';
import type { FfmpegBinaries } from '../../../server/media/ffmpeg.js';
import { seasonIntros } from '../../../server/series/intro.js';
import { chromaprintFfmpeg } from '../../fixtures/chromaprint-ffmpeg.js';
import { type GeneratedEpisode, generateEpisode } from './generated-season.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'endcue-chromaprint-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('decodeRawFingerprint', () => {
  it('reads little-endian uint32 items and drops a torn tail', () => {
    const raw = Uint8Array.from([0x01, 0x00, 0x00, 0x00, 0x78, 0x56, 0x34, 0x12, 0xff, 0xff]);
    expect([...decodeRawFingerprint(raw)]).toEqual([1, 0x12345678]);
  });

  it('reads from a view into a larger buffer', () => {
    const backing = Uint8Array.from([9, 9, 9, 0xff, 0xff, 0xff, 0xff]);
    expect([...decodeRawFingerprint(backing.subarray(3))]).toEqual([0xffffffff]);
  });
});

describe('requireChromaprint', () => {
  it('names what to install when ffmpeg has no chromaprint muxer', () => {
    const fake = path.join(scratch, 'ffmpeg-without-chromaprint');
    writeFileSync(fake, '#!/bin/sh\necho " E mp4             MP4 (MPEG-4 Part 14)"\n');
    chmodSync(fake, 0o755);
    const binaries: FfmpegBinaries = {
      ffmpeg: fake,
      ffprobe: fake,
      source: 'env',
      version: 'test',
      hasFpsMode: true,
    };
    expect(hasChromaprintMuxer(binaries)).toBe(false);
    let error: unknown;
    try {
      requireChromaprint(binaries);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(EndcueError);
    expect((error as EndcueError).code).toBe('ffmpeg-missing');
    expect((error as EndcueError).hint).toMatch(/--enable-chromaprint.*apt-get install -y ffmpeg/);
  });
});

const installed = chromaprintFfmpeg('the generated-season fingerprint test');
const available = installed !== undefined;

describe.skipIf(!available)('a generated season, fingerprinted with ffmpeg', () => {
  const binaries = installed as FfmpegBinaries;
  const plans: GeneratedEpisode[] = [
    { seed: 1, introAt: 0, themeSeconds: 20, seconds: 80 },
    { seed: 2, introAt: 17, themeSeconds: 20, seconds: 80, bitrate: '96k' },
    { seed: 3, introAt: 34.5, themeSeconds: 20, seconds: 90, bitrate: '64k' },
  ];
  const found: EpisodeFingerprints[] = [];

  beforeAll(async () => {
    for (const [i, plan] of plans.entries()) {
      const file = path.join(scratch, `episode-${i + 1}.mkv`);
      generateEpisode(binaries.ffmpeg, file, plan);
      found.push(await fingerprintEpisode(file, { windows: { openingShare: 0.8 } }));
    }
  });

  it('fingerprints the opening and closing windows of each episode', () => {
    for (const [i, episode] of found.entries()) {
      const seconds = plans[i]?.seconds ?? 0;
      expect(episode.kind).toBe('fingerprinted');
      if (episode.kind !== 'fingerprinted') continue;
      expect(episode.duration).toBeCloseTo(seconds, 0);
      expect(episode.opening.start).toBe(0);
      // The last 25% is under the closing window's 90 s floor: half the title instead.
      expect(episode.closing.start).toBeCloseTo(seconds * 0.5, 0);
      // One item per 0.1238 s, less the ~2.6 s the first item needs.
      expect(episode.opening.items.length).toBeGreaterThan((seconds * 0.8 - 4) / ITEM_SECONDS);
      expect(episode.opening.items.length).toBeLessThan((seconds * 0.8) / ITEM_SECONDS);
    }
  });

  it('finds each intro within 1 s of where the theme was put', () => {
    const openings = found.map((e) => (e.kind === 'fingerprinted' ? e.opening : null));
    const intros = seasonIntros(openings).map((answer) => answer.intro);
    for (const [i, plan] of plans.entries()) {
      const intro = intros[i];
      expect(intro, `episode ${i + 1}`).toBeTruthy();
      expect(Math.abs((intro?.start ?? -99) - plan.introAt)).toBeLessThan(1);
      expect(Math.abs((intro?.end ?? -99) - (plan.introAt + plan.themeSeconds))).toBeLessThan(1);
      expect(intro?.confidence).toBe(1);
    }
  });

  it('finds the intro of a PAL episode (4.3% faster, pitch too) once its speed is undone', async () => {
    const normal = path.join(scratch, 'pal-source.mkv');
    const pal = path.join(scratch, 'pal.mkv');
    generateEpisode(binaries.ffmpeg, normal, {
      seed: 4,
      introAt: 25,
      themeSeconds: 20,
      seconds: 80,
    });
    const speedUp = ['-af', 'asetrate=44100*1.043,aresample=44100', '-c:v', 'copy', '-c:a', 'aac'];
    const made = spawnSync(binaries.ffmpeg, ['-v', 'error', '-y', '-i', normal, ...speedUp, pal]);
    expect(made.status).toBe(0);
    const siblings = found.map((e) => (e.kind === 'fingerprinted' ? e.opening : null));
    const window = { start: 0, duration: 60 };

    const asIs = await fingerprintWindow(pal, window);
    expect(seasonIntros([...siblings, asIs])[3]).toEqual({ intro: null, reason: 'nothing-shared' });

    const undone = await fingerprintWindow(pal, window, { speed: 1.043 });
    const intro = seasonIntros([...siblings, undone])[3]?.intro;
    expect(Math.abs((intro?.start ?? -99) - 25 / 1.043)).toBeLessThan(1);
    expect(Math.abs((intro?.end ?? -99) - 45 / 1.043)).toBeLessThan(1);
  });

  it('answers "no audio" for an episode without an audio stream', async () => {
    const file = path.join(scratch, 'silent-file.mkv');
    generateEpisode(binaries.ffmpeg, file, {
      ...plans[0],
      seed: 9,
      silentFile: true,
    } as GeneratedEpisode);
    const episode = await fingerprintEpisode(file);
    expect(episode.kind).toBe('no-audio');
    expect(episode.kind === 'no-audio' && episode.reason).toMatch(/no audio stream/);
  });
});
