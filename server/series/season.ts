/**
 * A season analysed as one (issue 22): each episode's opening and closing windows are
 * fingerprinted (from the cache when one is given, so adding an episode never re-decodes its
 * siblings), the openings agree on each episode's intro and the closings on its shared end
 * music. I/O through `deps` (ffmpeg, the cache); the deciding is intro.ts's, pure.
 *
 * Bad input never fails the season: an episode without audio, one ffmpeg cannot read, or an
 * ffmpeg without the chromaprint muxer gives that episode `intro: null` with the reason, and
 * its siblings are analysed without it. Only a cancelled `signal` throws.
 */
import { isEndcueError } from '../errors.js';
import { cachedEpisodeFingerprints, type FingerprintCache } from '../fingerprint/cache.js';
import { CHROMAPRINT_HINT, fingerprintEpisode } from '../fingerprint/chromaprint.js';
import type { AudioFingerprint, EpisodeFingerprints } from '../fingerprint/types.js';
import type { WindowOptions } from '../fingerprint/windows.js';
import type { FfmpegBinaries } from '../media/ffmpeg.js';
import type { AlignOptions } from './align.js';
import { type Intro, type IntroAnswer, type IntroReason, seasonIntros } from './intro.js';

export interface SeasonEpisode {
  /** A local file or a URL ffmpeg can read. */
  path: string;
  /** The media fingerprint results are keyed by: the fingerprint cache's key (none: not cached). */
  key?: string;
}

/** The end music an episode shares with its siblings: evidence for its closing credits. */
export type ClosingMusic = Intro;

export interface SeasonEpisodeAnswer {
  intro: Intro | null;
  introReason: IntroReason | null;
  /** The stretch of the closing window shared with siblings (null: none, see closingReason). */
  closing: ClosingMusic | null;
  closingReason: IntroReason | null;
  /** The speed-up undone before fingerprinting: 1, or 1.043 / 1/1.043 for a PAL episode. */
  speed: number;
  /** Why the episode has no fingerprints ('no-audio', 'ffmpeg-missing', 'unreadable'), for a log. */
  message?: string;
}

/** Reads an episode's fingerprints (fingerprintEpisode's shape; tests pass synthetic ones). */
export type EpisodeReader = typeof fingerprintEpisode;

export interface SeasonDeps {
  /** Stored fingerprints, keyed by each episode's `key`. */
  cache?: FingerprintCache;
  binaries?: FfmpegBinaries;
  /** Which audio is fingerprinted (default: windows.ts's 25% capped at 10 min). */
  windows?: WindowOptions;
  signal?: AbortSignal;
  /** Alignment of the openings (intro bounds: 15-120 s). */
  align?: AlignOptions;
  /** Try PAL speeds for an episode that shares nothing (default true). */
  palSpeeds?: boolean;
  /** How fingerprints are read (default: ffmpeg's chromaprint muxer). */
  read?: EpisodeReader;
  /**
   * The egress proxy ffmpeg reads URL episodes through (egress-proxy.ts: every connection,
   * redirects and HLS segments included, held to the source policy). Files ignore it.
   */
  httpProxy?: string;
}

/** A PAL transfer plays 24 fps film at 25 fps: ~4.3% faster, pitch included (docs/series.md). */
export const PAL_SPEED = 1.043;

/**
 * End music may run longer than a theme song: a closing run up to 10 min counts (the intro's
 * 120 s cap would drop a long roll's music entirely, not trim it).
 */
const CLOSING_ALIGN: AlignOptions = { maxSeconds: 600 };

type Read =
  | { kind: 'ok'; fingerprints: EpisodeFingerprints; speed: number }
  | { kind: 'failed'; reason: IntroReason; message: string };

/** Each episode's intro and shared end music, in the order given. */
export async function analyzeSeason(
  episodes: readonly SeasonEpisode[],
  deps: SeasonDeps = {},
): Promise<SeasonEpisodeAnswer[]> {
  const reads: Read[] = [];
  for (const episode of episodes) {
    reads.push((await storedRead(episode, deps)) ?? (await readEpisode(episode, 1, deps)));
  }

  if (deps.palSpeeds ?? true) await pickSpeeds(episodes, reads, deps);

  const intros = seasonIntros(reads.map(openingOf), deps.align);
  const closings = seasonIntros(reads.map(closingOf), { ...CLOSING_ALIGN, ...deps.align });
  return reads.map((read, i): SeasonEpisodeAnswer => {
    if (read.kind === 'failed') {
      const reason = read.reason;
      return {
        intro: null,
        introReason: reason,
        closing: null,
        closingReason: reason,
        speed: 1,
        message: read.message,
      };
    }
    const intro = intros[i] as IntroAnswer;
    const closing = closings[i] as IntroAnswer;
    const silent = read.fingerprints.kind === 'no-audio' ? read.fingerprints.reason : undefined;
    return {
      intro: intro.intro,
      introReason: intro.intro ? null : intro.reason,
      closing: closing.intro,
      closingReason: closing.intro ? null : closing.reason,
      speed: read.speed,
      ...(silent ? { message: silent } : {}),
    };
  });
}

