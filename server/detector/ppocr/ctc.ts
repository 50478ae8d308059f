/**
 * PP-OCR's recogniser output as text (PURE): greedy CTC decoding, the best class at each
 * step, repeats collapsed and blanks (class 0) dropped. Its confidence is the mean
 * probability of the characters kept.
 */
export interface Recognized {
  text: string;
  /** 0..1 */
  confidence: number;
}

/**
 * `probabilities` is steps x classes (row-major softmax output); `characters[c]` is class
 * c's text (characters[0], the blank, is never emitted).
 */
export function decodeCtc(
  probabilities: Float32Array,
  steps: number,
  classes: number,
  characters: readonly string[],
): Recognized {
  let text = '';
  let sum = 0;
  let kept = 0;
  let previous = -1;
  for (let t = 0; t < steps; t++) {
    let best = 0;
    let bestP = -1;
    const row = t * classes;
    for (let c = 0; c < classes; c++) {
      const p = probabilities[row + c] as number;
      if (p > bestP) {
        bestP = p;
        best = c;
      }
    }
    if (best !== 0 && best !== previous) {
      text += characters[best] ?? '';
      sum += bestP;
      kept++;
    }
    previous = best;
  }
  return { text, confidence: kept > 0 ? sum / kept : 0 };
}

/**
 * The recogniser's classes from its key file (one character a line): the blank first, then
 * the keys, then the space PaddleOCR appends (use_space_char).
 */
export function ctcCharacters(keyFile: string): string[] {
  const keys = keyFile.split('\n');
  if (keys[keys.length - 1] === '') keys.pop();
  return ['', ...keys, ' '];
}
