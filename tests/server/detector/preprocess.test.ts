import { describe, expect, it } from 'vitest';
import {
  ffmpegScaleFilter,
  frameBytes,
  toModelInput,
} from '../../../server/detector/preprocess.js';

describe('ffmpegScaleFilter', () => {
  it('squashes any frame to a square rgb24 image with area scaling', () => {
    expect(ffmpegScaleFilter(160)).toBe('scale=160:160:flags=area,setsar=1,format=rgb24');
    expect(ffmpegScaleFilter(8)).toBe('scale=8:8:flags=area,setsar=1,format=rgb24');
  });

  it('rejects sizes that are not small positive integers', () => {
    expect(() => ffmpegScaleFilter(0)).toThrow(RangeError);
    expect(() => ffmpegScaleFilter(12.5)).toThrow(RangeError);
    expect(() => ffmpegScaleFilter(4096)).toThrow(RangeError);
  });
});

describe('toModelInput', () => {
  it('keeps HWC RGB order and scales bytes to 0..1 (pinned values)', () => {
    const size = 8;
    const rgb = new Uint8Array(frameBytes(size));
    // First pixel: pure red-ish, second: mid grey, last byte: full blue.
    rgb.set([255, 0, 51], 0);
    rgb.set([128, 128, 128], 3);
    rgb[rgb.length - 1] = 255;
    const x = toModelInput(rgb, size);
    expect(x).toBeInstanceOf(Float32Array);
    expect(x.length).toBe(8 * 8 * 3);
    expect(Array.from(x.slice(0, 6))).toEqual([
      1,
      0,
      Math.fround(0.2),
      Math.fround(128 / 255),
      Math.fround(128 / 255),
      Math.fround(128 / 255),
    ]);
    expect(x[6]).toBe(0);
    expect(x[x.length - 1]).toBe(1);
  });

  it('refuses a buffer of the wrong length, naming both sizes', () => {
    expect(() => toModelInput(new Uint8Array(10), 8)).toThrow(/10 bytes, expected 192/);
  });
});