/**
 * PAL speed-up: an episode whose opening shares nothing (or shares with fewer than half its
 * siblings: a sped-up episode can chance-match one) while siblings do share is read again
 * at the speeds it was not read at (1.043: it was sped up; 1/1.043: its siblings were;
 * 1 when the cache held another); a speed is kept when the episode then shares its intro
 * with more siblings.
 * Costs up to two more decodes per such episode; the cache then holds the speed kept, so the
 * next analysis of the season starts from it and decodes nothing.
 */
async function pickSpeeds(
  episodes: readonly SeasonEpisode[],
  reads: Read[],
  deps: SeasonDeps,
): Promise<void> {
  const answers = seasonIntros(reads.map(openingOf), deps.align);
  const sharing = answers.filter((answer) => shared(answer) >= DOUBT).length;
  // Nothing shared, or shared with fewer than half the siblings by what may be chance.
  const doubtful = answers.flatMap((answer, i) =>
    answer.reason === 'nothing-shared' || (answer.intro && shared(answer) < DOUBT) ? [i] : [],
  );
  // With nobody sharing, speeds are tried only in a season of two (each other's only sibling).
  if (sharing === 0 && reads.length !== 2) return;
  for (const i of doubtful) {
    const now = shared(seasonIntros(reads.map(openingOf), deps.align)[i]);
    if (now >= DOUBT) continue; // another episode's speed fixed it
    const episode = episodes[i] as SeasonEpisode;
    const first = reads[i] as Read;
    let best: { read: Read; confidence: number } = { read: first, confidence: now };
    const tried = first.kind === 'ok' ? first.speed : 1;
    for (const speed of SPEEDS.filter((s) => s !== tried)) {
      const read = await readEpisode(episode, speed, deps);
      if (read.kind !== 'ok') continue;
      const trial = reads.map((r, j) => openingOf(j === i ? read : r));
      const confidence = shared(seasonIntros(trial, deps.align)[i]);
      if (confidence > best.confidence) best = { read, confidence };
    }
    reads[i] = best.read;
    await keepInCache(episode, best.read, deps);
  }
}

/** Below this share of siblings, an intro may be chance: the episode's other speeds are tried. */
const DOUBT = 0.5;

function shared(answer: IntroAnswer | undefined): number {
  return answer?.intro?.confidence ?? 0;
}

/** The speeds an episode may have been read at: as it is, PAL undone, siblings' PAL undone. */
const SPEEDS = [1, PAL_SPEED, 1 / PAL_SPEED];

/** Stores the kept read again: the cache holds one speed per source, the last one put. */
async function keepInCache(episode: SeasonEpisode, read: Read, deps: SeasonDeps): Promise<void> {
  if (!deps.cache || !episode.key || read.kind !== 'ok') return;
  await deps.cache.put(cacheKey(episode, episode.key, read.speed, deps), read.fingerprints);
}

function cacheKey(episode: SeasonEpisode, key: string, speed: number, deps: SeasonDeps) {
  return { source: episode.path, mediaFingerprint: key, windows: deps.windows, speed };
}

/** The stored fingerprints at whichever speed an earlier analysis kept, or undefined. */
async function storedRead(episode: SeasonEpisode, deps: SeasonDeps): Promise<Read | undefined> {
  if (!deps.cache || !episode.key) return undefined;
  for (const speed of SPEEDS) {
    const stored = await deps.cache.get(cacheKey(episode, episode.key, speed, deps));
    if (stored) return { kind: 'ok', fingerprints: stored, speed };
  }
  return undefined;
}

async function readEpisode(episode: SeasonEpisode, speed: number, deps: SeasonDeps): Promise<Read> {
  const read = deps.read ?? fingerprintEpisode;
  const options = {
    ...(deps.windows ? { windows: deps.windows } : {}),
    ...(speed !== 1 ? { speed } : {}),
    ...(deps.binaries ? { binaries: deps.binaries } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
    ...(deps.httpProxy ? { httpProxy: deps.httpProxy } : {}),
  };
  try {
    const fingerprints =
      deps.cache && episode.key
        ? await cachedEpisodeFingerprints(
            { source: episode.path, mediaFingerprint: episode.key, windows: deps.windows, speed },
            deps.cache,
            options,
            read,
          )
        : await read(episode.path, options);
    return { kind: 'ok', fingerprints, speed };
  } catch (error) {
    if (deps.signal?.aborted) throw error;
    return failed(episode, error);
  }
}

function failed(episode: SeasonEpisode, error: unknown): Read {
  const missing = isEndcueError(error) && error.code === 'ffmpeg-missing';
  const line = isEndcueError(error) ? error.toLine() : String(error);
  if (missing) {
    const hint = line.includes(CHROMAPRINT_HINT) ? '' : ` (${CHROMAPRINT_HINT})`;
    return { kind: 'failed', reason: 'ffmpeg-missing', message: `${line}${hint}` };
  }
  const message = line.includes(episode.path) ? line : `${episode.path}: ${line}`;
  return { kind: 'failed', reason: 'unreadable', message };
}

function openingOf(read: Read): AudioFingerprint | null {
  return read.kind === 'ok' && read.fingerprints.kind === 'fingerprinted'
    ? read.fingerprints.opening
    : null;
}

function closingOf(read: Read): AudioFingerprint | null {
  return read.kind === 'ok' && read.fingerprints.kind === 'fingerprinted'
    ? read.fingerprints.closing
    : null;
}
