import { describe, expect, it } from 'vitest';
import { boxesToWords } from '../../../../server/detector/ppocr/words.js';

describe('boxesToWords', () => {
  it('splits a box into words, sharing its width by their length, confidence on 0..100', () => {
    const words = boxesToWords([
      { text: 'Directed by', confidence: 0.97, box: { x0: 100, y0: 50, x1: 210, y1: 70 } },
    ]);
    expect(words.map((w) => w.text)).toEqual(['Directed', 'by']);
    expect(words[0]).toMatchObject({
      confidence: 97,
      line: 0,
      box: { x0: 100, y0: 50, x1: 180, y1: 70 },
    });
    expect(words[1]?.box).toMatchObject({ x0: 190, x1: 210 });
  });

  it('numbers lines top to bottom; boxes side by side are one line', () => {
    const words = boxesToWords([
      { text: 'Jane Doe', confidence: 0.9, box: { x0: 400, y0: 102, x1: 500, y1: 122 } },
      { text: 'Music', confidence: 0.9, box: { x0: 100, y0: 100, x1: 180, y1: 120 } },
      { text: 'Editor', confidence: 0.9, box: { x0: 100, y0: 140, x1: 180, y1: 160 } },
    ]);
    expect(words.map((w) => [w.text, w.line])).toEqual([
      ['Music', 0],
      ['Jane', 0],
      ['Doe', 0],
      ['Editor', 1],
    ]);
  });

  it('reads an empty box as no words', () => {
    expect(
      boxesToWords([{ text: ' ', confidence: 0.5, box: { x0: 0, y0: 0, x1: 10, y1: 10 } }]),
    ).toEqual([]);
  });
});
