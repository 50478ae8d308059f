/**
 * `endcue detect EP1 EP2 ... --series --json` end to end (issue 22): the real bin and model on
 * a generated season. Each episode's picture is a fixture with closing credits; its audio is
 * the generated season's (tests/server/fingerprint/generated-season.ts): a theme after cold
 * opens of different lengths, end music from 4 s before the credits, a finale with music of
 * its own; and one episode without audio. Skipped, saying why, where ffmpeg has no
 * chromaprint muxer.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectSeries } from '../../../server/cli/detect-series.js';
import type { FrameClassifier } from '../../../server/detector/classify.js';
import type { FfmpegBinaries } from '../../../server/media/ffmpeg.js';
import { LEAD_SECONDS } from '../../../server/series/closing.js';
import { chromaprintFfmpeg } from '../../fixtures/chromaprint-ffmpeg.js';
import { type Fixture, generateFixture } from '../../fixtures/generate.js';
import { MODEL_TEST_TITLES } from '../../fixtures/model-titles.js';
import { type GeneratedEpisode, generateEpisode } from '../fingerprint/generated-season.js';
import { type CliRun, runEndcue } from './run-bin.js';

const endcue = (args: string[], timeoutMs = 400_000) => runEndcue(args, timeoutMs);

describe('endcue detect with several files', () => {
  it('asks for --series (exit 2, one line naming the inputs and what to do)', async () => {
    const run = await endcue(['detect', 'a.mkv', 'b.mkv'], 60_000);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/detect got 2 inputs \(a\.mkv, b\.mkv\).*add --series/);
    expect(run.stdout).toBe('');
  });

  it('prints text or json only with --series (exit 2)', async () => {
    const run = await endcue(['detect', 'a.mkv', 'b.mkv', '--series', '-f', 'vtt'], 60_000);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--series prints text or json, not vtt/);
  });
});

const installed = chromaprintFfmpeg('endcue detect --series on a generated season');
const available = installed !== undefined;

describe.skipIf(!available)('endcue detect --series --json (a generated season)', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'endcue-detect-series-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const THEME = 18;
  /** The theme's start in each episode (a cold open before it), and the finale's own music. */
  const plans = [
    { introAt: 0, title: MODEL_TEST_TITLES.seasonRoll },
    { introAt: 6.5, title: MODEL_TEST_TITLES.seasonCards },
    { introAt: 9, title: MODEL_TEST_TITLES.seasonFinale, ownEndMusic: 3 },
  ] as const;
  const files: string[] = [];
  const fixtures: Fixture[] = [];
  let answers: Record<string, unknown>[] = [];
  let run: CliRun;

  beforeAll(async () => {
    // The pictures encode at once: each encode keeps about one core busy, and there are two.
    const made = await Promise.all(plans.map((plan) => generateFixture(plan.title)));
    for (const [i, plan] of plans.entries()) {
      const fixture = made[i] as Fixture;
      const episode: GeneratedEpisode = {
        seed: i + 1,
        introAt: plan.introAt,
        themeSeconds: THEME,
        seconds: fixture.duration,
        endMusicAt: fixture.creditsStart - 4,
        video: fixture.path,
        ...('ownEndMusic' in plan ? { ownEndMusic: plan.ownEndMusic } : {}),
      };
      const file = path.join(scratch, `S01E0${i + 1}.mkv`);
      generateEpisode((installed as FfmpegBinaries).ffmpeg, file, episode);
      files.push(file);
      fixtures.push(fixture);
    }
    const silent = path.join(scratch, 'S01E04-no-audio.mkv');
    generateEpisode((installed as FfmpegBinaries).ffmpeg, silent, {
      seed: 9,
      introAt: 0,
      themeSeconds: THEME,
      seconds: 20,
      silentFile: true,
    });
    files.push(silent);
    // The last 40 s hold every credits start; no OCR: the test is about the season.
    run = await endcue(['detect', ...files, '--series', '--json', '--no-text', '--tail', '40s']);
    answers = JSON.parse(run.stdout) as Record<string, unknown>[];
  }, 900_000);

  it('prints one JSON array, an object per file in the order given, and exits 0', () => {
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(answers.map((a) => a.file)).toEqual(files);
    for (const answer of answers) {
      for (const key of ['duration', 'creditsStart', 'confidence', 'segments', 'modelVersion']) {
        expect(answer, `${answer.file} ${key}`).toHaveProperty(key);
      }
    }
  });

  it('finds each intro within 1 s at both ends, also listed in segments', () => {
    for (const [i, plan] of plans.entries()) {
      const answer = answers[i] as {
        intro: { start: number; end: number } | null;
        segments: unknown[];
      };
      expect(answer.intro, `episode ${i + 1}`).toBeTruthy();
      expect(Math.abs((answer.intro?.start ?? -99) - plan.introAt)).toBeLessThan(1);
      expect(Math.abs((answer.intro?.end ?? -99) - (plan.introAt + THEME))).toBeLessThan(1);
      expect(answers[i]?.introReason).toBeNull();
      expect((answer.segments as { kind: string }[])[0]).toEqual({
        kind: 'intro',
        start: answer.intro?.start,
        end: answer.intro?.end,
      });
    }
  });

  it('answers the episode without audio with no intro and its reason, its credits unaffected', () => {
    const silent = answers[3] as Record<string, unknown>;
    expect(silent.intro).toBeNull();
    expect(silent.introReason).toBe('no-audio');
    expect(silent.endMusic).toBeNull();
    expect(silent.endMusicEvidence).toBe('none');
    expect(silent.seriesConfidence).toBe(silent.confidence);
  });

  it('finds the shared end music where it starts, and weighs (never moves) the credits with it', () => {
    for (const i of [0, 1]) {
      const answer = answers[i] as {
        creditsStart: number;
        confidence: number;
        seriesConfidence: number;
        endMusicEvidence: string;
        endMusic: { start: number; confidence: number } | null;
      };
      const fixture = fixtures[i] as Fixture;
      expect(Math.abs((answer.endMusic?.start ?? -99) - (fixture.creditsStart - 4))).toBeLessThan(
        1,
      );
      // Two of three siblings with audio share it: the finale does not.
      expect(answer.endMusic?.confidence).toBe(0.5);
      expect(Math.abs(answer.creditsStart - fixture.creditsStart)).toBeLessThan(2);
      expect(answer.endMusicEvidence).toBe('agrees');
      expect(answer.seriesConfidence).toBeGreaterThanOrEqual(answer.confidence);
    }
  });

  it('falls back to the single-title decision for the finale with end music of its own', () => {
    const finale = answers[2] as Record<string, unknown>;
    expect(finale.endMusic).toBeNull();
    expect(finale.endMusicEvidence).toBe('none');
    expect(finale.seriesConfidence).toBe(finale.confidence);
    expect(
      Math.abs((finale.creditsStart as number) - (fixtures[2] as Fixture).creditsStart),
    ).toBeLessThan(2);
  });
});

