import { describe, expect, it } from 'vitest';
import type { CreditsAnswer } from '../../../server/http/service.js';
import { creditsChapters, creditsToVtt, vttTime } from '../../../server/http/vtt.js';

const answer = (over: Partial<CreditsAnswer>): CreditsAnswer => ({
  titleId: 't',
  creditsStart: 744,
  creditsEnd: null,
  segments: [],
  confidence: 0.97,
  duration: 800,
  modelVersion: 'm',
  source: 'detected',
  intro: null,
  introReason: 'not-a-series',
  ...over,
});

describe('WebVTT chapters', () => {
  it('formats times as HH:MM:SS.mmm', () => {
    expect(vttTime(0)).toBe('00:00:00.000');
    expect(vttTime(744.04)).toBe('00:12:24.040');
    expect(vttTime(3 * 3600 + 61.5)).toBe('03:01:01.500');
  });

  it('splits programme / credits / epilogue (the scene after the credits)', () => {
    const chapters = creditsChapters(
      answer({
        creditsEnd: 780,
        segments: [
          { kind: 'credits', start: 744, end: 780 },
          { kind: 'post-credits', start: 780, end: 800 },
        ],
      }),
    );
    expect(chapters).toEqual([
      { start: 0, end: 744, label: 'Programme' },
      { start: 744, end: 780, label: 'Credits' },
      { start: 780, end: 800, label: 'Epilogue' },
    ]);
  });

  it('ends open credits at the duration, and has one chapter when there are no credits', () => {
    expect(creditsChapters(answer({}))).toEqual([
      { start: 0, end: 744, label: 'Programme' },
      { start: 744, end: 800, label: 'Credits' },
    ]);
    expect(creditsChapters(answer({ creditsStart: null }))).toEqual([
      { start: 0, end: 800, label: 'Programme' },
    ]);
    expect(creditsToVtt(answer({ creditsStart: null, duration: null }))).toBe('WEBVTT - t\n\n');
  });
});
