/**
 * What a media file is (duration, frame rate, size, codecs), from ffprobe's JSON, with
 * every way an input can be unusable mapped to an EndcueError the user can act on.
 * ffprobe runs under a timeout and an optional AbortSignal, so a stalled source never hangs us.
 */
import { spawn } from 'node:child_process';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import { EndcueError } from '../errors.js';
import { type FfmpegBinaries, isUrl, resolveFfmpeg } from './ffmpeg.js';

export interface MediaInfo {
  /** Seconds. */
  duration: number;
  /** Frames per second; null when the container does not say. */
  fps: number | null;
  width: number;
  height: number;
  videoCodec: string;
  hasAudio: boolean;
  /** Frames in the video stream when the container records it (mp4 does), else null. */
  frameCount: number | null;
  sizeBytes: number | null;
  audioCodec: string | null;
  /**
   * The audio stream a player plays (`0:a:N`): the first marked default, else the first;
   * null without audio. A dub or commentary listed first is not what the siblings share.
   */
  defaultAudio: number | null;
  /** ffprobe's format name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "hls". */
  formatName: string;
  /** The container's chapter marks, in order (empty when it has none). */
  chapters: Chapter[];
}

export interface Chapter {
  /** Seconds. */
  start: number;
  end: number;
  /** The chapter's title tag, '' when it has none. */
  title: string;
}

export interface ProbeOptions {
  /** Kill ffprobe and fail with 'timeout' after this long (default 30 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /** Which ffmpeg/ffprobe to use (default: resolveFfmpeg()). */
  binaries?: FfmpegBinaries;
  /** URLs are read through this HTTP proxy (the server's egress check: egress-proxy.ts). */
  httpProxy?: string;
}

const DEFAULT_TIMEOUT_MS = 30_000;
/**
 * Formats that open as a "video" stream but aren't one: still images, and plain text,
 * which ffmpeg's tty demuxer renders as ANSI art.
 */
const NOT_VIDEO_FORMATS = /(^|,)(image2|\w+_pipe|gif|webp|tty)(,|$)/;

/** Probes a local path or URL with ffprobe. */
export async function probeMedia(source: string, options: ProbeOptions = {}): Promise<MediaInfo> {
  const remote = isUrl(source);
  const localSize = remote ? null : await checkLocalFile(source);

  const bins = options.binaries ?? resolveFfmpeg();
  const args = [
    '-v',
    'error',
    ...proxyArgs(remote, options),
    '-print_format',
    'json',
    '-show_format',
    '-show_streams',
    '-show_chapters',
    source,
  ];
  const { code, crashed, stdout, stderr } = await runProbe(bins.ffprobe, args, source, options);

  // The npm-shipped static ffprobe segfaults on MPEG-TS (so on most HLS); ffmpeg itself
  // reads them, so ask it instead and parse its stream summary.
  if (crashed) return probeWithFfmpeg(bins.ffmpeg, source, remote, localSize, options);
  if (code !== 0) throw await probeFailure(source, stderr, remote);

  let parsed: FfprobeOutput;
  try {
    parsed = JSON.parse(stdout) as FfprobeOutput;
  } catch (cause) {
    throw new EndcueError('corrupt-media', `${source}: ffprobe gave unreadable output`, {
      hint: 'Check that the file plays in a media player; re-encode it if it does not.',
      cause,
    });
  }
  return toMediaInfo(source, parsed, localSize);
}

function proxyArgs(remote: boolean, options: ProbeOptions): string[] {
  return remote && options.httpProxy ? ['-http_proxy', options.httpProxy] : [];
}

/** Size in bytes of a readable regular file, or the reason it can't be probed. */
async function checkLocalFile(source: string): Promise<number> {
  const file = source.startsWith('file:') ? source.slice('file:'.length) : source;
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(file);
  } catch (cause) {
    throw new EndcueError('not-found', `${source}: no such file`, {
      hint: 'Check the path (relative paths are resolved from the current directory).',
      cause,
    });
  }
  if (!info.isFile()) {
    throw new EndcueError('not-a-video', `${source} is not a file (a directory?)`, {
      hint: 'Pass the path of a video file, e.g. movie.mp4.',
    });
  }
  if (info.size === 0) {
    throw new EndcueError('empty-file', `${source} is empty (0 bytes)`, {
      hint: 'The file may still be downloading or copying; wait for it to finish, or fetch it again.',
    });
  }
  return info.size;
}

