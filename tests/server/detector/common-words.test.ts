import { describe, expect, it } from 'vitest';
import { isCommonWord } from '../../../server/detector/common-words.js';

describe('isCommonWord', () => {
  it('knows everyday English words, inflected ones too', () => {
    for (const w of ['hello', 'tomorrow', 'faster', 'moving', 'bigger', 'than', 'light']) {
      expect(isCommonWord(w), w).toBe(true);
    }
  });

  it('does not know names, made-up titles or words of other languages', () => {
    for (const w of [
      'june',
      'moreau',
      'keiko',
      'nakamura',
      'schneider',
      'sintel',
      'brickfilm',
      'gracias',
    ]) {
      expect(isCommonWord(w), w).toBe(false);
    }
  });
});
