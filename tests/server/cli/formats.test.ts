import { describe, expect, it } from 'vitest';
import {
  clockTime,
  formatResult,
  formatSeason,
  type SeasonFileAnswer,
  toJellyfin,
} from '../../../server/cli/formats.js';
import type { DetectionResult } from '../../../server/detector/types.js';

const found: DetectionResult = {
  file: 'movie.mp4',
  duration: 900,
  fps: 24,
  creditsStart: 744,
  creditsEnd: 850.5,
  frame: 17856,
  confidence: 0.973,
  segments: [
    { kind: 'credits', start: 744, end: 850.5 },
    { kind: 'post-credits', start: 850.5, end: 900 },
  ],
  modelVersion: 'm1',
  backend: 'wasm',
  elapsedMs: 1234,
};

const none: DetectionResult = {
  ...found,
  creditsStart: null,
  creditsEnd: null,
  frame: null,
  confidence: 0.91,
  segments: [],
};

describe('formatResult', () => {
  it('prints the human line', () => {
    const text = formatResult(found, 'text');
    expect(text.split('\n')[0]).toBe('Credits start at 00:12:24.0 (frame 17856), confidence 0.97');
    expect(text).toContain('Credits end at 00:14:10.5; a scene follows (00:14:10.5-00:15:00.0)');
    expect(formatResult(none, 'text')).toBe(
      'No closing credits found in movie.mp4, confidence 0.91\n',
    );
  });

  it('prints exactly one JSON object with the documented keys', () => {
    const json = formatResult(found, 'json');
    expect(json.trim().split('\n')).toHaveLength(1);
    const parsed = JSON.parse(json);
    expect(Object.keys(parsed)).toEqual([
      'file',
      'duration',
      'fps',
      'creditsStart',
      'creditsEnd',
      'frame',
      'confidence',
      'segments',
      'modelVersion',
      'backend',
      'elapsedMs',
    ]);
    expect(parsed.segments[1]).toEqual({ kind: 'post-credits', start: 850.5, end: 900 });
    expect(JSON.parse(formatResult(none, 'json')).creditsStart).toBeNull();
  });

  it('prints WebVTT chapters', () => {
    const vtt = formatResult(found, 'vtt');
    expect(vtt.startsWith('WEBVTT\n\n')).toBe(true);
    expect(vtt).toContain('00:00:00.000 --> 00:12:24.000\nProgramme');
    expect(vtt).toContain('00:12:24.000 --> 00:14:10.500\nCredits');
    expect(vtt).toContain('00:14:10.500 --> 00:15:00.000\nEpilogue');
    expect(formatResult(none, 'vtt')).toContain('00:00:00.000 --> 00:15:00.000\nProgramme');
  });

  it('prints a Kodi EDL line for the credits only', () => {
    expect(formatResult(found, 'edl')).toBe('744.000\t850.500\t3\n');
    expect(formatResult(none, 'edl')).toBe('');
  });

  it("types a season's intro as Jellyfin's Intro, before the Outro", () => {
    expect(
      toJellyfin({
        segments: [
          { kind: 'intro', start: 12.5, end: 40 },
          { kind: 'credits', start: 88, end: 100 },
          { kind: 'post-credits', start: 100, end: 110 },
        ],
      }),
    ).toEqual([
      { Type: 'Intro', StartTicks: 125_000_000, EndTicks: 400_000_000 },
      { Type: 'Outro', StartTicks: 880_000_000, EndTicks: 1_000_000_000 },
    ]);
  });

  it('prints Jellyfin media segments in ticks', () => {
    expect(JSON.parse(formatResult(found, 'jellyfin'))).toEqual([
      { Type: 'Outro', StartTicks: 7_440_000_000, EndTicks: 8_505_000_000 },
    ]);
    expect(JSON.parse(formatResult(none, 'jellyfin'))).toEqual([]);
  });

  it('formats clock times to a tenth of a second', () => {
    expect(clockTime(0)).toBe('00:00:00.0');
    expect(clockTime(3599.96)).toBe('01:00:00.0');
    expect(clockTime(7384.25)).toBe('02:03:04.3');
  });
});

