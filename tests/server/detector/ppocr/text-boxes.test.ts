import { describe, expect, it } from 'vitest';
import { textBoxes } from '../../../../server/detector/ppocr/text-boxes.js';

/** A w x h probability map, 0 except the given rectangles (x0, y0 inclusive; x1, y1 exclusive). */
function map(
  w: number,
  h: number,
  rects: [number, number, number, number, number][],
): Float32Array {
  const m = new Float32Array(w * h);
  for (const [x0, y0, x1, y1, p] of rects) {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) m[y * w + x] = p;
  }
  return m;
}

describe('textBoxes', () => {
  it('finds each confident region as a box, grown by the unclip ratio and scaled to the frame', () => {
    // Two lines on a 64x32 map for a 128x64 frame (scale 2).
    const m = map(64, 32, [
      [10, 4, 50, 8, 0.9],
      [20, 20, 40, 24, 0.8],
    ]);
    const boxes = textBoxes(m, 64, 32, 128, 64);
    expect(boxes).toHaveLength(2);
    const [first, second] = boxes;
    // 40x4 region: grow = 160 * 1.5 / 88 = 2.73 map pixels on each side.
    expect(first).toMatchObject({ x0: 14, y0: 2, x1: 106, y1: 22 });
    expect(first?.score).toBeCloseTo(0.9, 5);
    expect(second?.y0).toBeGreaterThan(first?.y0 as number);
  });

  it('drops regions that are specks or not confident enough', () => {
    const m = map(64, 32, [
      [2, 2, 4, 30, 0.9], // 2 px wide: a speck
      [10, 10, 40, 16, 0.5], // above the pixel threshold, below the box threshold
    ]);
    expect(textBoxes(m, 64, 32, 64, 32)).toEqual([]);
  });

  it('keeps boxes inside the frame', () => {
    const m = map(32, 32, [[0, 0, 32, 6, 0.95]]);
    const [box] = textBoxes(m, 32, 32, 320, 320);
    expect(box).toMatchObject({ x0: 0, y0: 0, x1: 320 });
    expect(box?.y1).toBeLessThanOrEqual(320);
  });

  it('joins touching pixels only (4-neighbours): two regions a pixel apart stay two', () => {
    const m = map(40, 20, [
      [2, 5, 15, 10, 0.9],
      [16, 5, 30, 10, 0.9],
    ]);
    expect(textBoxes(m, 40, 20, 40, 20)).toHaveLength(2);
  });
});
