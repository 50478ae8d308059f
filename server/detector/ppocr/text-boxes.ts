/**
 * Text boxes from PP-OCR's detector output (PURE), after DBNet's own post-processing, kept
 * to axis-aligned boxes (credits and captions are level): pixels whose text probability
 * passes PIXEL_THRESHOLD join their 4-neighbours into regions; a region whose mean
 * probability passes BOX_THRESHOLD is a box, grown by UNCLIP_RATIO (DBNet predicts a
 * shrunk core of each text line) and scaled back to the frame.
 */

/** A box on the frame, pixels; x1, y1 exclusive. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface ScoredBox extends Box {
  /** Mean text probability inside the region (0..1). */
  score: number;
}

/** PaddleOCR's defaults (det_db_thresh, det_db_box_thresh, det_db_unclip_ratio). */
export const PIXEL_THRESHOLD = 0.3;
export const BOX_THRESHOLD = 0.6;
export const UNCLIP_RATIO = 1.5;
/** Regions thinner than this (map pixels) are specks, not text. */
export const MIN_BOX_SIDE = 3;

/**
 * Boxes of a `mapWidth` x `mapHeight` probability map, in the coordinates of a
 * `frameWidth` x `frameHeight` frame, top to bottom then left to right.
 */
export function textBoxes(
  probability: Float32Array,
  mapWidth: number,
  mapHeight: number,
  frameWidth: number,
  frameHeight: number,
): ScoredBox[] {
  const label = new Int32Array(mapWidth * mapHeight);
  const stack: number[] = [];
  const boxes: ScoredBox[] = [];
  let next = 0;
  for (let start = 0; start < label.length; start++) {
    if (label[start] !== 0 || (probability[start] as number) <= PIXEL_THRESHOLD) continue;
    next++;
    label[start] = next;
    stack.push(start);
    let x0 = mapWidth;
    let y0 = mapHeight;
    let x1 = -1;
    let y1 = -1;
    let sum = 0;
    let count = 0;
    while (stack.length > 0) {
      const i = stack.pop() as number;
      const x = i % mapWidth;
      const y = (i - x) / mapWidth;
      sum += probability[i] as number;
      count++;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
      const neighbours = [
        x > 0 ? i - 1 : -1,
        x < mapWidth - 1 ? i + 1 : -1,
        y > 0 ? i - mapWidth : -1,
        y < mapHeight - 1 ? i + mapWidth : -1,
      ];
      for (const j of neighbours) {
        if (j >= 0 && label[j] === 0 && (probability[j] as number) > PIXEL_THRESHOLD) {
          label[j] = next;
          stack.push(j);
        }
      }
    }
    const w = x1 - x0 + 1;
    const h = y1 - y0 + 1;
    if (Math.min(w, h) < MIN_BOX_SIDE || sum / count < BOX_THRESHOLD) continue;
    // DBNet's unclip: offset = area * ratio / perimeter, here for a rectangle.
    const grow = (w * h * UNCLIP_RATIO) / (2 * (w + h));
    const sx = frameWidth / mapWidth;
    const sy = frameHeight / mapHeight;
    boxes.push({
      x0: Math.max(0, Math.floor((x0 - grow) * sx)),
      y0: Math.max(0, Math.floor((y0 - grow) * sy)),
      x1: Math.min(frameWidth, Math.ceil((x1 + 1 + grow) * sx)),
      y1: Math.min(frameHeight, Math.ceil((y1 + 1 + grow) * sy)),
      score: sum / count,
    });
  }
  return boxes.sort((a, b) => a.y0 - b.y0 || a.x0 - b.x0);
}
