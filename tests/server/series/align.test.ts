import { describe, expect, it } from 'vitest';
import { ITEM_SECONDS } from '../../../server/fingerprint/types.js';
import {
  alignPair,
  informativeItems,
  popcount32,
  sharedRuns,
} from '../../../server/series/align.js';
import { episode, randomItems, withBitNoise } from './synthetic.js';

const theme = randomItems(7, 30);

describe('popcount32', () => {
  it('counts set bits of 32-bit values', () => {
    expect(popcount32(0)).toBe(0);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0x80000001)).toBe(2);
    expect(popcount32(0b1011_0110)).toBe(5);
  });
});

describe('informativeItems', () => {
  it('leaves out held values (silence) and values found everywhere', () => {
    const items = Uint32Array.from([
      1, 2, 9, 9, 9, 3, 4, 5, 6, 7, 8, 77, 10, 77, 11, 77, 12, 77, 13,
    ]);
    expect([...informativeItems(items, 0.1)]).toEqual([
      1, 1, 0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0, 1, 0, 1,
    ]);
  });
});

describe('alignPair', () => {
  it('finds a theme at different offsets in both files, with bit noise', () => {
    const a = episode(theme, { seed: 1, introAt: 40, seconds: 300 });
    const b = episode(theme, { seed: 2, introAt: 95, seconds: 300 });
    const run = alignPair(a, b);
    expect(run).not.toBeNull();
    expect(run?.aStart).toBeCloseTo(40, 0);
    expect(run?.aEnd).toBeCloseTo(70, 0);
    expect(run?.bStart).toBeCloseTo(95, 0);
    expect(run?.bEnd).toBeCloseTo(125, 0);
  });

  it('finds a theme at 0 s', () => {
    const a = episode(theme, { seed: 3, introAt: 0, seconds: 200 });
    const b = episode(theme, { seed: 4, introAt: 0, seconds: 200 });
    const run = alignPair(a, b);
    expect(run?.aStart).toBeCloseTo(0, 0);
    expect(run?.bStart).toBeCloseTo(0, 0);
    expect(run?.aEnd).toBeCloseTo(30, 0);
  });

  it('adds the start of each window to the times', () => {
    const a = episode(theme, { seed: 5, introAt: 10, seconds: 100 });
    const b = episode(theme, { seed: 6, introAt: 20, seconds: 100 });
    const run = alignPair({ ...a, start: 1000 }, { ...b, start: 2000 });
    expect(run?.aStart).toBeCloseTo(1010, 0);
    expect(run?.bStart).toBeCloseTo(2020, 0);
  });

  it('gives file times for a fingerprint whose speed-up was undone (times / speed)', () => {
    const a = episode(theme, { seed: 7, introAt: 20, seconds: 150 });
    const b = episode(theme, { seed: 8, introAt: 52.15, seconds: 150 });
    const run = alignPair(a, { ...b, start: 10, speed: 1.043 });
    expect(run?.aStart).toBeCloseTo(20, 0);
    expect(run?.bStart).toBeCloseTo(10 + 50, 0);
    expect(run?.bEnd).toBeCloseTo(10 + 82.15 / 1.043, 0);
  });

  it('finds nothing in unrelated audio', () => {
    const a = { start: 0, items: randomItems(11, 300) };
    const b = { start: 0, items: randomItems(12, 300) };
    expect(alignPair(a, b)).toBeNull();
  });

  it('does not take shared silence (one held value) for shared audio', () => {
    const silence = new Uint32Array(Math.round(40 / ITEM_SECONDS)).fill(627964279);
    const a = randomItems(21, 120);
    const b = randomItems(22, 120);
    a.set(silence, 100);
    b.set(silence, 300);
    expect(alignPair({ start: 0, items: a }, { start: 0, items: b })).toBeNull();
  });

  it('keeps to the bounds: a shared stretch under 15 s or over 120 s is not a run', () => {
    const short = randomItems(31, 12);
    const long = randomItems(32, 150);
    for (const shared of [short, long]) {
      const a = randomItems(33, 300);
      const b = randomItems(34, 300);
      a.set(shared, 50);
      b.set(withBitNoise(shared, 35), 80);
      expect(alignPair({ start: 0, items: a }, { start: 0, items: b })).toBeNull();
    }
  });

  it('merges a shared stretch broken by a short gap, and splits one broken by a long gap', () => {
    const a = randomItems(41, 200);
    const b = randomItems(42, 200);
    const first = randomItems(43, 10);
    const second = randomItems(44, 10);
    a.set(first, 100);
    a.set(second, 100 + first.length + 16); // a 2 s gap of different audio
    b.set(first, 300);
    b.set(second, 300 + first.length + 16);
    const run = alignPair({ start: 0, items: a }, { start: 0, items: b });
    expect(run?.aStart).toBeCloseTo(100 * ITEM_SECONDS, 1);
    expect((run?.aEnd ?? 0) - (run?.aStart ?? 0)).toBeCloseTo(22, 0);

    const apart = randomItems(45, 200);
    apart.set(first, 100);
    apart.set(second, 100 + first.length + 60); // 7.4 s apart: two 10 s runs, both too short
    expect(alignPair({ start: 0, items: apart }, { start: 0, items: b })).toBeNull();
  });

  it('lists every distinct shared run, longest first', () => {
    const recap = randomItems(51, 18);
    const a = episode(theme, { seed: 52, introAt: 60, seconds: 300 });
    const b = episode(theme, { seed: 53, introAt: 30, seconds: 300 });
    a.items.set(recap, 1500);
    b.items.set(withBitNoise(recap, 54), 1000);
    const runs = sharedRuns(a, b);
    expect(runs).toHaveLength(2);
    expect(runs[0]?.aStart).toBeCloseTo(60, 0);
    expect(runs[1]?.aStart).toBeCloseTo(1500 * ITEM_SECONDS, 0);
    expect(runs[1]?.bStart).toBeCloseTo(1000 * ITEM_SECONDS, 0);
  });
});
