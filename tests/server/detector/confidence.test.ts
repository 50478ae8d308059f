import { describe, expect, it } from 'vitest';
import {
  reportedConfidence,
  START_CONFIRM_S,
  UNREAD_CAP,
} from '../../../server/detector/confidence.js';

describe('reportedConfidence', () => {
  const start = { creditsStart: 100, creditsEnd: 160, confidence: 0.98, chapter: false };

  it('keeps a start whose credits run reads as credits', () => {
    expect(reportedConfidence({ ...start, reads: [{ t: 101, cue: 1 }] })).toBe(0.98);
    // A reading just before the run's start still confirms it (a coarse sample's reach).
    expect(reportedConfidence({ ...start, reads: [{ t: 99.5, cue: 1 }] })).toBe(0.98);
  });

  it('caps a start that no reading confirms: nothing read, text of no kind, or elsewhere', () => {
    expect(reportedConfidence({ ...start, reads: [] })).toBe(UNREAD_CAP);
    expect(reportedConfidence({ ...start, reads: [{ t: 120, cue: 0 }] })).toBe(UNREAD_CAP);
    expect(reportedConfidence({ ...start, reads: [{ t: 50, cue: 1 }] })).toBe(UNREAD_CAP);
    expect(reportedConfidence({ ...start, confidence: 0.5, reads: [] })).toBe(0.5);
  });

  it('caps a start whose run is read as credits only well after it (story cards can open a run)', () => {
    const late = [{ t: 100 + START_CONFIRM_S + 8, cue: 1 as const }];
    expect(reportedConfidence({ ...start, reads: late })).toBe(UNREAD_CAP);
    const soon = [{ t: 100 + START_CONFIRM_S - 1, cue: 1 as const }];
    expect(reportedConfidence({ ...start, reads: soon })).toBe(0.98);
  });

  it('trusts a confirmed chapter, and leaves "no credits" answers as they are', () => {
    expect(reportedConfidence({ ...start, chapter: true, reads: [] })).toBe(0.98);
    const none = { creditsStart: null, creditsEnd: null, confidence: 0.9, chapter: false };
    expect(reportedConfidence({ ...none, reads: [] })).toBe(0.9);
  });
});
