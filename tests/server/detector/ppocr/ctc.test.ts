import { describe, expect, it } from 'vitest';
import { ctcCharacters, decodeCtc } from '../../../../server/detector/ppocr/ctc.js';

/** Softmax rows where class `best[t]` gets `p` and the rest share what is left. */
function rows(best: number[], classes: number, p = 0.9): Float32Array {
  const out = new Float32Array(best.length * classes).fill((1 - p) / (classes - 1));
  best.forEach((c, t) => {
    out[t * classes + c] = p;
  });
  return out;
}

describe('decodeCtc', () => {
  const characters = ['', 'a', 'b', 'c', ' '];

  it('collapses repeats and drops blanks', () => {
    const probs = rows([1, 1, 0, 1, 2, 2, 0, 0, 3], characters.length);
    expect(decodeCtc(probs, 9, characters.length, characters)).toEqual({
      text: 'aabc',
      confidence: expect.closeTo(0.9, 5),
    });
  });

  it('reads nothing from blanks only, with confidence 0', () => {
    const probs = rows([0, 0, 0], characters.length);
    expect(decodeCtc(probs, 3, characters.length, characters)).toEqual({ text: '', confidence: 0 });
  });
});

describe('ctcCharacters', () => {
  it('puts the blank first and the space last, one key a line', () => {
    expect(ctcCharacters('a\nb\n中\n')).toEqual(['', 'a', 'b', '中', ' ']);
  });
});
