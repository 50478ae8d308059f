import { describe, expect, it } from 'vitest';
import { parseMinConfidence, trustedAnswer } from '../../../server/export/confidence.js';
import type { CreditsAnswer } from '../../../server/http/service.js';

const answer: CreditsAnswer = {
  titleId: 'ep1',
  creditsStart: 40,
  creditsEnd: 55,
  segments: [
    { kind: 'intro', start: 5, end: 25 },
    { kind: 'credits', start: 40, end: 55 },
    { kind: 'post-credits', start: 55, end: 60 },
  ],
  confidence: 0.75,
  duration: 60,
  modelVersion: 'm1',
  source: 'detected',
  intro: { start: 5, end: 25, confidence: 1 },
  introReason: null,
};

describe('--min-confidence', () => {
  it('reads a number from 0 to 1', () => {
    expect(parseMinConfidence('0')).toBe(0);
    expect(parseMinConfidence('0.8')).toBe(0.8);
    expect(parseMinConfidence('1')).toBe(1);
  });

  it('says which value is wrong and what to use', () => {
    for (const bad of ['80', '-0.1', 'high', '', '1.5']) {
      expect(() => parseMinConfidence(bad)).toThrow(
        expect.objectContaining({
          code: 'invalid-input',
          message: `--min-confidence ${bad}: not a number from 0 to 1`,
          hint: expect.stringMatching(/0\.8/),
        }),
      );
    }
  });

  it('leaves out a detected start less sure than the minimum, keeping the intro', () => {
    const { answer: trusted, leftOut } = trustedAnswer(answer, 0.8);
    expect(leftOut).toEqual({ creditsStart: 40, confidence: 0.75 });
    expect(trusted).toMatchObject({ creditsStart: null, creditsEnd: null, duration: 60 });
    expect(trusted.segments).toEqual([{ kind: 'intro', start: 5, end: 25 }]);
  });

  it('keeps a start as sure as the minimum, one set by hand, and an answer of no credits', () => {
    expect(trustedAnswer(answer, 0.75)).toEqual({ answer });
    const manual = { ...answer, source: 'manual' as const, confidence: 0.2 };
    expect(trustedAnswer(manual, 0.8)).toEqual({ answer: manual });
    const none = { ...answer, creditsStart: null, creditsEnd: null, segments: [] };
    expect(trustedAnswer(none, 0.8)).toEqual({ answer: none });
  });
});
