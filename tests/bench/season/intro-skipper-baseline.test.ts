import { describe, expect, it } from 'vitest';
import {
  baselineCredits,
  baselineIntros,
  baselinePair,
  popcount,
} from '../../../bench/season/intro-skipper-baseline.js';
import { ITEM_SECONDS } from '../../../server/fingerprint/types.js';
import { episode, randomItems, seeded } from '../../server/series/synthetic.js';

const theme = randomItems(7, 30);

/** `seconds` of random items with `theme`'s items written at `at` seconds. */
function window(seed: number, seconds: number, at: number, planted = theme) {
  const items = randomItems(seed, seconds);
  items.set(planted, Math.round(at / ITEM_SECONDS));
  return { start: 0, items };
}

describe('intro-skipper-rules baseline', () => {
  it('counts bits', () => {
    expect(popcount(0)).toBe(0);
    expect(popcount(0xffffffff)).toBe(32);
    expect(popcount(0b1011)).toBe(3);
  });

  it('finds a shared theme at different offsets, starting at the item times', () => {
    const run = baselinePair(window(1, 120, 20), window(2, 120, 47));
    expect(run).not.toBeNull();
    expect(run?.aStart).toBeCloseTo(20, 0);
    expect(run?.bStart).toBeCloseTo(47, 0);
    expect((run?.aEnd ?? 0) - (run?.aStart ?? 0)).toBeCloseTo(30, 0);
  });

  it('takes items within 6 differing bits as similar, and not 7', () => {
    const flip = (bits: number) => theme.map((v) => (v ^ ((1 << bits) - 1)) >>> 0);
    expect(baselinePair(window(1, 90, 10), window(2, 90, 30, flip(6)))).not.toBeNull();
    expect(baselinePair(window(1, 90, 10), window(2, 90, 30, flip(7)))).toBeNull();
  });

  it('merges runs closer than 3.5 s and splits runs further apart', () => {
    const gap = (seconds: number) => {
      const copy = theme.slice();
      const from = Math.round(10 / ITEM_SECONDS);
      const noise = seeded(99);
      for (let i = from; i < from + Math.round(seconds / ITEM_SECONDS); i++) copy[i] = noise();
      return copy;
    };
    const merged = baselinePair(window(1, 90, 10), window(2, 90, 30, gap(3)));
    expect((merged?.aEnd ?? 0) - (merged?.aStart ?? 0)).toBeCloseTo(30, 0);
    // A 4 s gap splits the 30 s theme into 10 s and 16 s: only the 16 s part is long enough.
    const split = baselinePair(window(1, 90, 10), window(2, 90, 30, gap(4)));
    expect((split?.aEnd ?? 0) - (split?.aStart ?? 0)).toBeCloseTo(16, 0);
  });

  it('keeps runs of 15-120 s only', () => {
    const short = theme.subarray(0, Math.round(14 / ITEM_SECONDS));
    expect(baselinePair(window(1, 90, 10, short), window(2, 90, 30, short))).toBeNull();
    const long = randomItems(8, 125);
    expect(baselinePair(window(1, 200, 10, long), window(2, 200, 30, long))).toBeNull();
  });

  it('snaps intro starts under 5 s to 0, which misplaces a short cold open', () => {
    const intros = baselineIntros([window(1, 120, 4), window(2, 120, 40), window(3, 120, 60)]);
    expect(intros[0]?.start).toBe(0);
    expect(intros[1]?.start).toBeCloseTo(40, 0);
    expect(intros[2]?.start).toBeCloseTo(60, 0);
  });

  it('answers null for an episode sharing nothing or without audio', () => {
    const intros = baselineIntros([
      episode(theme, { seed: 1, introAt: 10, seconds: 120 }),
      { start: 0, items: randomItems(5, 120) },
      null,
      episode(theme, { seed: 3, introAt: 30, seconds: 120 }),
    ]);
    expect(intros[0]).not.toBeNull();
    expect(intros[1]).toBeNull();
    expect(intros[2]).toBeNull();
    expect(intros[3]?.start).toBeCloseTo(30, 0);
  });

  it('does not snap credits, and places them in file time', () => {
    const closing = (seed: number, at: number) => ({ ...window(seed, 120, at), start: 400 });
    const credits = baselineCredits([closing(1, 3), closing(2, 50)]);
    expect(credits[0]).toBeCloseTo(403, 0);
    expect(credits[1]).toBeCloseTo(450, 0);
  });
});
