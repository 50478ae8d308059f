/**
 * Spreads classification over the main thread and worker threads, each with its own copy of
 * the model. TF.js's wasm and cpu backends compute on one thread, so on a 2-core machine a
 * worker doubles inference throughput (ffmpeg's keyframe decoding is the smaller share).
 * Native backends (tfjs-node) already use every core: no pool there.
 *
 * Frames are cut into small chunks on one shared queue that every thread takes from when it
 * is free, so a thread slowed down by ffmpeg (or anything else) takes fewer chunks instead
 * of holding the others up, and chunks of the next call start while this one finishes.
 */
import { Worker } from 'node:worker_threads';
import { EndcueError, type EndcueErrorCode } from '../errors.js';
import type { CreditsFrameClassifier, FrameClassifier, LoadClassifierOptions } from './classify.js';
import type { PoolReply, PoolRequest } from './classify-thread.js';

interface Chunk {
  frames: Uint8Array[];
  resolve: (p: Float32Array[]) => void;
  reject: (e: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  /** The chunk it is scoring, by request id. */
  busy: { id: number; chunk: Chunk } | null;
  gone: boolean;
}

export interface ClassifierPool extends FrameClassifier {
  readonly classes: readonly string[];
  readonly workers: number;
  scores(
    frames: Uint8Array[],
  ): Promise<{ classes: readonly string[]; probabilities: Float32Array[] }>;
  /** Frames scored so far by the main thread and by the workers (diagnostics, tests). */
  readonly scoredBy: { main: number; workers: number };
}

/** Frames per chunk: small enough to balance, big enough for a batched forward pass. */
const CHUNK = 4;

/**
 * Starts `count` worker classifiers beside `main`; if they can't start, `main` works alone.
 * Aborting `signal` stops workers still starting (the pool then has fewer, or none).
 */
export async function createClassifierPool(
  main: CreditsFrameClassifier,
  count: number,
  load: LoadClassifierOptions,
  signal?: AbortSignal,
): Promise<ClassifierPool> {
  const scheduler = new ChunkScheduler(main);
  const started = await Promise.all(
    Array.from({ length: Math.max(0, count) }, () =>
      startWorker(
        { ...load, backend: main.backend === 'cpu' ? 'cpu' : 'wasm' },
        (w, reply) => scheduler.onReply(w, reply),
        (w) => scheduler.onGone(w),
        signal,
      )
        // A worker that cannot start leaves the work to the others.
        .catch(() => null),
    ),
  );
  scheduler.workers = started.filter((w): w is PoolWorker => w !== null && !w.gone);

  const creditsIndex = main.classes.indexOf('credits');
  return {
    inputSize: main.inputSize,
    modelVersion: main.modelVersion,
    backend: main.backend,
    classes: main.classes,
    workers: scheduler.workers.length,
    scoredBy: scheduler.scoredBy,
    scores: (frames) => scheduler.scores(frames),
    async classify(frames) {
      const { probabilities } = await scheduler.scores(frames);
      return Float32Array.from(probabilities, (p) => p[creditsIndex] ?? 0);
    },
    dispose: () => scheduler.dispose(),
  };
}

/**
 * The shared chunk queue and the threads that take from it: every free worker takes the next
 * chunk, and the main thread takes chunks while any are left.
 */
class ChunkScheduler {
  readonly scoredBy = { main: 0, workers: 0 };
  workers: PoolWorker[] = [];
  private readonly queue: Chunk[] = [];
  private nextId = 1;
  private mainRunning = false;
  private disposed = false;

  constructor(private readonly main: CreditsFrameClassifier) {}

  onReply(w: PoolWorker, reply: PoolReply): void {
    const job = w.busy;
    if (!job || job.id !== reply.id) return;
    w.busy = null;
    if ('error' in reply) job.chunk.reject(toError(reply.error));
    else if ('probabilities' in reply) {
      this.scoredBy.workers += job.chunk.frames.length;
      job.chunk.resolve(reply.probabilities);
    }
    this.dispatch();
  }

