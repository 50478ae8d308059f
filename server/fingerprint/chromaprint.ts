/**
 * Chromaprint fingerprints of windows of a file's audio, read with ffmpeg's `chromaprint`
 * muxer (issue 22). I/O: spawns ffmpeg; the windows are chosen in windows.ts and compared
 * in server/series/.
 *
 * `ffmpeg -ss S -t D -i f -vn -ac 2 -f chromaprint -fp_format raw -` writes little-endian
 * uint32 items, one per ITEM_SECONDS (`-ac 2`: 5.1 input needs a downmix). Debian's ffmpeg
 * has the muxer; the static npm ffmpeg does not, so its presence is checked first and its
 * absence is an 'ffmpeg-missing' error naming what to install.
 */
import { spawn, spawnSync } from 'node:child_process';
import { EndcueError } from '../errors.js';
import { type FfmpegBinaries, isUrl, resolveFfmpeg } from '../media/ffmpeg.js';
import { probeMedia } from '../media/probe.js';
import {
  type AudioFingerprint,
  CHROMAPRINT_ITEM_CENTER_SECONDS,
  type EpisodeFingerprints,
} from './types.js';

import { type AudioWindow, audioWindows, type WindowOptions } from './windows.js';

export type { EpisodeFingerprints } from './types.js';

export interface FingerprintOptions {
  /** Which ffmpeg to use (default: resolveFfmpeg()). */
  binaries?: FfmpegBinaries;
  signal?: AbortSignal;
  /** Kill ffmpeg and fail with 'timeout' after this long (default 120 s). */
  timeoutMs?: number;
  /**
   * Undo a speed-up before fingerprinting (default 1, none): 1.043 slows a PAL (25 fps from
   * 24 fps) episode, tempo and pitch, back to its siblings' speed. Times stay file times.
   */
  speed?: number;
  /**
   * URLs are read through this HTTP proxy (the server's egress check, which holds every
   * connection ffmpeg makes, redirects and HLS segments included, to the source policy:
   * egress-proxy.ts). Files ignore it.
   */
  httpProxy?: string;
}

const DEFAULT_TIMEOUT_MS = 120_000;
export const CHROMAPRINT_HINT =
  "Use an ffmpeg built with --enable-chromaprint: Debian/Ubuntu's (apt-get install -y ffmpeg " +
  'libchromaprint1), pointed to by FFMPEG_PATH/FFPROBE_PATH or first on PATH. The static ffmpeg ' +
  'from @ffmpeg-installer/ffmpeg has no chromaprint muxer.';

const muxerChecked = new Map<string, boolean>();

