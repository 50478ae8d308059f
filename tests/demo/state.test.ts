import { describe, expect, it } from 'vitest';
import type { DemoEpisode } from '../../demo/series.js';
import { episodeView, formatClock } from '../../demo/state.js';

const episode: DemoEpisode = {
  id: 'demo-s1e3',
  episode: 3,
  title: 'Fog Horn',
  style: 'over-picture',
  mp4: 'ep3.mp4',
  hls: 'ep3.hls/index.m3u8',
  duration: 100,
  truth: {
    creditsStart: 70,
    creditsEnd: 90,
    postCreditsStart: 90,
    intro: { start: 4, end: 24 },
  },
};

describe('formatClock', () => {
  it('writes mm:ss, hours when needed, flooring like players do', () => {
    expect(formatClock(0)).toBe('00:00');
    expect(formatClock(62.9)).toBe('01:02');
    expect(formatClock(3725)).toBe('1:02:05');
    expect(formatClock(-3)).toBe('00:00');
  });
});

describe('episodeView', () => {
  it('shows a finished analysis: credits time, confidence and the strip in percent', () => {
    const view = episodeView(episode, 200, {
      creditsStart: 69.5,
      creditsEnd: 90,
      confidence: 0.934,
      duration: 100,
      segments: [
        { kind: 'credits', start: 69.5, end: 90 },
        { kind: 'post-credits', start: 90, end: 100 },
      ],
    });
    expect(view.state).toBe('done');
    expect(view.label).toBe('credits at 01:09 · confidence 0.93');
    expect(view.creditsStart).toBe(69.5);
    expect(view.postCreditsStart).toBe(90);
    expect(view.strip).toEqual([
      { kind: 'credits', left: 69.5, width: 20.5 },
      { kind: 'post-credits', left: 90, width: 10 },
    ]);
    expect(view.truth).toEqual({
      creditsStart: 70,
      left: 70,
      label: 'generated credits start 01:10',
      introLabel: 'generated intro 00:04–00:24',
    });
    // This server said nothing about an intro.
    expect(view.intro).toBeNull();
    expect(view.introLabel).toBe('');
  });

  it("shows the season's intro: its span, and a bar on the strip from `intro` or its segment", () => {
    const answer = {
      creditsStart: 69.5,
      creditsEnd: 90,
      confidence: 0.934,
      duration: 100,
      segments: [
        { kind: 'intro', start: 4.2, end: 24 },
        { kind: 'credits', start: 69.5, end: 90 },
      ],
    };
    for (const body of [{ ...answer, intro: { start: 4.2, end: 24, confidence: 1 } }, answer]) {
      const view = episodeView(episode, 200, body);
      expect(view.intro).toEqual({ start: 4.2, end: 24 });
      expect(view.introLabel).toBe('intro 00:04–00:24');
      expect(view.label).toBe('credits at 01:09 · confidence 0.93');
      expect(view.strip).toEqual([
        { kind: 'intro', left: 4.2, width: 19.8 },
        { kind: 'credits', left: 69.5, width: 20.5 },
      ]);
    }
  });

  it('says why there is no intro, or that the season is still being compared', () => {
    const none = episodeView(episode, 200, {
      creditsStart: 70,
      segments: [],
      intro: null,
      introReason: 'nothing-shared',
    });
    expect(none.introLabel).toBe('no intro (nothing-shared)');
    expect(none.strip).toEqual([]);
    const pending = episodeView(episode, 200, {
      creditsStart: 70,
      intro: null,
      introReason: 'pending',
    });
    expect(pending.introLabel).toBe('intro: comparing the episodes…');
  });

  it('says so when the detector found no credits', () => {
    const view = episodeView(episode, 200, {
      creditsStart: null,
      confidence: 0.8,
      segments: [],
    });
    expect(view.state).toBe('done');
    expect(view.label).toBe('no credits found · confidence 0.80');
    expect(view.strip).toEqual([]);
  });

  it('maps 202 answers to queued and running with progress', () => {
    expect(episodeView(episode, 202, { status: 'queued', progress: 0 })).toMatchObject({
      state: 'queued',
      label: 'queued',
      progress: 0,
    });
    expect(episodeView(episode, 202, { status: 'running', progress: 0.426 })).toMatchObject({
      state: 'running',
      label: 'analysing… 43 %',
      progress: 0.426,
    });
  });

  it('shows failures with the error code and message', () => {
    const view = episodeView(episode, 422, {
      status: 'failed',
      error: { code: 'decode-failed', message: 'ep3.mp4: cannot decode' },
    });
    expect(view).toMatchObject({
      state: 'failed',
      label: 'analysis failed: decode-failed',
      error: 'ep3.mp4: cannot decode',
    });
    expect(episodeView(episode, 500, null).label).toBe('analysis failed: 500');
  });
});
