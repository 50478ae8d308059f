import { describe, expect, it } from 'vitest';
import { clockTime, formatResult } from '../../../server/cli/formats.js';
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
