/**
 * Sampled video frames, decoded and scaled by ffmpeg (fluent-ffmpeg) and read as raw rgb24
 * over a pipe: no temp files. Two ways to sample a time range:
 * - 'keyframes': only keyframes are decoded (`-skip_frame nokey`), each with its own
 *   timestamp (passthrough: no duplicated or dropped frames). Cheap: a 1080p keyframe every
 *   few seconds instead of every frame. The coarse pass uses this.
 * - 'rate': frames at a fixed rate from an accurate seek (the fine pass).
 * Each frame's time comes from ffmpeg's showinfo filter on stderr, paired with the frames
 * on stdout by order. Stalls end in a 'timeout' EndcueError; an abort kills ffmpeg.
 */
import { PassThrough } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { EndcueError, type EndcueErrorCode } from '../errors.js';
import { ffmpegCommand, isUrl, passthroughFlags, resolveFfmpeg } from './ffmpeg.js';
import type {
  Frame,
  ParentMessage,
  SampleFramesOptions,
  WorkerInput,
  WorkerMessage,
} from './frame-types.js';

export type { Frame, SampleFramesOptions } from './frame-types.js';

const DEFAULT_IDLE_TIMEOUT_MS = 30_000;
const SHOWINFO = /\bn:\s*(\d+)\s+pts:\s*(-?\d+)\s+pts_time:\s*(-?[\d.]+(?:e[-+]?\d+)?)/;

/** The ffmpeg input options for a sampling run (exported for tests and the benchmark). */
export function inputOptionsFor(source: string, options: SampleFramesOptions): string[] {
  const args: string[] = ['-hide_banner', '-nostdin'];
  if (options.threads !== undefined) args.push('-threads', String(options.threads));
  if (options.mode === 'keyframes') args.push('-skip_frame', 'nokey');
  if (isUrl(source)) {
    // Network reads give up instead of hanging (microseconds); reconnect on a dropped stream.
    args.push('-rw_timeout', '15000000');
    if (/^https?:/i.test(source)) args.push('-reconnect', '1', '-reconnect_streamed', '1');
    if (options.httpProxy) args.push('-http_proxy', options.httpProxy);
  }
  const start = options.start ?? 0;
  // Input seeking: fast (jumps to the keyframe before) and exact (frames before `start`
  // are decoded and dropped) in ffmpeg >= 2.1.
  if (start > 0) args.push('-ss', start.toFixed(3));
  return args;
}

/** The ffmpeg output options and filter for a sampling run. */
export function outputOptionsFor(options: SampleFramesOptions): string[] {
  const filters: string[] = [];
  if (options.mode === 'rate') {
    const rate = options.rate ?? 1;
    if (!(rate > 0)) throw new RangeError(`rate must be > 0, got ${rate}`);
    filters.push(`fps=${rate}`);
  }
  filters.push(options.filter, 'showinfo');
  const args = ['-map', '0:v:0', '-an', '-sn', '-dn', '-vf', filters.join(',')];
  if (options.mode === 'keyframes') args.push(...passthroughFlags());
  const start = options.start ?? 0;
  if (options.end !== undefined) args.push('-t', Math.max(0.001, options.end - start).toFixed(3));
  args.push('-f', 'rawvideo', '-pix_fmt', 'rgb24');
  return args;
}

/**
 * Streams the sampled frames of `source`. Iterate it; breaking out (or an abort) kills
 * ffmpeg. Throws EndcueError: 'timeout' on a stall, 'ffmpeg-failed'/'corrupt-media' when
 * ffmpeg fails before giving any frame.
 */