/** "Credits" = a mostly black frame with some bright pixels (the fixtures' credits), as in detect.test. */
function textOnBlackClassifier(): FrameClassifier {
  return {
    inputSize: 64,
    modelVersion: 'fake-1',
    backend: 'fake',
    async classify(frames) {
      return Float32Array.from(frames, (frame) => {
        let dark = 0;
        let bright = 0;
        for (let i = 0; i < frame.length; i += 3) {
          const y =
            ((frame[i] as number) + (frame[i + 1] as number) + (frame[i + 2] as number)) / 3;
          if (y < 24) dark++;
          if (y > 60) bright++;
        }
        return dark / (frame.length / 3) > 0.8 && bright > 0 ? 0.95 : 0.05;
      });
    },
    dispose() {},
  };
}

describe.skipIf(!available)('detectSeries: the shared end music bounds the start', () => {
  const scratch = mkdtempSync(path.join(tmpdir(), 'endcue-detect-bound-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('re-runs an episode whose start lies before the music bounded by it, and keeps the single start', async () => {
    // Episode 1's shared end music starts 12 s into its roll (as if the picture had started
    // the roll early: a dark last scene); episode 2's 4 s before its roll.
    const lags = [12, -4];
    const files: string[] = [];
    // Both pictures encode at once, as above.
    const fixtures = await Promise.all(
      lags.map((_, i) =>
        generateFixture({
          duration: 120,
          creditsDuration: 40,
          style: 'cards',
          seed: 11 + i,
          titleCard: false,
        }),
      ),
    );
    for (const [i, lag] of lags.entries()) {
      const fixture = fixtures[i] as Fixture;
      const file = path.join(scratch, `S01E0${i + 1}.mkv`);
      generateEpisode((installed as FfmpegBinaries).ffmpeg, file, {
        seed: i + 1,
        introAt: 3 * i,
        themeSeconds: 18,
        seconds: fixture.duration,
        endMusicAt: fixture.creditsStart + lag,
        video: fixture.path,
      });
      files.push(file);
    }
    const answers = await detectSeries(files, {
      detector: { classifier: textOnBlackClassifier(), readText: false, tail: { seconds: 60 } },
    });
    const [first, second] = answers.map((a) => {
      if ('error' in a) throw new Error(a.error.message);
      return a;
    });
    if (!first || !second) throw new Error('two answers expected');
    const truth = (fixtures[0] as Fixture).creditsStart;
    const music = first.endMusic as { start: number };
    expect(Math.abs(music.start - (truth + 12))).toBeLessThan(1);
    expect(first.endMusicEvidence).toBe('bounded-by-music');
    expect(Math.abs((first.singleCreditsStart as number) - truth)).toBeLessThan(1);
    // The re-run places the start at the bound (the roll runs on through it), not before it.
    const bound = music.start - LEAD_SECONDS;
    expect(first.result.creditsStart as number).toBeGreaterThanOrEqual(bound);
    expect(first.result.creditsStart as number).toBeLessThan(bound + 1);
    expect(first.seriesConfidence).toBeGreaterThanOrEqual(first.result.confidence);
    // The sibling whose start agrees is not re-run.
    expect(second.endMusicEvidence).toBe('agrees');
    expect(second.singleCreditsStart).toBe(second.result.creditsStart);
  }, 600_000);
});