describe('formatSeason (detect --series)', () => {
  const season: SeasonFileAnswer[] = [
    {
      file: 'S01E01.mkv',
      result: found,
      intro: { start: 12, end: 32.44, confidence: 1 },
      introReason: null,
      endMusic: { start: 740.2, end: 860, confidence: 0.5 },
      seriesConfidence: 0.98,
      endMusicEvidence: 'agrees',
    },
    {
      file: 'S01E02.mkv',
      result: { ...none, file: 'S01E02.mkv' },
      intro: null,
      introReason: 'no-audio',
      endMusic: null,
      seriesConfidence: 0.91,
      endMusicEvidence: 'none',
    },
    {
      file: 'S01E03.mkv',
      error: {
        code: 'corrupt-media',
        message: 'S01E03.mkv: moov atom not found',
        retryable: false,
      },
      intro: null,
      introReason: 'unreadable',
      endMusic: null,
    },
  ];

  it("prints a JSON array: today's keys, the intro first in segments, then the series keys", () => {
    const json = formatSeason(season, 'json');
    expect(json.trim().split('\n')).toHaveLength(1);
    const [first, second, third] = JSON.parse(json);
    expect(Object.keys(first)).toEqual([
      ...['file', 'duration', 'fps', 'creditsStart', 'creditsEnd', 'frame', 'confidence'],
      ...['segments', 'modelVersion', 'backend', 'elapsedMs', 'intro', 'introReason'],
      ...['endMusic', 'endMusicEvidence', 'seriesConfidence', 'singleCreditsStart'],
    ]);
    expect(first.singleCreditsStart).toBe(first.creditsStart);
    expect(first.segments[0]).toEqual({ kind: 'intro', start: 12, end: 32.44 });
    expect(first.segments).toHaveLength(3);
    expect(first.intro).toEqual({ start: 12, end: 32.44, confidence: 1 });
    expect(first.confidence).toBe(0.973);
    expect(second).toMatchObject({ intro: null, introReason: 'no-audio', segments: [] });
    expect(third).toEqual({
      file: 'S01E03.mkv',
      error: {
        code: 'corrupt-media',
        message: 'S01E03.mkv: moov atom not found',
        retryable: false,
      },
      intro: null,
      introReason: 'unreadable',
      endMusic: null,
    });
  });

  it('prints a line per file, then its intro (or why none) and shared end music', () => {
    expect(formatSeason(season, 'text').split('\n')).toEqual([
      'S01E01.mkv: Credits start at 00:12:24.0 (frame 17856), confidence 0.97',
      '  Credits end at 00:14:10.5; a scene follows (00:14:10.5-00:15:00.0)',
      '  Intro 00:00:12.0–00:00:32.4, confidence 1.00',
      '  End music shared from 00:12:20.2 (agrees), series confidence 0.98',
      'S01E02.mkv: No closing credits found in S01E02.mkv, confidence 0.91',
      '  No intro (no-audio)',
      'S01E03.mkv: moov atom not found',
      '  No intro (unreadable)',
      '',
    ]);
  });

  it('shows the single-title start beside a start the shared end music bounded', () => {
    const bounded: SeasonFileAnswer = {
      ...(season[0] as SeasonFileAnswer & { result: DetectionResult }),
      singleCreditsStart: 700,
      endMusicEvidence: 'bounded-by-music',
    };
    const json = JSON.parse(formatSeason([bounded], 'json'))[0];
    expect(json).toMatchObject({
      creditsStart: 744,
      singleCreditsStart: 700,
      endMusicEvidence: 'bounded-by-music',
      seriesConfidence: 0.98,
    });
    expect(formatSeason([bounded], 'text').split('\n')[3]).toBe(
      '  End music shared from 00:12:20.2 (bounded-by-music: the single-title start 00:11:40.0 lay before it), series confidence 0.98',
    );
  });
});