/** True when this ffmpeg lists the `chromaprint` muxer (`ffmpeg -hide_banner -muxers`). */
export function hasChromaprintMuxer(binaries: FfmpegBinaries = resolveFfmpeg()): boolean {
  const known = muxerChecked.get(binaries.ffmpeg);
  if (known !== undefined) return known;
  const listed = spawnSync(binaries.ffmpeg, ['-hide_banner', '-muxers'], {
    encoding: 'utf8',
    timeout: 15_000,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const found = /^\s*E\S*\s+chromaprint\b/m.test(`${listed.stdout ?? ''}`);
  muxerChecked.set(binaries.ffmpeg, found);
  return found;
}

/** Throws EndcueError('ffmpeg-missing') when this ffmpeg cannot write Chromaprint fingerprints. */
export function requireChromaprint(binaries: FfmpegBinaries = resolveFfmpeg()): void {
  if (hasChromaprintMuxer(binaries)) return;
  throw new EndcueError(
    'ffmpeg-missing',
    `${binaries.ffmpeg} (ffmpeg ${binaries.version}) has no chromaprint muxer, so series audio cannot be fingerprinted`,
    { hint: CHROMAPRINT_HINT },
  );
}

/** The items of a raw (`-fp_format raw`) fingerprint: little-endian uint32s; a torn tail is dropped. */
export function decodeRawFingerprint(raw: Uint8Array): Uint32Array {
  const count = Math.floor(raw.byteLength / 4);
  const view = new DataView(raw.buffer, raw.byteOffset, count * 4);
  const items = new Uint32Array(count);
  for (let i = 0; i < count; i++) items[i] = view.getUint32(i * 4, true);
  return items;
}

/** The fingerprint of `window` of one of `source`'s audio streams (`audioStream`, default the first). */
export async function fingerprintWindow(
  source: string,
  window: AudioWindow,
  options: FingerprintOptions & { audioStream?: number } = {},
): Promise<AudioFingerprint> {
  const binaries = options.binaries ?? resolveFfmpeg();
  requireChromaprint(binaries);
  const speed = options.speed ?? 1;
  if (!(speed > 0) || !Number.isFinite(speed)) {
    throw new EndcueError(
      'invalid-input',
      `fingerprint speed must be a positive number, got ${speed}`,
    );
  }
  const args = [
    ...['-hide_banner', '-nostdin', '-v', 'error'],
    ...networkArgs(source, options),
    ...['-ss', window.start.toFixed(3), '-t', window.duration.toFixed(3), '-i', source],
    ...[
      '-map',
      `0:a:${options.audioStream ?? 0}`,
      '-vn',
      '-sn',
      '-dn',
      '-ac',
      '2',
      ...speedFilter(speed),
    ],
    ...['-f', 'chromaprint', '-fp_format', 'raw', '-'],
  ];
  const raw = await runFfmpeg(binaries.ffmpeg, args, source, options);
  return {
    start: window.start,
    items: decodeRawFingerprint(raw),
    itemCenter: CHROMAPRINT_ITEM_CENTER_SECONDS,
    ...(speed === 1 ? {} : { speed }),
  };
}

/**
 * Fingerprints the opening and closing windows of an episode. A file without an audio
 * stream is an answer ('no-audio'), not an error: its series analysis is simply null.
 */
export async function fingerprintEpisode(
  source: string,
  options: FingerprintOptions & { windows?: WindowOptions } = {},
): Promise<EpisodeFingerprints> {
  const binaries = options.binaries ?? resolveFfmpeg();
  requireChromaprint(binaries);
  const info = await probeMedia(source, {
    binaries,
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.httpProxy ? { httpProxy: options.httpProxy } : {}),
  });
  if (!info.hasAudio) {
    return { kind: 'no-audio', duration: info.duration, reason: `${source} has no audio stream` };
  }
  const windows = audioWindows(info.duration, options.windows);
  // The track a player plays: the siblings' first track may be another episode's dub.
  const read = { ...options, binaries, audioStream: info.defaultAudio ?? 0 };
  const opening = await fingerprintWindow(source, windows.opening, read);
  const closing = await fingerprintWindow(source, windows.closing, read);
  return { kind: 'fingerprinted', duration: info.duration, opening, closing };
}

/**
 * Input options for a URL: a read gives up instead of hanging (microseconds), and goes
 * through the egress proxy when one is given.
 */
function networkArgs(source: string, options: FingerprintOptions): string[] {
  if (!isUrl(source)) return [];
  return [
    ...['-rw_timeout', '15000000'],
    ...(options.httpProxy ? ['-http_proxy', options.httpProxy] : []),
  ];
}

/**
 * Plays the audio `speed` times slower, pitch included (as a PAL speed-up did it faster):
 * resampled to a known rate first, as `asetrate` takes a number, not the input's rate.
 */
function speedFilter(speed: number): string[] {
  if (speed === 1) return [];
  const rate = 44_100;
  return ['-af', `aresample=${rate},asetrate=${Math.round(rate / speed)},aresample=${rate}`];
}

function runFfmpeg(
  ffmpegPath: string,
  args: string[],
  source: string,
  options: FingerprintOptions,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(new EndcueError('timeout', `${source}: fingerprinting was cancelled`));
      return;
    }
    const child = spawn(ffmpegPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    let stderr = '';
    let failure: EndcueError | undefined;
    const stop = (error: EndcueError) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () => stop(new EndcueError('timeout', `${source}: fingerprinting took too long`)),
      options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    );
    const onAbort = () =>
      stop(new EndcueError('timeout', `${source}: fingerprinting was cancelled`));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 8192) stderr += chunk.toString('utf8');
    });
    child.on('error', (cause) =>
      stop(new EndcueError('ffmpeg-failed', `${source}: ffmpeg did not start`, { cause })),
    );
    child.on('close', (code) => {
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else if (code !== 0) reject(ffmpegFailure(source, code, stderr));
      else resolve(Buffer.concat(chunks));
    });
  });
}

function ffmpegFailure(source: string, code: number | null, stderr: string): EndcueError {
  const last = stderr.trim().split('\n').slice(-3).join(' | ');
  return new EndcueError(
    'ffmpeg-failed',
    `${source}: ffmpeg exited with ${code} while fingerprinting audio: ${last}`,
  );
}
