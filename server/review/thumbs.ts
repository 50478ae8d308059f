/**
 * Thumbnails for the review page: one small JPEG of a title's video at a time, made by
 * ffmpeg on demand and kept in a ThumbCache. Errors are EndcueErrors the route answers
 * with the API's error shape.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { EndcueError, isEndcueError } from '../errors.js';
import { ffmpegCommand } from '../media/ffmpeg.js';
import { probeMedia } from '../media/probe.js';
import { resolveSource, type SourceDeps, type SourcePolicy } from '../media/sources.js';
import type { ThumbCache } from './thumb-cache.js';

export const THUMB_WIDTH = 240;
const RENDER_TIMEOUT_MS = 20_000;
/** ffmpeg runs at once at most (a filmstrip asks for a dozen frames together). */
const MAX_RENDERS = 2;

export interface ThumbnailerOptions {
  cache: ThumbCache;
  policy: SourcePolicy;
  sourceDeps?: SourceDeps;
  /** The egress proxy ffmpeg reads URL sources through; none: URL sources get no thumbnails. */
  httpProxy?: string;
  width?: number;
}

/** Parses the `:t` of `/thumbs/:t.jpg`: seconds, at most 3 decimals; undefined if malformed. */
export function parseThumbTime(text: string): number | undefined {
  if (!/^\d{1,6}(\.\d{1,3})?$/.test(text)) return undefined;
  return Math.round(Number(text) * 10) / 10;
}

export class Thumbnailer {
  private readonly durations = new Map<string, Promise<number>>();
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  readonly width: number;

  constructor(private readonly options: ThumbnailerOptions) {
    this.width = options.width ?? THUMB_WIDTH;
  }

  /** The JPEG of `src` at `t` seconds (rounded to 0.1 s). Throws EndcueError. */
  async thumbnail(titleId: string, src: string, t: number): Promise<Buffer> {
    const source = await resolveSource(src, this.options.policy, this.options.sourceDeps ?? {});
    const proxy = this.options.httpProxy;
    if (source.kind === 'url' && !proxy) {
      throw new EndcueError(
        'forbidden-source',
        'Thumbnails of URL sources are read through the egress check, which this server has not started',
        {
          hint: 'Files under the media roots get thumbnails; URL titles need ENDCUE_ALLOWED_HOSTS.',
        },
      );
    }
    const remote = source.kind === 'url' ? ['-http_proxy', proxy as string] : [];
    const duration = await this.duration(source.fingerprint, source.input, proxy);
    if (t > duration) {
      throw new EndcueError(
        'invalid-input',
        `Time ${t} s is past the end of the video (${duration.toFixed(1)} s)`,
        { hint: `Ask for a time from 0 to ${Math.floor(duration * 10) / 10}.` },
      );
    }
    const id = createHash('sha256').update(`${titleId}\n${source.fingerprint}`).digest('hex');
    const key = `${id.slice(0, 24)}-${Math.round(t * 10)}-w${this.width}`;
    return this.options.cache.get(key, (file) =>
      this.limited(() => this.render(source.input, remote, t, file)),
    );
  }

  /** Duration per media fingerprint (probed once; a failed probe is asked again next time). */
  private duration(fingerprint: string, input: string, httpProxy?: string): Promise<number> {
    let known = this.durations.get(fingerprint);
    if (!known) {
      known = probeMedia(input, httpProxy ? { httpProxy } : {}).then((info) => info.duration);
      known.catch(() => this.durations.delete(fingerprint));
      if (this.durations.size > 1000) this.durations.clear();
      this.durations.set(fingerprint, known);
    }
    return known;
  }

  private async limited<T>(work: () => Promise<T>): Promise<T> {
    while (this.running >= MAX_RENDERS) await new Promise<void>((go) => this.waiting.push(go));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }

  private async render(input: string, remote: string[], t: number, file: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      let stderr = '';
      const command = ffmpegCommand(input)
        .inputOptions([...remote, '-ss', t.toFixed(1)])
        .outputOptions([
          ...['-frames:v', '1', '-an', '-sn'],
          ...['-vf', `scale=${this.width}:-2`],
          ...['-q:v', '5', '-f', 'image2', '-y'],
        ])
        .output(file);
      const timer = setTimeout(() => command.kill('SIGKILL'), RENDER_TIMEOUT_MS);
      command
        .on('stderr', (line: string) => {
          if (stderr.length < 4000) stderr += `${line}\n`;
        })
        .on('end', () => {
          clearTimeout(timer);
          resolve();
        })
        .on('error', (error: Error) => {
          clearTimeout(timer);
          reject(renderError(error, stderr));
        })
        .run();
    });
    const size = await stat(file).then(
      (s) => s.size,
      () => 0,
    );
    if (size === 0) {
      throw new EndcueError('invalid-input', `No frame at ${t} s (at or past the last frame)`, {
        hint: 'Ask for an earlier time.',
      });
    }
  }
}

function renderError(error: Error, stderr: string): EndcueError {
  if (isEndcueError(error)) return error;
  const last = stderr.trim().split('\n').slice(-2).join(' ').slice(0, 300);
  return new EndcueError(
    'corrupt-media',
    `ffmpeg could not make a thumbnail: ${last || error.message}`,
    { hint: 'The file may be damaged or in a format ffmpeg cannot decode.' },
  );
}
