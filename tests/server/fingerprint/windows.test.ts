import { describe, expect, it } from 'vitest';
import { audioWindows } from '../../../server/fingerprint/windows.js';

describe('audioWindows', () => {
  it('takes the first and last 25% of a short title', () => {
    expect(audioWindows(1200)).toEqual({
      opening: { start: 0, duration: 300 },
      closing: { start: 900, duration: 300 },
    });
  });

  it('caps each window at 10 minutes', () => {
    expect(audioWindows(2700 * 2)).toEqual({
      opening: { start: 0, duration: 600 },
      closing: { start: 4800, duration: 600 },
    });
  });

  it('takes other shares and caps when asked', () => {
    expect(
      audioWindows(100, { openingShare: 0.8, closingShare: 0.5, closingMaxSeconds: 30 }),
    ).toEqual({
      opening: { start: 0, duration: 80 },
      closing: { start: 70, duration: 30 },
    });
  });

  it('keeps each window at least 90 s, but never more than half a short title', () => {
    // 25% of 240 s is 60 s: too short for a cold open and a theme.
    expect(audioWindows(240)).toEqual({
      opening: { start: 0, duration: 90 },
      closing: { start: 150, duration: 90 },
    });
    // 25% of 96 s is 24 s; 90 s would overlap the end music, so half the title.
    expect(audioWindows(96)).toEqual({
      opening: { start: 0, duration: 48 },
      closing: { start: 48, duration: 48 },
    });
    expect(audioWindows(96, { openingMinSeconds: 0 }).opening.duration).toBe(24);
  });

  it('refuses a duration that is not a positive number', () => {
    expect(() => audioWindows(0)).toThrow(RangeError);
    expect(() => audioWindows(Number.NaN)).toThrow(RangeError);
  });
});