interface ProbeRun {
  code: number | null;
  /** Killed by a signal we didn't send (a segfault, say). */
  crashed: boolean;
  stdout: string;
  stderr: string;
}

function runProbe(
  tool: string,
  args: string[],
  source: string,
  options: ProbeOptions,
): Promise<ProbeRun> {
  const name = path.basename(tool);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const { signal } = options;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(abortError(source, signal));
      return;
    }
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let failure: Error | undefined;
    const stop = (error: Error) => {
      failure ??= error;
      child.kill('SIGKILL');
    };
    const timer = setTimeout(
      () =>
        stop(
          new EndcueError('timeout', `${source}: ${name} did not answer within ${timeoutMs} ms`, {
            hint: 'The source may be slow or stalled; check it is reachable, or raise the timeout.',
          }),
        ),
      timeoutMs,
    );
    const onAbort = () => stop(abortError(source, signal));
    signal?.addEventListener('abort', onAbort, { once: true });

    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (cause) => {
      failure ??= new EndcueError('ffmpeg-failed', `${source}: could not run ${name} (${tool})`, {
        hint: 'Check the ffprobe binary (see FFPROBE_PATH), or reinstall ffmpeg.',
        cause,
      });
    });
    child.on('close', (code, killedBy) => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      if (failure) reject(failure);
      else
        resolve({
          code,
          crashed: code === null && killedBy !== null,
          stdout: Buffer.concat(out).toString('utf8'),
          stderr: Buffer.concat(err).toString('utf8'),
        });
    });
  });
}

function abortError(source: string, signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error) return reason;
  const error = new Error(`${source}: probe aborted`);
  error.name = 'AbortError';
  return error;
}

/** Turns ffprobe's complaint into the error the user can act on. */
async function probeFailure(source: string, stderr: string, remote: boolean): Promise<EndcueError> {
  const detail = lastLine(stderr);
  if (remote) {
    if (/\b(404|not found|no such file)\b/i.test(stderr)) {
      return new EndcueError('not-found', `${source}: the server says not found`, {
        hint: 'Check the URL.',
      });
    }
    if (/connection|resolve|timed out|network|refused|unreachable|\b5\d\d\b/i.test(stderr)) {
      return new EndcueError('unreachable-url', `${source}: could not be fetched (${detail})`, {
        hint: 'Check the server is up and reachable from this machine; try again later.',
      });
    }
  }
  if (/no such file or directory/i.test(stderr)) {
    return new EndcueError('not-found', `${source}: no such file`, { hint: 'Check the path.' });
  }
  // A recognised container that won't open is damaged; anything else isn't media at all.
  // (ffprobe's own words don't tell: it guesses mp4 from a ".mp4" name and then says
  // "moov atom not found" about random bytes too, so look at the file's magic number.)
  if (!remote) {
    return (await looksLikeMediaContainer(source)) ? corrupt(source, detail) : notAVideo(source);
  }
  if (/moov atom not found/i.test(stderr)) return corrupt(source, detail);
  if (/invalid data found|unknown format/i.test(stderr)) return notAVideo(source);
  return new EndcueError('ffmpeg-failed', `${source}: ffprobe failed (${detail})`, {
    hint: 'Try again; if it keeps failing, check the source plays in a media player.',
  });
}

function notAVideo(source: string): EndcueError {
  return new EndcueError('not-a-video', `${source} is not a video file ffmpeg can read`, {
    hint: 'Pass a video file (mp4, mkv, webm, mov, ts, or an HLS playlist).',
  });
}

function corrupt(source: string, detail: string): EndcueError {
  return new EndcueError(
    'corrupt-media',
    `${source} looks like a video but is damaged (${detail})`,
    {
      hint: 'The file may be truncated or partly downloaded; fetch or re-encode it again.',
    },
  );
}

