/**
 * The types frames.ts and its worker thread (frames-thread.ts) share: a frame, the sampling
 * options, and the messages between the thread and its parent. Kept apart so that neither
 * side imports the other for its types.
 */
import type { FfmpegBinaries } from './ffmpeg.js';

export interface Frame {
  /** Seconds from the start of the title (the frame's presentation time). */
  t: number;
  /** rgb24, width x height x 3 bytes, row-major. */
  data: Uint8Array;
}

export interface SampleFramesOptions {
  /** Frames come out as width x height rgb24 (the filter must produce exactly that). */
  width: number;
  height: number;
  /** The -vf chain that scales to width x height rgb24 (e.g. ffmpegScaleFilter(size)). */
  filter: string;
  mode: 'keyframes' | 'rate';
  /** Frames per second for mode 'rate'. */
  rate?: number;
  /** Range to sample, seconds (default: the whole title). */
  start?: number;
  end?: number;
  /** Fail with 'timeout' when ffmpeg produces nothing for this long (default 30 s). */
  idleTimeoutMs?: number;
  signal?: AbortSignal;
  /** Decoder threads (default: ffmpeg's choice). */
  threads?: number;
  /** URLs are read through this HTTP proxy (the server's egress check: egress-proxy.ts). */
  httpProxy?: string;
}

/** What the parent passes as workerData to frames-thread.ts. */
export interface WorkerInput {
  source: string;
  options: Omit<SampleFramesOptions, 'signal'>;
  /** Most frames in flight (sent, not yet acknowledged). */
  maxAhead: number;
  /** The parent's verified ffmpeg/ffprobe, so this thread doesn't look again. */
  binaries?: FfmpegBinaries;
}

export type WorkerMessage =
  | { type: 'frame'; t: number; data: Uint8Array }
  | { type: 'end' }
  | {
      type: 'error';
      error: { endcue: boolean; code?: string; message: string; hint?: string; name: string };
    };

export type ParentMessage = { type: 'ack'; count: number } | { type: 'stop' };
