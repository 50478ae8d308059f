import { describe, expect, it } from 'vitest';
import type { DetectionResult } from '../../../server/detector/types.js';
import { creditsAnswer } from '../../../server/http/answer.js';
import type { StoredResult } from '../../../server/store/types.js';

function stored(result: Partial<DetectionResult>): StoredResult {
  return {
    result: {
      file: 'a.mp4',
      duration: 100,
      fps: 24,
      creditsStart: 90,
      creditsEnd: 100,
      frame: 2160,
      confidence: 0.95,
      segments: [],
      modelVersion: 'm',
      backend: 'wasm',
      elapsedMs: 1,
      ...result,
    },
    modelVersion: 'm',
  } as StoredResult;
}

describe('creditsAnswer source', () => {
  it('says where a detected start came from: the frames, or a credits chapter they confirmed', () => {
    expect(creditsAnswer('t', stored({ creditsSource: 'chapter' }), undefined).source).toBe(
      'chapter',
    );
    expect(creditsAnswer('t', stored({ creditsSource: 'frames' }), undefined).source).toBe(
      'detected',
    );
    // Results stored before the field existed came from the frames.
    expect(creditsAnswer('t', stored({}), undefined).source).toBe('detected');
  });
});
