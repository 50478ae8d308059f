import { describe, expect, it } from 'vitest';
import { planSeason } from '../../../bench/season/plan.js';
import { type EpisodeAnswer, scoreSeason } from '../../../bench/season/score.js';
import { SAMPLE_RATE, synthSong, synthSpeech, wavBytes } from '../../../bench/season/synth.js';
import { audioWindows } from '../../../server/fingerprint/windows.js';

describe.each(['full', 'short'] as const)('the %s season plan', (size) => {
  const plan = planSeason({ seed: 1, size });

  it('is the same for the same seed and differs for another', () => {
    expect(planSeason({ seed: 1, size })).toEqual(plan);
    expect(planSeason({ seed: 2, size }).episodes.map((e) => e.credits)).not.toEqual(
      plan.episodes.map((e) => e.credits),
    );
  });

  it('puts every intro and every credits roll inside the fingerprinted 25% windows', () => {
    for (const e of plan.episodes) {
      const windows = audioWindows(e.seconds);
      if (e.intro) expect(e.intro.end).toBeLessThanOrEqual(windows.opening.duration - 2);
      expect(e.endMusic.start).toBeGreaterThan(windows.closing.start);
      expect(e.endMusic.start).toBeLessThan(e.credits.start);
      expect(e.credits.end).toBeLessThanOrEqual(e.seconds);
      if (e.postCredits) expect(e.postCredits.start).toBe(e.credits.end);
    }
  });

  it('has one episode without an intro, cold opens from 0 s, a finale with its own end music and a post-credits scene', () => {
    const intros = plan.episodes.map((e) => e.intro);
    expect(intros.filter((i) => i === null)).toHaveLength(1);
    expect(intros.some((i) => i?.start === 0)).toBe(true);
    expect(new Set(intros.map((i) => i?.start)).size).toBe(plan.episodes.length);
    expect(plan.episodes.map((e) => e.endMusic.song).filter((s) => s === 'finale')).toHaveLength(1);
    expect(plan.episodes.at(-1)?.endMusic.song).toBe('finale');
    expect(plan.episodes.some((e) => e.postCredits)).toBe(true);
  });

  it('encodes episodes differently: containers, channel layouts, loudness, story pitch', () => {
    const enc = plan.episodes.map((e) => e.encoding);
    expect(new Set(enc.map((e) => e.container))).toEqual(new Set(['mp4', 'mkv']));
    expect(new Set(enc.map((e) => e.channels))).toEqual(new Set([2, 6]));
    expect(new Set(enc.map((e) => e.gainDb)).size).toBeGreaterThan(2);
    const pitches = plan.episodes.map((e) => e.storyPitch);
    // Chroma does not tell octaves apart: no two stories may be 0 or 12 semitones apart.
    for (const a of pitches.keys()) {
      for (const b of pitches.keys()) {
        if (a < b) expect(Math.abs((pitches[a] ?? 0) - (pitches[b] ?? 0)) % 12).not.toBe(0);
      }
    }
    for (const e of plan.episodes) expect(e.file.endsWith(`.${e.encoding.container}`)).toBe(true);
  });
});

it('the full season: 0-90 s cold opens in 9-minute episodes', () => {
  const plan = planSeason({ seed: 1, size: 'full' });
  expect(plan.episodes).toHaveLength(10);
  const starts = plan.episodes.flatMap((e) => (e.intro ? [e.intro.start] : []));
  expect(Math.min(...starts)).toBe(0);
  expect(Math.max(...starts)).toBe(90);
});

describe('synth', () => {
  it('writes a mono 16-bit WAV header and clips samples', () => {
    const wav = wavBytes(Float32Array.from([0, 2, -2]));
    expect(wav.toString('ascii', 0, 4)).toBe('RIFF');
    expect(wav.readUInt32LE(24)).toBe(SAMPLE_RATE);
    expect(wav.readUInt32LE(40)).toBe(6);
    expect(wav.readInt16LE(46)).toBe(32767);
    expect(wav.readInt16LE(48)).toBe(-32767);
  });

  it('makes the same song from the same seed, another from another', () => {
    const a = synthSong(1, 2);
    expect(a).toHaveLength(2 * SAMPLE_RATE);
    expect(synthSong(1, 2)).toEqual(a);
    expect(synthSong(2, 2)).not.toEqual(a);
    expect(Math.max(...a.map(Math.abs))).toBeGreaterThan(0.2);
  });

  it('speech has pauses and sound', () => {
    const speech = synthSpeech(3, 10);
    const frames = Array.from({ length: 100 }, (_, k) =>
      speech.subarray(k * 4410, (k + 1) * 4410).reduce((m, v) => Math.max(m, Math.abs(v)), 0),
    );
    expect(frames.filter((peak) => peak < 0.001).length).toBeGreaterThan(5);
    expect(frames.filter((peak) => peak > 0.05).length).toBeGreaterThan(40);
  });
});

describe('scoreSeason', () => {
  const truth = [
    { intro: { start: 10, end: 42 }, creditsStart: 500 },
    { intro: null, creditsStart: 480 },
    { intro: { start: 0, end: 32 }, creditsStart: 490 },
  ];

  it('measures intro and credits errors, misses and "no intro"', () => {
    const answers: EpisodeAnswer[] = [
      { intro: { start: 10.5, end: 43.5 }, creditsStart: 503 },
      { intro: null, creditsStart: null },
      { intro: null, creditsStart: 489 },
    ];
    const score = scoreSeason(truth, answers);
    expect(score.introStart).toMatchObject({ count: 1, mean: 0.5, max: 0.5, within: 1 });
    expect(score.introEnd).toMatchObject({ count: 1, max: 1.5, within: 0 });
    expect(score.introMissed).toBe(1);
    expect(score.noIntroRight).toBe(1);
    expect(score.falseIntros).toBe(0);
    expect(score.credits).toMatchObject({ count: 2, mean: 2, max: 3, within: 1 });
    expect(score.creditsSigned).toEqual([3, null, -1]);
    expect(score.creditsMissed).toBe(1);
  });

  it('counts an intro where there is none as false', () => {
    const answers: EpisodeAnswer[] = truth.map((t) => ({
      intro: t.intro ?? { start: 5, end: 30 },
      creditsStart: t.creditsStart,
    }));
    const score = scoreSeason(truth, answers);
    expect(score.falseIntros).toBe(1);
    expect(score.noIntroRight).toBe(0);
    expect(score.credits.max).toBe(0);
  });

  it('refuses answers that do not match the truth', () => {
    expect(() => scoreSeason(truth, [])).toThrow(/3 truths but 0 answers/);
  });
});
