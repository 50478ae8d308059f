import { describe, expect, it } from 'vitest';
import {
  detectorInput,
  REC_HEIGHT,
  recognizerInput,
} from '../../../../server/detector/ppocr/tensors.js';

/** A w x h rgb24 frame of one colour. */
function solid(w: number, h: number, rgb: [number, number, number]) {
  const data = new Uint8Array(w * h * 3);
  for (let i = 0; i < w * h; i++) data.set(rgb, i * 3);
  return { data, width: w, height: h };
}

describe('detectorInput', () => {
  it('scales to at most the max side with sides a multiple of 32', () => {
    const input = detectorInput(solid(960, 540, [0, 0, 0]), 640);
    expect([input.width, input.height]).toEqual([640, 352]);
    expect(input.data).toHaveLength(3 * 640 * 352);
  });

  it('never scales up, and normalises planar BGR with ImageNet mean and std', () => {
    const input = detectorInput(solid(64, 64, [255, 0, 0]), 640);
    expect([input.width, input.height]).toEqual([64, 64]);
    const plane = 64 * 64;
    // Blue first: 0 -> (0 - 0.485) / 0.229; red last: 1 -> (1 - 0.406) / 0.225.
    expect(input.data[0]).toBeCloseTo(-0.485 / 0.229, 4);
    expect(input.data[2 * plane]).toBeCloseTo((1 - 0.406) / 0.225, 4);
  });
});

describe('recognizerInput', () => {
  it('scales the box to the recogniser height keeping its aspect, values in [-1, 1]', () => {
    const frame = solid(200, 100, [255, 255, 255]);
    const input = recognizerInput(frame, { x0: 10, y0: 10, x1: 110, y1: 34 });
    expect(input.height).toBe(REC_HEIGHT);
    expect(input.width).toBe(200); // 100 x 24 -> 200 x 48
    expect(Math.min(...input.data)).toBe(1);
  });
});
