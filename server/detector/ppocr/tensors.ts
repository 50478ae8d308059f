/**
 * PP-OCR's inputs from an rgb24 frame (PURE): the detector sees the whole frame scaled to at
 * most DETECT_MAX_SIDE (sides a multiple of 32, as its backbone halves the size five times);
 * the recogniser sees one text box scaled to REC_HEIGHT high. Both models were trained on
 * BGR images (OpenCV's order), so channels are swapped here.
 */
import type { RgbFrame } from '../text-reader.js';
import type { Box } from './text-boxes.js';

/** Longest side the detector sees: 640 finds 12 px high text and costs ~0.35 s on one core. */
export const DETECT_MAX_SIDE = 640;
export const REC_HEIGHT = 48;
/** Widest text line read at once (a longer line is squeezed). */
export const REC_MAX_WIDTH = 960;

const DET_MEAN = [0.485, 0.456, 0.406];
const DET_STD = [0.229, 0.224, 0.225];

export interface ModelInput {
  /** NCHW float32, N = 1. */
  data: Float32Array;
  width: number;
  height: number;
}

/** The detector's input: the frame scaled, normalised with ImageNet's mean and std. */
export function detectorInput(frame: RgbFrame, maxSide = DETECT_MAX_SIDE): ModelInput {
  const scale = Math.min(1, maxSide / Math.max(frame.width, frame.height));
  const width = Math.max(32, Math.round((frame.width * scale) / 32) * 32);
  const height = Math.max(32, Math.round((frame.height * scale) / 32) * 32);
  const data = planarBgr(frame, { x0: 0, y0: 0, x1: frame.width, y1: frame.height }, width, height);
  const plane = width * height;
  for (let c = 0; c < 3; c++) {
    for (let i = c * plane; i < (c + 1) * plane; i++) {
      data[i] = ((data[i] as number) / 255 - (DET_MEAN[c] as number)) / (DET_STD[c] as number);
    }
  }
  return { data, width, height };
}

/** The recogniser's input: one box of the frame, REC_HEIGHT high, scaled to [-1, 1]. */
export function recognizerInput(frame: RgbFrame, box: Box): ModelInput {
  const boxWidth = box.x1 - box.x0;
  const boxHeight = box.y1 - box.y0;
  const height = REC_HEIGHT;
  const width = Math.min(REC_MAX_WIDTH, Math.max(16, Math.round((boxWidth * height) / boxHeight)));
  const data = planarBgr(frame, box, width, height);
  for (let i = 0; i < data.length; i++) data[i] = (data[i] as number) / 127.5 - 1;
  return { data, width, height };
}

/** `box` of the frame (x1, y1 exclusive) scaled bilinearly to width x height, planar BGR 0..255. */
function planarBgr(frame: RgbFrame, box: Box, width: number, height: number): Float32Array {
  const { data: src, width: stride } = frame;
  const sw = box.x1 - box.x0;
  const sh = box.y1 - box.y0;
  const out = new Float32Array(3 * width * height);
  const plane = width * height;
  for (let y = 0; y < height; y++) {
    const fy = Math.max(0, ((y + 0.5) * sh) / height - 0.5);
    const y0 = Math.min(sh - 1, Math.floor(fy));
    const y1 = Math.min(sh - 1, y0 + 1);
    const wy = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.max(0, ((x + 0.5) * sw) / width - 0.5);
      const x0 = Math.min(sw - 1, Math.floor(fx));
      const x1 = Math.min(sw - 1, x0 + 1);
      const wx = fx - x0;
      const a = ((box.y0 + y0) * stride + box.x0 + x0) * 3;
      const b = ((box.y0 + y0) * stride + box.x0 + x1) * 3;
      const c = ((box.y0 + y1) * stride + box.x0 + x0) * 3;
      const d = ((box.y0 + y1) * stride + box.x0 + x1) * 3;
      for (let ch = 0; ch < 3; ch++) {
        const top = (src[a + ch] as number) * (1 - wx) + (src[b + ch] as number) * wx;
        const bottom = (src[c + ch] as number) * (1 - wx) + (src[d + ch] as number) * wx;
        out[(2 - ch) * plane + y * width + x] = top * (1 - wy) + bottom * wy;
      }
    }
  }
  return out;
}
