/**
 * A real EndCue server (in-process, SQLite in a temp dir, local queue) over generated
 * fixture episodes, for the plugin's browser tests. Only the detector and the season
 * analysis are fakes (the fixture's ground truth, and the intros a test asks for, at once),
 * so the tests need no TF.js and no fingerprinting; everything else (catalog, series order
 * and `next`, queue, season jobs, 202 + Retry-After, the credits JSON) is the product's.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { DetectionResult, Detector } from '../../server/detector/types.js';
import { type RunningServer, startServer } from '../../server/http/start.js';
import type { Intro } from '../../server/series/intro.js';
import type { analyzeSeason } from '../../server/series/season.js';
import { type Fixture, generateFixture } from '../fixtures/generate.js';
import { binaries, commit, runFfmpeg, tempBeside } from '../fixtures/run.js';
import { mountTestPage } from './plugin-harness.js';

export interface BackendEpisode {
  titleId: string;
  title: string;
  /** Paths under mediaDir (also the titles' src on the server). */
  mp4: string;
  hls: string;
  creditsStart: number;
  creditsEnd: number;
  postCreditsStart: number | null;
  duration: number;
}

export interface Backend {
  url: string;
  mediaDir: string;
  episodes: BackendEpisode[];
  /** Credits ready in the store and the season compared: as after the background jobs. */
  analyse(titleId: string): Promise<void>;
  /** How often the (fake) detector ran, by source file name. */
  detections: Map<string, number>;
  close(): Promise<void>;
}

/** Short 24 s episodes at 640x360 with different credits styles; the third has a
 * post-credits scene (credits 12-20 s, scene 20-24 s). */
const SPECS = [
  { seed: 61, style: 'roll', creditsDuration: 8, postCredits: 0 },
  { seed: 62, style: 'cards', creditsDuration: 8, postCredits: 0 },
  { seed: 63, style: 'over-picture', creditsDuration: 8, postCredits: 4 },
] as const;

/** An HLS rendition (stream copy, 2 s segments) beside the fixture, cached. */
async function hlsOf(fixture: Fixture): Promise<string> {
  const dir = fixture.path.replace(/\.mp4$/, '.hls');
  const playlist = path.join(dir, 'index.m3u8');
  if (existsSync(playlist)) return playlist;
  const temp = tempBeside(dir);
  mkdirSync(temp, { recursive: true });
  await runFfmpeg(binaries(), [
    '-i',
    fixture.path,
    '-c',
    'copy',
    '-f',
    'hls',
    '-hls_time',
    '2',
    '-hls_playlist_type',
    'vod',
    '-hls_segment_filename',
    path.join(temp, 'seg%03d.ts'),
    path.join(temp, 'index.m3u8'),
  ]);
  commit(temp, dir);
  return playlist;
}

function truth(fixture: Fixture, file: string): DetectionResult {
  return {
    file,
    duration: fixture.duration,
    fps: fixture.fps,
    creditsStart: fixture.creditsStart,
    creditsEnd: fixture.creditsEnd,
    frame: fixture.creditsStartFrame,
    confidence: 0.99,
    segments: fixture.segments
      .filter((s) => s.kind !== 'content')
      .map((s) => ({ kind: s.kind as 'credits' | 'post-credits', start: s.start, end: s.end })),
    modelVersion: 'e2e-ground-truth',
    backend: 'fake',
    elapsedMs: 1,
  };
}

export interface BackendOptions {
  /** The season analysis's intro per episode (by index); none: 'nothing-shared' for all. */
  intros?: readonly (Intro | null)[];
}

/** The season analysis, faked: the intros asked for, by the episodes' file names. */
function fakeSeason(files: readonly string[], intros: readonly (Intro | null)[]) {
  const analyze: typeof analyzeSeason = async (episodes) =>
    episodes.map((e) => {
      const intro = intros[files.indexOf(path.basename(e.path))] ?? null;
      return {
        intro,
        introReason: intro ? null : 'nothing-shared',
        closing: null,
        closingReason: 'nothing-shared',
        speed: 1,
      };
    });
  return analyze;
}

export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  const fixtures: Fixture[] = [];
  // One at a time: two cores shared with everything else.
  for (const spec of SPECS) {
    fixtures.push(
      await generateFixture({
        ...spec,
        duration: 24,
        width: 640,
        height: 360,
      }),
    );
  }
  const hls: string[] = [];
  for (const f of fixtures) hls.push(await hlsOf(f));
  const mediaDir = path.dirname(fixtures[0]?.path ?? '.');
  const byFile = new Map(fixtures.map((f) => [path.basename(f.path), f]));
  const detections = new Map<string, number>();
  const detector: Detector = async (source) => {
    const name = path.basename(source);
    const fixture = byFile.get(name);
    if (!fixture) throw new Error(`e2e detector: unknown source ${source}`);
    detections.set(name, (detections.get(name) ?? 0) + 1);
    // A little work time, so players see the 202 "running" answer first.
    await new Promise((resolve) => setTimeout(resolve, 300));
    return truth(fixture, source);
  };
  const episodes: BackendEpisode[] = fixtures.map((f, i) => ({
    titleId: `e2e-ep${i + 1}`,
    title: `Episode ${i + 1}`,
    mp4: path.relative(mediaDir, f.path),
    hls: path.relative(mediaDir, hls[i] as string),
    creditsStart: f.creditsStart,
    creditsEnd: f.creditsEnd,
    postCreditsStart: f.postCreditsStart,
    duration: f.duration,
  }));
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'endcue-e2e-data-'));
  let server: RunningServer;
  try {
    server = await startServer({
      port: 0,
      host: '127.0.0.1',
      dataDir,
      mediaRoots: [mediaDir],
      concurrency: 1,
      detector,
      logger: false,
      titles: episodes.map((e, i) => ({
        id: e.titleId,
        src: e.mp4,
        title: e.title,
        series: 'e2e',
        season: 1,
        episode: i + 1,
      })),
      publicSrc: (title) => `/media/${title.src}`,
      configureApp: (app) => mountTestPage(app, mediaDir),
      analyzeSeason: fakeSeason(
        fixtures.map((f) => path.basename(f.path)),
        options.intros ?? [],
      ),
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const url = server.url;
  return {
    url,
    mediaDir,
    episodes,
    detections,
    async analyse(titleId) {
      for (let i = 0; i < 100; i++) {
        const res = await fetch(`${url}/v1/titles/${titleId}/credits`);
        const body = (await res.json().catch(() => null)) as { introReason?: string } | null;
        if (res.status === 200 && body?.introReason !== 'pending') return;
        if (res.status !== 200 && res.status !== 202) {
          throw new Error(`credits for ${titleId}: HTTP ${res.status}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`credits for ${titleId}: still not analysed`);
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
