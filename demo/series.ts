/**
 * The demo series: three generated 720p episodes (story with a title card and subtitles,
 * the series' theme after a cold open of its own length, then closing credits in a
 * different style each, one with a post-credits scene), as mp4 and as an HLS rendition.
 * Built with the fixture generator and cached under .cache/demo, so a second start only
 * reads the ground-truth JSON files.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DEFAULT_MEDIA_ROOT } from '../server/config.js';
import type { FfmpegBinaries } from '../server/media/ffmpeg.js';
import {
  type Fixture,
  type FixtureOptions,
  GENERATOR_VERSION,
  generateFixture,
  normalizeSpec,
} from '../tests/fixtures/generate.js';
import { makeHls } from '../tests/fixtures/hls.js';
import { binaries, cachedVideo, hashKey, runFfmpeg } from '../tests/fixtures/run.js';
import {
  THEME_RATE,
  THEME_SECONDS,
  THEME_SEED,
  themeFilter,
  themeSamples,
  wavFile,
} from './theme.js';

export const SERIES_ID = 'endcue-demo';
export const SERIES_NAME = 'The Lighthouse Keepers';

export interface EpisodeSpec {
  id: string;
  episode: number;
  title: string;
  /** Seconds of cold open before the theme. */
  introAt: number;
  fixture: FixtureOptions & Required<Pick<FixtureOptions, 'duration' | 'style'>>;
}

const FRAME = { width: 1280, height: 720, fps: 24 } as const;

/**
 * Three episodes, 60-120 s, one credits style each; the last has a post-credits scene. The
 * theme follows a cold open of 8, 14 and 4 s, so the intro is at a different time in each.
 * Seeds are chosen so every episode opens on a black title card with the film's name and
 * a "presents" line (white text on black, the in-story text most like credits), and so
 * every name is in Latin-1: the fixture fonts are the `latin` subsets, which draw a box
 * for letters such as ć or ř.
 */
export const EPISODES: readonly EpisodeSpec[] = [
  {
    id: 'demo-s1e1',
    episode: 1,
    title: 'The Signal',
    introAt: 8,
    fixture: { ...FRAME, seed: 705, duration: 72, creditsDuration: 14, style: 'roll' },
  },
  {
    id: 'demo-s1e2',
    episode: 2,
    title: 'Low Tide',
    introAt: 14,
    fixture: { ...FRAME, seed: 709, duration: 84, creditsDuration: 16, style: 'cards' },
  },
  {
    id: 'demo-s1e3',
    episode: 3,
    title: 'Fog Horn',
    introAt: 4,
    fixture: {
      ...FRAME,
      seed: 703,
      duration: 96,
      creditsDuration: 16,
      postCredits: 10,
      style: 'over-picture',
    },
  },
];

/** One generated episode: where its files are, and the generator's ground truth. */
export interface DemoEpisode {
  id: string;
  episode: number;
  title: string;
  style: string;
  /** Paths relative to the media dir (also the titles' src on the server). */
  mp4: string;
  hls: string;
  duration: number;
  /** Ground truth from the generator (the detector never sees it). */
  truth: {
    creditsStart: number;
    creditsEnd: number;
    postCreditsStart: number | null;
    /** Where the theme was laid in. */
    intro: { start: number; end: number };
  };
}

export interface DemoSeries {
  mediaDir: string;
  episodes: DemoEpisode[];
}

export type BuildStep = 'video' | 'hls';

export interface BuildProgress {
  /** Steps finished so far, of `total`. */
  done: number;
  total: number;
  /** The step starting now (undefined once everything is done). */
  current?: { episode: EpisodeSpec; step: BuildStep };
}

export interface BuildOptions {
  /** Default: the server's zero-config media root (.cache/demo). */
  mediaDir?: string;
  ffmpeg?: FfmpegBinaries;
  onProgress?: (progress: BuildProgress) => void;
}

/**
 * Generates (or finds cached) the whole series, one step at a time (2 cores are shared),
 * reporting before and after each step.
 */
