/**
 * Cheap per-frame cues computed on the small rgb24 frames the classifier sees (PURE).
 * The main one is blankness: black frames, fades and flat colour say nothing about
 * credits vs story, so the decision step lets them vote less (the classifier alone tends to
 * call dark frames "credits", having learnt that credits are dark). The other is motion
 * between frames a fraction of a second apart: complex motion says "story" whatever the
 * classifier thinks of a single frame.
 */

export interface FrameCues {
  /** Mean luma, 0..255. */
  luma: number;
  /** Standard deviation of luma, 0..~128: flat frames are near 0. */
  contrast: number;
  /** Share of pixels on a strong horizontal luma edge, 0..1 (text has many). */
  edges: number;
  /** 0..1: how blank the frame is (flat: black, a fade, one colour). */
  blank: number;
}

/** Contrast below which a frame counts as fully blank, and above which not at all. */
const BLANK_FULL = 2.5;
const BLANK_NONE = 7;
const EDGE_STEP = 48;

/** Cues of one rgb24 frame of width x height. */
export function frameCues(rgb: Uint8Array, width: number, height: number): FrameCues {
  const pixels = width * height;
  if (pixels <= 0 || rgb.length < pixels * 3) {
    throw new RangeError(`frame has ${rgb.length} bytes, expected ${pixels * 3}`);
  }
  let sum = 0;
  let sumSq = 0;
  let edges = 0;
  let prev = 0;
  for (let i = 0, p = 0; p < pixels; p++, i += 3) {
    // Rec. 601 luma in integer arithmetic.
    const y =
      (77 * (rgb[i] as number) + 150 * (rgb[i + 1] as number) + 29 * (rgb[i + 2] as number)) >> 8;
    sum += y;
    sumSq += y * y;
    if (p % width !== 0 && Math.abs(y - prev) >= EDGE_STEP) edges++;
    prev = y;
  }
  const luma = sum / pixels;
  const contrast = Math.sqrt(Math.max(0, sumSq / pixels - luma * luma));
  return {
    luma,
    contrast,
    edges: edges / pixels,
    blank: blankness(contrast),
  };
}

/** 1 for a flat frame, 0 for one with visible detail, linear in between. */
export function blankness(contrast: number): number {
  if (contrast <= BLANK_FULL) return 1;
  if (contrast >= BLANK_NONE) return 0;
  return (BLANK_NONE - contrast) / (BLANK_NONE - BLANK_FULL);
}

/** Mean absolute luma difference between two frames of the same size, 0..255. */
export function frameDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  if (n === 0) return 0;
  let total = 0;
  // Green stands in for luma: close enough for "did the picture change".
  for (let i = 1; i < n; i += 3) total += Math.abs((a[i] as number) - (b[i] as number));
  return total / Math.ceil(n / 3);
}

/** Side of the luma thumbnails that motion is measured on. */
const MOTION_SIDE = 64;
/** Largest scroll looked for between two frames, in thumbnail rows (a third of the height). */
const MAX_SCROLL = 20;

/** Luma thumbnail (MOTION_SIDE square) of an rgb24 frame, by box averaging. */
export function motionThumbnail(rgb: Uint8Array, width: number, height: number): Float32Array {
  const out = new Float32Array(MOTION_SIDE * MOTION_SIDE);
  const counts = new Float32Array(MOTION_SIDE * MOTION_SIDE);
  for (let y = 0; y < height; y++) {
    const ty = Math.min(MOTION_SIDE - 1, Math.floor((y * MOTION_SIDE) / height));
    for (let x = 0; x < width; x++) {
      const tx = Math.min(MOTION_SIDE - 1, Math.floor((x * MOTION_SIDE) / width));
      const i = (y * width + x) * 3;
      const luma =
        (77 * (rgb[i] as number) + 150 * (rgb[i + 1] as number) + 29 * (rgb[i + 2] as number)) /
        256;
      out[ty * MOTION_SIDE + tx] = (out[ty * MOTION_SIDE + tx] as number) + luma;
      counts[ty * MOTION_SIDE + tx] = (counts[ty * MOTION_SIDE + tx] as number) + 1;
    }
  }
  for (let i = 0; i < out.length; i++)
    out[i] = (out[i] as number) / Math.max(1, counts[i] as number);
  return out;
}

/**
 * How much two nearby frames differ once a vertical scroll is allowed for (mean absolute
 * luma difference at the best shift, 0..255). Credits are static cards or a roll moving up
 * at a steady speed: near 0. Story has camera and object motion: large.
 */
export function scrollResidual(a: Float32Array, b: Float32Array): number {
  const side = MOTION_SIDE;
  let best = Number.POSITIVE_INFINITY;
  for (let dy = -MAX_SCROLL; dy <= MAX_SCROLL; dy++) {
    let sum = 0;
    let n = 0;
    const y0 = Math.max(0, -dy);
    const y1 = Math.min(side, side - dy);
    for (let y = y0; y < y1; y++) {
      const ra = y * side;
      const rb = (y + dy) * side;
      for (let x = 0; x < side; x++) sum += Math.abs((a[ra + x] as number) - (b[rb + x] as number));
      n += side;
    }
    if (n > 0) best = Math.min(best, sum / n);
  }
  return Number.isFinite(best) ? best : 0;
}

/** 0 (static or scrolling, as credits are) .. 1 (complex motion, as story has). */
export function storyMotion(residual: number): number {
  return Math.min(1, Math.max(0, (residual - 6) / 10));
}
