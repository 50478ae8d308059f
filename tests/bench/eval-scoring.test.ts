import { describe, expect, it } from 'vitest';
import {
  confidenceBands,
  expectedCalibrationError,
  isHit,
  share,
} from '../../bench/eval-scoring.js';

describe('isHit', () => {
  it('counts a start within 2 s of the truth, and null on a title without credits', () => {
    expect(isHit({ creditsStart: 10 }, 11.9)).toBe(true);
    expect(isHit({ creditsStart: 10 }, 12.1)).toBe(false);
    expect(isHit({ creditsStart: 10 }, null)).toBe(false);
    expect(isHit({ creditsStart: null }, null)).toBe(true);
    expect(isHit({ creditsStart: null }, 3)).toBe(false);
  });

  it('accepts the labelled alternative start', () => {
    expect(isHit({ creditsStart: 19.35, creditsStartAlt: 13.5 }, 13)).toBe(true);
    expect(isHit({ creditsStart: 19.35, creditsStartAlt: 13.5 }, 16.5)).toBe(false);
    expect(isHit({ creditsStart: null, creditsStartAlt: 8.5 }, 9)).toBe(true);
    expect(isHit({ creditsStart: null, creditsStartAlt: 8.5 }, 2)).toBe(false);
  });
});

describe('confidence bands', () => {
  const starts = [
    { confidence: 0.95, hit: true },
    { confidence: 1, hit: true },
    { confidence: 0.92, hit: false },
    { confidence: 0.6, hit: true },
    { confidence: 0.2, hit: false },
  ];

  it('puts each start in one band, 1.0 in the top one', () => {
    const bands = confidenceBands(starts);
    expect(bands.map((b) => b.count)).toEqual([1, 1, 0, 0, 3]);
    expect(bands[4]?.right).toBe(2);
    expect(bands[4]?.meanConfidence).toBeCloseTo((0.95 + 1 + 0.92) / 3);
  });

  it('expected calibration error weighs each band by its count', () => {
    const bands = confidenceBands(starts);
    const top = Math.abs(2 / 3 - (0.95 + 1 + 0.92) / 3);
    const expected = (3 / 5) * top + (1 / 5) * Math.abs(1 - 0.6) + (1 / 5) * Math.abs(0 - 0.2);
    expect(expectedCalibrationError(bands)).toBeCloseTo(expected);
    expect(expectedCalibrationError(confidenceBands([]))).toBeNaN();
  });

  it('is zero when confidence matches accuracy', () => {
    const bands = confidenceBands([
      { confidence: 1, hit: true },
      { confidence: 0, hit: false },
    ]);
    expect(expectedCalibrationError(bands)).toBe(0);
  });

  it('share prints counts and a percentage', () => {
    expect(share(17, 18)).toBe('17/18 (94%)');
    expect(share(0, 0)).toBe('-');
  });
});