/** Magic numbers of the containers we expect to meet. */
async function looksLikeMediaContainer(source: string): Promise<boolean> {
  let head: Buffer;
  try {
    const handle = await open(source, 'r');
    try {
      head = Buffer.alloc(189);
      const { bytesRead } = await handle.read(head, 0, head.length, 0);
      head = head.subarray(0, bytesRead);
    } finally {
      await handle.close();
    }
  } catch {
    return false;
  }
  const ascii = head.toString('latin1');
  return (
    ascii.slice(4, 8) === 'ftyp' || // mp4/mov
    ascii.slice(4, 8) === 'moov' ||
    ascii.slice(4, 8) === 'mdat' ||
    head.subarray(0, 4).equals(Buffer.from([0x1a, 0x45, 0xdf, 0xa3])) || // matroska/webm
    ascii.startsWith('RIFF') ||
    ascii.startsWith('FLV') ||
    ascii.startsWith('#EXTM3U') ||
    (head[0] === 0x47 && head[188] === 0x47) // MPEG-TS: a sync byte every 188 bytes
  );
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines[lines.length - 1] ?? '').trim() || 'no details';
}

/**
 * Probe by reading `ffmpeg -i`'s summary on stderr ("Duration: 00:00:12.00", "Stream #0:0:
 * Video: h264 ..., 320x180 ..., 24 fps"). Less exact than ffprobe (no frame count).
 */
async function probeWithFfmpeg(
  ffmpegBin: string,
  source: string,
  remote: boolean,
  localSize: number | null,
  options: ProbeOptions,
): Promise<MediaInfo> {
  const { crashed, stderr } = await runProbe(
    ffmpegBin,
    ['-hide_banner', '-nostdin', ...proxyArgs(remote, options), '-i', source],
    source,
    options,
  );
  if (crashed) {
    throw new EndcueError(
      'ffmpeg-failed',
      `${source}: both ffprobe and ffmpeg crashed reading it`,
      {
        hint: 'Install the system ffmpeg (Debian: apt-get install -y ffmpeg) or set FFMPEG_PATH/FFPROBE_PATH.',
        retryable: false,
      },
    );
  }
  const parsed = parseFfmpegSummary(stderr);
  if (!parsed) throw await probeFailure(source, stderr, remote);
  return toMediaInfo(source, parsed, localSize);
}

/** ffmpeg's "Input #0 ..." block as the subset of ffprobe JSON we use; null if none. */
export function parseFfmpegSummary(text: string): FfprobeOutput | null {
  const input = /Input #0, (\S+?), from /.exec(text);
  if (!input) return null;
  const clock = /Duration: (\d+):(\d+):(\d+(?:\.\d+)?)/.exec(text);
  const duration = clock
    ? Number(clock[1]) * 3600 + Number(clock[2]) * 60 + Number(clock[3])
    : undefined;
  const streams: FfprobeStream[] = [];
  for (const line of text.split('\n')) {
    const stream = /Stream #\d+:\d+.*?: (Video|Audio): (\w+)(.*)$/.exec(line);
    if (!stream) continue;
    const [, type, codec, rest = ''] = stream;
    if (type === 'Audio') {
      streams.push({
        codec_type: 'audio',
        codec_name: codec,
        disposition: { default: /\(default\)/.test(rest) ? 1 : 0 },
      });
      continue;
    }
    const size = /, (\d{2,5})x(\d{2,5})/.exec(rest);
    const fps = /, ([\d.]+) fps/.exec(rest) ?? /, ([\d.]+) tbr/.exec(rest);
    streams.push({
      codec_type: 'video',
      codec_name: codec,
      width: size ? Number(size[1]) : undefined,
      height: size ? Number(size[2]) : undefined,
      avg_frame_rate: fps?.[1],
      disposition: { attached_pic: /attached pic/.test(rest) ? 1 : 0 },
    });
  }
  return {
    streams,
    format: {
      format_name: input[1],
      duration: duration === undefined ? undefined : String(duration),
    },
  };
}

