/**
 * The demo series: three generated 720p episodes (story with a title card and subtitles,
 * then closing credits in a different style each, one with a post-credits scene), as mp4
 * and as an HLS rendition. Built with the fixture generator and cached under .cache/demo,
 * so a second start only reads the ground-truth JSON files.
 */
import path from 'node:path';
import { DEFAULT_MEDIA_ROOT } from '../server/config.js';
import type { FfmpegBinaries } from '../server/media/ffmpeg.js';
import { type FixtureOptions, generateFixture } from '../tests/fixtures/generate.js';
import { makeHls } from '../tests/fixtures/hls.js';
import { binaries } from '../tests/fixtures/run.js';

export const SERIES_ID = 'endcue-demo';
export const SERIES_NAME = 'The Lighthouse Keepers';

export interface EpisodeSpec {
  id: string;
  episode: number;
  title: string;
  fixture: FixtureOptions & Required<Pick<FixtureOptions, 'duration' | 'style'>>;
}

const FRAME = { width: 1280, height: 720, fps: 24 } as const;

/**
 * Three episodes, 60-120 s, one credits style each; the last has a post-credits scene.
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
    fixture: { ...FRAME, seed: 705, duration: 72, creditsDuration: 14, style: 'roll' },
  },
  {
    id: 'demo-s1e2',
    episode: 2,
    title: 'Low Tide',
    fixture: { ...FRAME, seed: 709, duration: 84, creditsDuration: 16, style: 'cards' },
  },
  {
    id: 'demo-s1e3',
    episode: 3,
    title: 'Fog Horn',
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
  truth: { creditsStart: number; creditsEnd: number; postCreditsStart: number | null };
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
    const fixture = await generateFixture(spec.fixture, { cacheDir: mediaDir, ffmpeg: bins });
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
      },
    });
  }
  report({ done, total });
  return { mediaDir, episodes };
}