export async function* sampleFrames(
  source: string,
  options: SampleFramesOptions,
): AsyncGenerator<Frame, void, undefined> {
  const frameSize = options.width * options.height * 3;
  if (!(frameSize > 0)) throw new RangeError('width and height must be positive');
  const startOffset = options.start ?? 0;
  const idleMs = options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS;
  const { signal } = options;
  if (signal?.aborted) throw abortReason(signal, source);

  const out = new PassThrough({ highWaterMark: frameSize * 4 });
  const command = ffmpegCommand(source)
    .inputOptions(inputOptionsFor(source, options))
    .outputOptions(outputOptionsFor(options));

  // Frames and their timestamps arrive on two pipes; pair them by order.
  const times: number[] = [];
  const frames: Uint8Array[] = [];
  const stderrTail: string[] = [];
  let pending: Buffer = Buffer.alloc(0);
  let processEnded = false;
  let stdoutEnded = false;
  let closing = false;
  let produced = 0;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  let idleTimer: NodeJS.Timeout | undefined;
  const touch = () => {
    if (idleTimer) clearTimeout(idleTimer);
    if (closing) return;
    idleTimer = setTimeout(() => {
      fail(
        new EndcueError('timeout', `${source}: ffmpeg produced nothing for ${idleMs} ms`, {
          hint: 'The source may be stalled or very slow; check it plays, or try again later.',
        }),
      );
    }, idleMs);
  };
  const kill = () => {
    try {
      command.kill('SIGKILL');
    } catch {
      // not started or already gone
    }
  };
  const fail = (error: Error) => {
    if (closing) return;
    failure ??= error;
    closing = true;
    kill();
    notify();
  };
  const onAbort = () => fail(abortReason(signal as AbortSignal, source));
  signal?.addEventListener('abort', onAbort, { once: true });

  command.on('stderr', (line: string) => {
    touch();
    const m = SHOWINFO.exec(line);
    if (m) {
      times.push(Number(m[3]));
      notify();
    } else if (line.trim()) {
      stderrTail.push(line.trim());
      if (stderrTail.length > 20) stderrTail.shift();
    }
  });
  command.on('error', (error: Error) => {
    if (closing) return;
    // Killed from outside (out of memory, an operator): the media is not at fault, and
    // the frames so far must not pass for the whole title. Retryable.
    const killedBy = /killed with signal (\w+)/.exec(error.message)?.[1];
    if (killedBy) {
      fail(
        new EndcueError(
          'ffmpeg-failed',
          `${source}: ffmpeg was killed (${killedBy}) while decoding`,
          {
            hint: 'Something outside EndCue stopped ffmpeg (out of memory?); try again.',
            retryable: true,
            cause: error,
          },
        ),
      );
      return;
    }
    // A damaged tail often makes ffmpeg fail after good frames: keep what it gave.
    if (produced > 0) {
      processEnded = true;
      notify();
      return;
    }
    const detail = stderrTail[stderrTail.length - 1] ?? error.message;
    const noDecoder = stderrTail.find((l) =>
      /decoder .*not found|unsupported codec|no decoder/i.test(l),
    );
    if (noDecoder) {
      fail(
        new EndcueError(
          'unsupported-codec',
          `${source}: ffmpeg cannot decode its video (${noDecoder})`,
          {
            hint: 'Re-encode it to H.264 (ffmpeg -i in -c:v libx264 out.mp4), or use an ffmpeg built with that decoder.',
            cause: error,
          },
        ),
      );
      return;
    }
    fail(
      new EndcueError('ffmpeg-failed', `${source}: ffmpeg could not decode it (${detail})`, {
        hint: 'The file may be damaged or in an unsupported format; check it plays, or re-encode it.',
        cause: error,
      }),
    );
  });
  command.on('end', () => {
    processEnded = true;
    notify();
  });
  out.on('end', () => {
    stdoutEnded = true;
    notify();
  });
  out.on('data', (chunk: Buffer) => {
    touch();
    pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
    while (pending.length >= frameSize) {
      // Copy: stream chunks share pooled memory.
      frames.push(new Uint8Array(pending.subarray(0, frameSize)));
      pending = pending.subarray(frameSize);
      produced++;
    }
    // Backpressure: stop reading while the consumer is behind, so memory stays bounded.
    if (frames.length >= 64) out.pause();
    notify();
  });

  touch();
  command.pipe(out, { end: true });

  let index = 0;
  try {
    for (;;) {
      if (failure) throw failure;
      if (frames.length > 0 && times.length > index) {
        const data = frames.shift() as Uint8Array;
        // Times are relative to the seek point; 0.1 ms rounding hides float noise.
        const t = Math.round(((times[index] as number) + startOffset) * 1e4) / 1e4;
        index++;
        if (frames.length < 16 && out.isPaused()) out.resume();
        yield { t, data };
        continue;
      }
      // Both pipes done: anything left unpaired is dropped.
      if (processEnded && stdoutEnded) return;
      if (out.isPaused()) out.resume();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    closing = true;
    if (idleTimer) clearTimeout(idleTimer);
    signal?.removeEventListener('abort', onAbort);
    if (!processEnded) kill();
    out.destroy();
  }
}

/** Reads all frames of a sampling run into memory (small runs: tests, the fine pass). */
export async function collectFrames(
  source: string,
  options: SampleFramesOptions,
): Promise<Frame[]> {
  const all: Frame[] = [];
  for await (const frame of sampleFrames(source, options)) all.push(frame);
  return all;
}

/**
 * sampleFrames() in a worker thread: the same frames, but ffmpeg's pipe is drained while
 * the caller's thread is busy (e.g. running the model), so decoding and inference overlap.
 * Costs a worker start (~0.3 s): worth it for long runs, not for a handful of frames.
 */
export async function* sampleFramesOffThread(
  source: string,
  options: SampleFramesOptions,
): AsyncGenerator<Frame, void, undefined> {
  const { signal, ...rest } = options;
  if (signal?.aborted) throw abortReason(signal, source);
  const maxAhead = 48;
  const worker = new Worker(new URL('./frames-worker.mjs', import.meta.url), {
    workerData: {
      source,
      options: rest,
      maxAhead,
      binaries: resolveFfmpeg(),
    } satisfies WorkerInput,
  });
  const frames: Frame[] = [];
  let done = false;
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const send = (message: ParentMessage) => {
    try {
      worker.postMessage(message);
    } catch {
      // worker already gone
    }
  };
  worker.on('message', (message: WorkerMessage) => {
    if (message.type === 'frame') frames.push({ t: message.t, data: message.data });
    else if (message.type === 'end') done = true;
    else {
      const e = message.error;
      failure ??= e.endcue
        ? new EndcueError(e.code as EndcueErrorCode, e.message, e.hint ? { hint: e.hint } : {})
        : Object.assign(new Error(e.message), { name: e.name });
      done = true;
    }
    notify();
  });
  worker.on('error', (error) => {
    failure ??= new EndcueError('internal', `${source}: frame reader crashed (${error.message})`, {
      cause: error,
    });
    done = true;
    notify();
  });
  worker.on('exit', () => {
    done = true;
    notify();
  });
  const onAbort = () => {
    failure ??= abortReason(signal as AbortSignal, source);
    send({ type: 'stop' });
    notify();
  };
  signal?.addEventListener('abort', onAbort, { once: true });

  let consumed = 0;
  try {
    for (;;) {
      if (failure) throw failure;
      const frame = frames.shift();
      if (frame) {
        consumed++;
        if (consumed % 8 === 0) send({ type: 'ack', count: 8 });
        yield frame;
        continue;
      }
      if (done) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    if (!done) {
      // Let the worker kill its ffmpeg, then make sure it is gone.
      send({ type: 'stop' });
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    }
  }
}

function abortReason(signal: AbortSignal, source: string): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  const error = new Error(`${source}: frame sampling aborted`);
  error.name = 'AbortError';
  return error;
}