export interface FfprobeStream {
  codec_type?: string;
  codec_name?: string;
  width?: number;
  height?: number;
  avg_frame_rate?: string;
  r_frame_rate?: string;
  duration?: string;
  nb_frames?: string;
  disposition?: { attached_pic?: number; default?: number };
}

export interface FfprobeChapter {
  start_time?: string;
  end_time?: string;
  tags?: { title?: string };
}

export interface FfprobeOutput {
  streams?: FfprobeStream[];
  format?: { format_name?: string; duration?: string; size?: string };
  chapters?: FfprobeChapter[];
}

function toMediaInfo(source: string, data: FfprobeOutput, localSize: number | null): MediaInfo {
  const streams = data.streams ?? [];
  const formatName = data.format?.format_name ?? 'unknown';
  // Cover art in an audio file shows up as a one-frame "video" stream: not a video.
  const video = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic);
  const audios = streams.filter((s) => s.codec_type === 'audio');
  const audio = audios[0];
  if (!video) {
    if (audio) {
      throw new EndcueError('no-video-stream', `${source} has audio but no video stream`, {
        hint: 'EndCue needs the picture to find credits; pass the video file, not its soundtrack.',
      });
    }
    throw new EndcueError('not-a-video', `${source} has no video stream`, {
      hint: 'Pass a video file (mp4, mkv, webm, mov, ts, or an HLS playlist).',
    });
  }
  if (NOT_VIDEO_FORMATS.test(formatName)) {
    const what = formatName === 'tty' ? 'a text file' : `a still image (${formatName})`;
    throw new EndcueError('not-a-video', `${source} is ${what}, not a video`, {
      hint: 'Pass a video file (mp4, mkv, webm, mov, ts, or an HLS playlist).',
    });
  }
  const duration = positive(data.format?.duration) ?? positive(video.duration);
  if (duration === null) {
    throw new EndcueError('corrupt-media', `${source} has a video stream but no duration`, {
      hint: 'The file may be truncated or a live stream; remux it (ffmpeg -i in -c copy out.mp4).',
    });
  }
  const width = video.width ?? 0;
  const height = video.height ?? 0;
  if (width <= 0 || height <= 0) {
    throw new EndcueError('corrupt-media', `${source}: the video stream has no picture size`, {
      hint: 'The file may be damaged; re-encode it.',
    });
  }
  const frameCount = positive(video.nb_frames);
  return {
    duration,
    fps: rate(video.avg_frame_rate) ?? rate(video.r_frame_rate),
    width,
    height,
    videoCodec: video.codec_name ?? 'unknown',
    hasAudio: audio !== undefined,
    frameCount: frameCount === null ? null : Math.round(frameCount),
    sizeBytes: positive(data.format?.size) ?? localSize,
    audioCodec: audio?.codec_name ?? null,
    defaultAudio: audio
      ? Math.max(
          0,
          audios.findIndex((s) => s.disposition?.default === 1),
        )
      : null,
    formatName,
    chapters: toChapters(data.chapters ?? [], duration),
  };
}

/** Chapters with readable times inside the title, in time order. */
function toChapters(chapters: FfprobeChapter[], duration: number): Chapter[] {
  return chapters
    .map((c) => ({
      start: Number(c.start_time),
      end: Number(c.end_time),
      title: (c.tags?.title ?? '').trim(),
    }))
    .filter((c) => Number.isFinite(c.start) && Number.isFinite(c.end) && c.start >= 0)
    .map((c) => ({ ...c, end: Math.min(c.end, duration) }))
    .filter((c) => c.end > c.start)
    .sort((a, b) => a.start - b.start);
}

function positive(value: string | undefined): number | null {
  if (value === undefined) return null;
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : null;
}

/** "30000/1001" -> 29.97; "0/0" (unknown) -> null. */
function rate(value: string | undefined): number | null {
  if (!value) return null;
  const [num, den = '1'] = value.split('/');
  const n = Number(num);
  const d = Number(den);
  if (!Number.isFinite(n) || !Number.isFinite(d) || n <= 0 || d <= 0) return null;
  const fps = n / d;
  // Some muxers write absurd r_frame_rate (e.g. 90000/1) for timestamps-only streams.
  return fps > 0 && fps <= 1000 ? fps : null;
}
