/** combineCredits: the shared end music weighs the single-title decision but never moves it. */
import { describe, expect, it } from 'vitest';
import {
  boundedCredits,
  combineCredits,
  LEAD_SECONDS,
  musicBound,
} from '../../../server/series/closing.js';

const music = { start: 1250, end: 1330, confidence: 1 };
const duration = 1340;

describe('combineCredits', () => {
  it('raises the confidence of a start inside the shared end music, and keeps the start', () => {
    const combined = combineCredits({ creditsStart: 1271.4, confidence: 0.6 }, music, duration);
    expect(combined).toEqual({ creditsStart: 1271.4, confidence: 0.8, evidence: 'agrees' });
  });

  it('agrees with a start a little before the music (a fingerprint edge is ~1 s off)', () => {
    const start = music.start - LEAD_SECONDS + 0.5;
    expect(combineCredits({ creditsStart: start, confidence: 0.9 }, music, duration)).toEqual({
      creditsStart: start,
      confidence: 0.95,
      evidence: 'agrees',
    });
  });

  it('raises less when fewer siblings share the music', () => {
    const half = { ...music, confidence: 0.5 };
    expect(combineCredits({ creditsStart: 1260, confidence: 0.6 }, half, duration).confidence).toBe(
      0.7,
    );
  });

  it('lowers the confidence of a start well before the music, and keeps the start', () => {
    const combined = combineCredits({ creditsStart: 1180, confidence: 0.9 }, music, duration);
    expect(combined).toEqual({ creditsStart: 1180, confidence: 0.63, evidence: 'disagrees' });
  });

  it('lowers the confidence of a start after the shared music ended', () => {
    const combined = combineCredits({ creditsStart: 1335, confidence: 0.5 }, music, duration);
    expect(combined.evidence).toBe('disagrees');
    expect(combined.confidence).toBe(0.35);
    expect(combined.creditsStart).toBe(1335);
  });

  it('makes "no credits" less sure when the episode shares end music', () => {
    expect(combineCredits({ creditsStart: null, confidence: 0.8 }, music, duration)).toEqual({
      creditsStart: null,
      confidence: 0.56,
      evidence: 'music-without-credits',
    });
  });

  it('leaves the single-title decision as it is without shared music (a finale)', () => {
    for (const single of [
      { creditsStart: 1271.4, confidence: 0.6 },
      { creditsStart: null, confidence: 0.8 },
    ]) {
      expect(combineCredits(single, null, duration)).toEqual({ ...single, evidence: 'none' });
    }
  });

  it('ignores music that lies past the end of the title or is empty (stale or bad input)', () => {
    const single = { creditsStart: 1271.4, confidence: 0.6 };
    const late = { start: 1500, end: 1560, confidence: 1 };
    const empty = { start: 1260, end: 1260, confidence: 1 };
    expect(combineCredits(single, late, duration).evidence).toBe('none');
    expect(combineCredits(single, empty, duration).evidence).toBe('none');
  });

  it('never moves the start (no worse than the single-title decision on any episode)', () => {
    for (let start = 1100; start <= 1340; start += 7.3) {
      for (const confidence of [0, 0.3, 0.99, 1]) {
        const combined = combineCredits({ creditsStart: start, confidence }, music, duration);
        expect(combined.creditsStart).toBe(start);
        expect(combined.confidence).toBeGreaterThanOrEqual(0);
        expect(combined.confidence).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('musicBound', () => {
  const bound = music.start - LEAD_SECONDS;

  it('asks for a re-run bounded by the music for a start well before it', () => {
    expect(musicBound({ creditsStart: 1180, confidence: 0.9 }, music, duration)).toBe(bound);
  });

  it('asks for none when the start agrees, lies after the music, or no credits or music', () => {
    expect(musicBound({ creditsStart: 1271.4, confidence: 0.6 }, music, duration)).toBeNull();
    expect(musicBound({ creditsStart: bound, confidence: 0.6 }, music, duration)).toBeNull();
    expect(musicBound({ creditsStart: 1335, confidence: 0.5 }, music, duration)).toBeNull();
    expect(musicBound({ creditsStart: null, confidence: 0.8 }, music, duration)).toBeNull();
    expect(musicBound({ creditsStart: 1180, confidence: 0.9 }, null, duration)).toBeNull();
    const stale = { start: 1500, end: 1560, confidence: 1 };
    expect(musicBound({ creditsStart: 1180, confidence: 0.9 }, stale, duration)).toBeNull();
  });
});

describe('boundedCredits', () => {
  const single = { creditsStart: 1180, confidence: 0.9 };

  it("takes the bounded re-run's start inside the music, its confidence raised as 'agrees'", () => {
    const rerun = { creditsStart: 1262.5, confidence: 0.6 };
    expect(boundedCredits(single, rerun, music, duration)).toEqual({
      creditsStart: 1262.5,
      confidence: 0.8,
      evidence: 'bounded-by-music',
    });
  });

  it('takes a re-run start at the bound or the end of the music', () => {
    for (const start of [music.start - LEAD_SECONDS, music.end]) {
      const rerun = { creditsStart: start, confidence: 0.6 };
      expect(boundedCredits(single, rerun, music, duration).creditsStart).toBe(start);
    }
  });

  it('keeps the single-title answer when the re-run finds none, or none inside the music', () => {
    const today = combineCredits(single, music, duration);
    expect(today.evidence).toBe('disagrees');
    for (const rerun of [
      null,
      { creditsStart: null, confidence: 0.7 },
      { creditsStart: 1335, confidence: 0.7 },
      { creditsStart: 1200, confidence: 0.7 }, // a detector that ignored the bound
    ]) {
      expect(boundedCredits(single, rerun, music, duration)).toEqual(today);
    }
  });

  it('never takes a re-run where no re-run was asked for (agrees, after the music, a finale)', () => {
    const rerun = { creditsStart: 1262.5, confidence: 0.6 };
    for (const [given, withMusic] of [
      [{ creditsStart: 1271.4, confidence: 0.6 }, music],
      [{ creditsStart: 1335, confidence: 0.5 }, music],
      [single, null],
    ] as const) {
      expect(boundedCredits(given, rerun, withMusic, duration)).toEqual(
        combineCredits(given, withMusic, duration),
      );
    }
  });
});
