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

describe("creditsAnswer: the season's intro and end music (issue 22)", () => {
  const intro = { start: 12, end: 42.5, confidence: 0.5 };
  const override = {
    titleId: 't',
    creditsStart: 80,
    creditsEnd: null,
    duration: null,
    note: null,
    updatedAt: 1,
  };

  it('carries the intro, first in segments, also under an override', () => {
    const detected = creditsAnswer(
      't',
      stored({ segments: [{ kind: 'credits', start: 90, end: 100 }] }),
      undefined,
      { intro, introReason: null },
    );
    expect(detected).toMatchObject({ intro, introReason: null });
    expect(detected.segments).toEqual([
      { kind: 'intro', start: 12, end: 42.5 },
      { kind: 'credits', start: 90, end: 100 },
    ]);
    const manual = creditsAnswer('t', stored({}), override, { intro, introReason: null });
    expect(manual).toMatchObject({ source: 'manual', intro });
    expect(manual.segments.map((s) => s.kind)).toEqual(['intro', 'credits']);
  });

  it('says why there is none, and nothing about end music until the season is analysed', () => {
    const pending = creditsAnswer('t', stored({}), undefined, {
      intro: null,
      introReason: 'pending',
    });
    expect(pending).toMatchObject({ intro: null, introReason: 'pending', segments: [] });
    expect(pending).not.toHaveProperty('seriesConfidence');
    expect(creditsAnswer('t', stored({}), undefined)).toMatchObject({ introReason: null });
  });

  it('weighs the detected start by the shared end music, never moving it', () => {
    const music = (start: number) => ({ start, end: 100, confidence: 1 });
    const agrees = creditsAnswer('t', stored({}), undefined, {
      intro: null,
      introReason: 'nothing-shared',
      closing: music(88),
    });
    expect(agrees).toMatchObject({
      creditsStart: 90,
      confidence: 0.95,
      endMusicEvidence: 'agrees',
    });
    expect(agrees.seriesConfidence).toBeGreaterThan(0.95);
    expect(agrees.endMusic).toEqual(music(88));
    const disagrees = creditsAnswer('t', stored({ creditsStart: 40 }), undefined, {
      intro: null,
      introReason: 'nothing-shared',
      closing: music(88),
    });
    expect(disagrees).toMatchObject({ creditsStart: 40, endMusicEvidence: 'disagrees' });
    expect(disagrees.seriesConfidence).toBeLessThan(0.95);
    const finale = creditsAnswer('t', stored({}), undefined, {
      intro,
      introReason: null,
      closing: null,
    });
    expect(finale).toMatchObject({
      endMusic: null,
      endMusicEvidence: 'none',
      seriesConfidence: 0.95,
    });
    // An override is the operator's word: no weighing.
    expect(
      creditsAnswer('t', stored({}), override, { intro, introReason: null, closing: music(88) }),
    ).not.toHaveProperty('endMusicEvidence');
  });
});