  onGone(w: PoolWorker): void {
    w.gone = true;
    // A crashed worker's chunk goes back on the queue for the others (main at least).
    const index = this.workers.indexOf(w);
    if (index >= 0) this.workers.splice(index, 1);
    if (w.busy) this.queue.unshift(w.busy.chunk);
    w.busy = null;
    this.dispatch();
  }

  async scores(
    frames: Uint8Array[],
  ): Promise<{ classes: readonly string[]; probabilities: Float32Array[] }> {
    if (this.disposed) throw new EndcueError('internal', 'classifier pool used after dispose()');
    const parts: Promise<Float32Array[]>[] = [];
    for (let i = 0; i < frames.length; i += CHUNK) {
      const part = frames.slice(i, i + CHUNK);
      parts.push(
        new Promise<Float32Array[]>((resolve, reject) => {
          this.queue.push({ frames: part, resolve, reject });
        }),
      );
    }
    // Workers first: the main thread takes what is left when it gets to it.
    this.dispatch();
    const probabilities = (await Promise.all(parts)).flat();
    return { classes: this.main.classes, probabilities };
  }

  dispose(): void {
    this.disposed = true;
    const gone = new Error('classifier pool disposed');
    for (const chunk of this.queue.splice(0)) chunk.reject(gone);
    for (const w of this.workers) {
      w.worker.postMessage({ id: -1, stop: true } satisfies PoolRequest);
      const timer = setTimeout(() => void w.worker.terminate(), 2000);
      timer.unref();
      w.busy?.chunk.reject(gone);
      w.busy = null;
    }
  }

  private dispatch(): void {
    if (this.disposed) return;
    for (const w of this.workers) {
      if (w.busy || this.queue.length === 0) continue;
      const chunk = this.queue.shift() as Chunk;
      const id = this.nextId++;
      w.busy = { id, chunk };
      w.worker.postMessage({ id, frames: chunk.frames } satisfies PoolRequest);
    }
    if (!this.mainRunning && this.queue.length > 0) void this.runMain();
  }

  private async runMain(): Promise<void> {
    this.mainRunning = true;
    try {
      while (!this.disposed && this.queue.length > 0) {
        const chunk = this.queue.shift() as Chunk;
        try {
          const { probabilities } = await this.main.scores(chunk.frames);
          this.scoredBy.main += chunk.frames.length;
          chunk.resolve(probabilities);
        } catch (error) {
          chunk.reject(error instanceof Error ? error : new Error(String(error)));
        }
        // Let worker replies in (they take the next chunks) before taking another one.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    } finally {
      this.mainRunning = false;
    }
  }
}

function toError(error: { message: string; code?: string; hint?: string }): Error {
  return error.code
    ? new EndcueError(error.code as EndcueErrorCode, error.message, {
        ...(error.hint ? { hint: error.hint } : {}),
      })
    : new Error(error.message);
}

function startWorker(
  load: LoadClassifierOptions,
  onReply: (w: PoolWorker, reply: PoolReply) => void,
  onGone: (w: PoolWorker) => void,
  signal?: AbortSignal,
): Promise<PoolWorker> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new Error('classifier pool not wanted any more'));
      return;
    }
    const worker = new Worker(new URL('./classify-worker.mjs', import.meta.url), {
      workerData: load,
    });
    const self: PoolWorker = { worker, busy: null, gone: false };
    let ready = false;
    const onAbort = () => {
      if (ready) return;
      reject(new Error('classifier pool not wanted any more'));
      void worker.terminate();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    worker.on('message', (reply: PoolReply) => {
      if ('ready' in reply) {
        ready = true;
        signal?.removeEventListener('abort', onAbort);
        resolve(self);
        return;
      }
      if (!ready) {
        if ('error' in reply) reject(toError(reply.error));
        void worker.terminate();
        return;
      }
      onReply(self, reply);
    });
    worker.on('error', (error) => {
      if (!ready) reject(error);
      else onGone(self);
    });
    worker.on('exit', () => {
      if (!ready) reject(new Error('classifier worker exited before it was ready'));
      else onGone(self);
    });
  });
}
