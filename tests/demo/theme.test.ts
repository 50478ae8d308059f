import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EPISODES } from '../../demo/series.js';
import { THEME_RATE, THEME_SECONDS, themeFilter, themeSamples, wavFile } from '../../demo/theme.js';
import { audioWindows } from '../../server/fingerprint/windows.js';

describe('the demo series theme', () => {
  it('is seeded: the same seed gives the same samples, another seed other ones', () => {
    const a = themeSamples(7, 2, 8000);
    expect(a).toEqual(themeSamples(7, 2, 8000));
    expect(a).not.toEqual(themeSamples(8, 2, 8000));
    expect(a.length).toBe(16_000);
    const peak = a.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    expect(peak).toBeGreaterThan(0.2);
    expect(peak).toBeLessThanOrEqual(1);
  });

  it('does not repeat itself (a repeat would let its fingerprint align at two shifts)', () => {
    const rate = 4000;
    const x = themeSamples(undefined, 8, rate);
    const energyAt = (from: number) => {
      let e = 0;
      for (let i = 0; i < rate; i++) e += ((x[from + i] ?? 0) - (x[i] ?? 0)) ** 2;
      return e;
    };
    // The first second against every later second, shifted by whole chords (0.5 s).
    for (let half = 1; half <= 12; half++) expect(energyAt((half * rate) / 2)).toBeGreaterThan(10);
  });

  it('comes after a cold open of a different length in every episode, before the credits', () => {
    const starts = EPISODES.map((e) => e.introAt);
    expect(new Set(starts).size).toBe(EPISODES.length);
    for (const e of EPISODES) {
      expect(e.introAt).toBeGreaterThan(0);
      const creditsAt =
        e.fixture.duration - (e.fixture.creditsDuration ?? 0) - (e.fixture.postCredits ?? 0);
      expect(e.introAt + THEME_SECONDS).toBeLessThan(creditsAt - 10);
    }
  });

  it('lies inside the default opening window (half of these short episodes), which 25% would miss', () => {
    for (const e of EPISODES) {
      const end = e.introAt + THEME_SECONDS;
      expect(audioWindows(e.fixture.duration).opening.duration).toBeGreaterThan(end + 2);
      // intro-skipper's 25% alone ends before (E1, E2) or at (E3) the intro's end.
      const quarter = audioWindows(e.fixture.duration, { openingMinSeconds: 0 });
      expect(quarter.opening.duration).toBeLessThanOrEqual(end);
    }
  });

  it('through ffmpeg: the story until `at`, then the theme alone, then the story again', () => {
    const ffmpeg = '/usr/bin/ffmpeg';
    if (spawnSync(ffmpeg, ['-version']).status !== 0) {
      console.warn('skipped: no /usr/bin/ffmpeg');
      return;
    }
    const dir = mkdtempSync(path.join(tmpdir(), 'endcue-theme-test-'));
    try {
      const theme = themeSamples(undefined, 3);
      const wav = path.join(dir, 'theme.wav');
      writeFileSync(wav, wavFile(theme, THEME_RATE));
      const out = spawnSync(
        ffmpeg,
        [
          ...['-hide_banner', '-v', 'error', '-f', 'lavfi', '-t', '6'],
          ...['-i', `sine=f=300:r=${THEME_RATE}`, '-i', wav],
          ...['-filter_complex', themeFilter(2, 3), '-map', '[a]', '-ac', '1', '-f', 'f32le', '-'],
        ],
        { maxBuffer: 64 * 1024 * 1024 },
      );
      expect(out.stderr.toString()).toBe('');
      const pcm = new Float32Array(out.stdout.buffer, out.stdout.byteOffset, out.stdout.length / 4);
      expect(pcm.length).toBe(6 * THEME_RATE);
      const rms = (from: number, to: number) => {
        let e = 0;
        const [i0, i1] = [Math.round(from * THEME_RATE), Math.round(to * THEME_RATE)];
        for (let i = i0; i < i1; i++) e += (pcm[i] ?? 0) ** 2;
        return Math.sqrt(e / ((to - from) * THEME_RATE));
      };
      // The story (a steady sine) before and after, as loud after as before.
      expect(rms(0, 1.9)).toBeGreaterThan(0.05);
      expect(rms(5.1, 6)).toBeCloseTo(rms(0, 1.9), 3);
      // In between, the theme's samples (16-bit) and nothing of the story.
      let worst = 0;
      for (let k = 0; k < theme.length; k++) {
        worst = Math.max(worst, Math.abs((pcm[2 * THEME_RATE + k] ?? 0) - (theme[k] ?? 0)));
      }
      expect(worst).toBeLessThan(1e-3);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
