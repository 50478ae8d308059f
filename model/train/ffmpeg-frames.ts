/**
 * Runs ffmpeg and collects raw rgb24 frames made with the SAME ffmpegScaleFilter as inference.
 */
import { spawn, spawnSync } from 'node:child_process';
import { frameBytes } from '../../server/detector/preprocess.js';
import { resolveFfmpeg } from '../../server/media/ffmpeg.js';

/** Runs ffmpeg with `args` (which must write rawvideo rgb24 to pipe:1) and splits the frames. */
export function ffmpegRawFrames(args: string[], inputSize: number): Promise<Uint8Array[]> {
  const bytes = frameBytes(inputSize);
  return new Promise((resolve, reject) => {
    const child = spawn(resolveFfmpeg().ffmpeg, ['-hide_banner', '-loglevel', 'error', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const chunks: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        reject(new Error(`ffmpeg ${args.join(' ')} exited ${code}: ${stderr.slice(-500)}`));
        return;
      }
      const all = Buffer.concat(chunks);
      const frames: Uint8Array[] = [];
      for (let o = 0; o + bytes <= all.length; o += bytes) {
        frames.push(new Uint8Array(all.subarray(o, o + bytes)));
      }
      resolve(frames);
    });
  });
}

/** Output flags: raw rgb24 frames to stdout. */
export const RAW_OUT = ['-f', 'rawvideo', '-pix_fmt', 'rgb24', 'pipe:1'];

/** Runs `fn` over items with at most `limit` in flight (ffmpeg calls on 2 cores). */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
  onDone?: () => void,
): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  async function worker(): Promise<void> {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T, i);
      onDone?.();
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Width and height of the first video stream (or image) of `file`; null when unreadable. */
export function probeFrameSize(file: string): { width: number; height: number } | null {
  const show = ['-select_streams', 'v:0', '-show_entries', 'stream=width,height'];
  const out = spawnSync(resolveFfmpeg().ffprobe, ['-v', 'error', ...show, '-of', 'csv=p=0', file], {
    encoding: 'utf8',
  });
  const [width, height] = out.stdout.trim().split(',').map(Number);
  return width && height ? { width, height } : null;
}
