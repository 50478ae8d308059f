import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildReporter, describeStep } from '../../demo/progress.js';
import { EPISODES } from '../../demo/series.js';

afterEach(() => {
  vi.useRealTimers();
});

const [first] = EPISODES;
if (!first) throw new Error('no episodes');

describe('build progress on plain output', () => {
  it('announces slow steps with their time and stays quiet about cached ones', () => {
    vi.useFakeTimers();
    const lines: string[] = [];
    const out = {
      isTTY: false,
      write: (s: string) => lines.push(s),
    } as unknown as NodeJS.WriteStream;
    const reporter = buildReporter(out, () => Date.now(), 500);
    reporter.onProgress({ done: 0, total: 2, current: { episode: first, step: 'video' } });
    vi.advanceTimersByTime(1500);
    reporter.onProgress({ done: 1, total: 2, current: { episode: first, step: 'hls' } });
    vi.advanceTimersByTime(100); // cached: done before it is announced
    reporter.onProgress({ done: 2, total: 2 });
    reporter.stop();
    vi.advanceTimersByTime(5000);
    expect(lines).toEqual([
      '  Episode 1 (roll): rendering the 720p mp4…\n',
      '  [1/2] Episode 1 (roll): rendering the 720p mp4: 1.5 s\n',
    ]);
  });

  it('names the step in words', () => {
    expect(describeStep({ done: 1, total: 6, current: { episode: first, step: 'hls' } })).toBe(
      'Episode 1 (roll): cutting the HLS rendition',
    );
    expect(describeStep({ done: 6, total: 6 })).toBe('done');
  });
});
