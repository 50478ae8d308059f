/**
 * Cheap per-frame cues computed on the small rgb24 frames the classifier sees (PURE).
 * The main one is blankness: black frames, fades and flat colour say nothing about
 * credits vs story, so the decision step lets them vote less (the classifier alone tends to
 * call dark frames "credits", having learnt that credits are dark).
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
