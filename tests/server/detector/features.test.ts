import { describe, expect, it } from 'vitest';
import {
  blankness,
  frameCues,
  motionThumbnail,
  scrollResidual,
  storyMotion,
} from '../../../server/detector/features.js';

const W = 128;
const H = 128;

/** rgb24 frame from a luma function. */
function frame(luma: (x: number, y: number) => number): Uint8Array {
  const out = new Uint8Array(W * H * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = Math.max(0, Math.min(255, Math.round(luma(x, y))));
      out.set([v, v, v], (y * W + x) * 3);
    }
  }
  return out;
}

/** White "text" lines on black, scrolled up by `offset` pixels. */
const credits = (offset: number) =>
  frame((x, y) => ((y + offset) % 24 < 4 && x > 30 && x < 98 && (x >> 2) % 2 === 0 ? 230 : 0));

/** Deterministic pseudo-random texture; `seed` changes it everywhere. */
const texture = (seed: number) =>
  frame((x, y) => {
    const n = Math.sin(x * 12.9898 + y * 78.233 + seed * 37.719) * 43758.5453;
    return (n - Math.floor(n)) * 255;
  });

describe('frameCues', () => {
  it('calls flat frames blank and detailed ones not', () => {
    expect(
      frameCues(
        frame(() => 0),
        W,
        H,
      ).blank,
    ).toBe(1);
    expect(
      frameCues(
        frame(() => 128),
        W,
        H,
      ).blank,
    ).toBe(1);
    const text = frameCues(credits(0), W, H);
    expect(text.blank).toBe(0);
    expect(text.edges).toBeGreaterThan(0);
    expect(text.luma).toBeLessThan(60);
    expect(blankness(4.75)).toBeCloseTo(0.5, 5);
    expect(() => frameCues(new Uint8Array(10), W, H)).toThrow(RangeError);
  });
});

describe('motion', () => {
  it('sees no story motion in a static card or a steady roll', () => {
    const a = motionThumbnail(credits(0), W, H);
    expect(scrollResidual(a, motionThumbnail(credits(0), W, H))).toBe(0);
    const rolled = scrollResidual(a, motionThumbnail(credits(12), W, H));
    expect(storyMotion(rolled)).toBe(0);
  });

  it('sees story motion when the whole picture changes', () => {
    const residual = scrollResidual(
      motionThumbnail(texture(1), W, H),
      motionThumbnail(texture(2), W, H),
    );
    expect(residual).toBeGreaterThan(16);
    expect(storyMotion(residual)).toBe(1);
  });
});