export async function buildSeries(options: BuildOptions = {}): Promise<DemoSeries> {
  const mediaDir = options.mediaDir ?? DEFAULT_MEDIA_ROOT;
  const bins = binaries(options.ffmpeg);
  const report = options.onProgress ?? (() => undefined);
  const total = EPISODES.length * 2;
  let done = 0;
  const episodes: DemoEpisode[] = [];
  for (const spec of EPISODES) {
    report({ done, total, current: { episode: spec, step: 'video' } });
    const fixture = await themedEpisode(spec, mediaDir, bins);
    done++;
    report({ done, total, current: { episode: spec, step: 'hls' } });
    const playlist = await makeHls(fixture.path, { cacheDir: mediaDir, ffmpeg: bins });
    done++;
    episodes.push({
      id: spec.id,
      episode: spec.episode,
      title: spec.title,
      style: spec.fixture.style,
      mp4: path.relative(mediaDir, fixture.path),
      hls: path.relative(mediaDir, playlist),
      duration: fixture.duration,
      truth: {
        creditsStart: fixture.creditsStart,
        creditsEnd: fixture.creditsEnd,
        postCreditsStart: fixture.postCreditsStart,
        intro: fixture.intro,
      },
    });
  }
  report({ done, total });
  return { mediaDir, episodes };
}

type ThemedFixture = Fixture & { intro: { start: number; end: number } };

/**
 * The generated episode with the series' theme in place of its audio from `introAt`,
 * cached under a name of its own spec: the picture is the fixture's, copied; the audio is
 * encoded again as the fixtures encode it. The fixture without the theme is removed once
 * used, so the cache holds each episode once.
 */
function themedEpisode(
  spec: EpisodeSpec,
  mediaDir: string,
  bins: FfmpegBinaries,
): Promise<ThemedFixture> {
  const at = spec.introAt;
  const fixture = normalizeSpec(spec.fixture);
  const key = hashKey({
    v: GENERATOR_VERSION,
    fixture,
    ffmpeg: bins.version,
    theme: { at, seed: THEME_SEED, seconds: THEME_SECONDS },
  });
  const name = `${fixture.style}-${fixture.duration}s-${fixture.width}x${fixture.height}-s${fixture.seed}-theme-${key}`;
  return cachedVideo<ThemedFixture>(path.join(mediaDir, `${name}.mp4`), false, async (temp) => {
    const plain = await generateFixture(fixture, { cacheDir: mediaDir, ffmpeg: bins });
    const work = mkdtempSync(path.join(tmpdir(), 'endcue-demo-theme-'));
    try {
      const wav = path.join(work, 'theme.wav');
      writeFileSync(wav, wavFile(themeSamples(), THEME_RATE));
      await runFfmpeg(bins, [
        ...['-i', plain.path, '-i', wav, '-filter_complex', themeFilter(at)],
        ...['-map', '0:v', '-map', '[a]', '-c:v', 'copy'],
        ...['-c:a', 'aac', '-b:a', '64k', '-ar', '48000', '-ac', '2'],
        ...['-movflags', '+faststart', '-map_metadata', '-1', '-fflags', '+bitexact'],
        ...['-flags:a', '+bitexact', '-f', 'mp4', temp],
      ]);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const { path: plainPath, ...truth } = plain;
    removePlain(plainPath, mediaDir);
    return { ...truth, intro: { start: at, end: at + THEME_SECONDS } };
  });
}

/** The fixture without the theme, its truth and an HLS rendition an older demo cut of it. */
export function removePlain(plainPath: string, mediaDir: string): void {
  rmSync(plainPath, { force: true });
  rmSync(plainPath.replace(/\.mp4$/, '.json'), { force: true });
  const hls = path.join(mediaDir, 'hls');
  const prefix = `${path.parse(plainPath).name}-`;
  const stale = existsSync(hls) ? readdirSync(hls).filter((d) => d.startsWith(prefix)) : [];
  for (const dir of stale) rmSync(path.join(hls, dir), { recursive: true, force: true });
}
