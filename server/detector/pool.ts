/**
 * Spreads classification over the main thread and worker threads, each with its own copy of
 * the model. TF.js's wasm and cpu backends compute on one thread, so on a 2-core machine a
 * worker doubles inference throughput (ffmpeg's keyframe decoding is the smaller share).
 * Native backends (tfjs-node) already use every core: no pool there.
 */
import { Worker } from 'node:worker_threads';
import { EndcueError, type EndcueErrorCode } from '../errors.js';
import type { CreditsFrameClassifier, FrameClassifier, LoadClassifierOptions } from './classify.js';
import type { PoolReply, PoolRequest } from './classify-thread.js';

interface PoolWorker {
  worker: Worker;
  pending: Map<number, { resolve: (p: Float32Array[]) => void; reject: (e: Error) => void }>;
}

export interface ClassifierPool extends FrameClassifier {
  readonly classes: readonly string[];
  readonly workers: number;
  scores(
    frames: Uint8Array[],
  ): Promise<{ classes: readonly string[]; probabilities: Float32Array[] }>;
}

/** Starts `count` worker classifiers beside `main`; if they can't start, `main` works alone. */
export async function createClassifierPool(
  main: CreditsFrameClassifier,
  count: number,
  load: LoadClassifierOptions,
): Promise<ClassifierPool> {
  const started = await Promise.all(
    Array.from({ length: Math.max(0, count) }, () =>
      startWorker({ ...load, backend: main.backend === 'cpu' ? 'cpu' : 'wasm' }).catch(() => null),
    ),
  );
  const workers = started.filter((w): w is PoolWorker => w !== null);
  let nextId = 1;

  async function scores(frames: Uint8Array[]) {
    if (workers.length === 0 || frames.length < 2) return main.scores(frames);
    // Equal shares; the main thread's share is computed last, after the workers have theirs.
    const share = Math.ceil(frames.length / (workers.length + 1));
    const jobs = workers.map((w, i) => {
      const part = frames.slice((i + 1) * share, (i + 2) * share);
      if (part.length === 0) return Promise.resolve([] as Float32Array[]);
      const id = nextId++;
      return new Promise<Float32Array[]>((resolve, reject) => {
        w.pending.set(id, { resolve, reject });
        w.worker.postMessage({ id, frames: part } satisfies PoolRequest);
      });
    });
    const own = await main.scores(frames.slice(0, share));
    const rest = await Promise.all(jobs);
    return { classes: main.classes, probabilities: [...own.probabilities, ...rest.flat()] };
  }

  const creditsIndex = main.classes.indexOf('credits');
  return {
    inputSize: main.inputSize,
    modelVersion: main.modelVersion,
    backend: main.backend,
    classes: main.classes,
    workers: workers.length,
    scores,
    async classify(frames) {
      const { probabilities } = await scores(frames);
      return Float32Array.from(probabilities, (p) => p[creditsIndex] ?? 0);
    },
    dispose() {
      for (const w of workers) {
        w.worker.postMessage({ id: -1, stop: true } satisfies PoolRequest);
        const timer = setTimeout(() => void w.worker.terminate(), 2000);
        timer.unref();
        for (const p of w.pending.values()) p.reject(new Error('classifier pool disposed'));
      }
    },
  };
}

function startWorker(load: LoadClassifierOptions): Promise<PoolWorker> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./classify-worker.mjs', import.meta.url), {
      workerData: load,
    });
    const pending: PoolWorker['pending'] = new Map();
    let ready = false;
    worker.on('message', (reply: PoolReply) => {
      if ('ready' in reply) {
        ready = true;
        resolve({ worker, pending });
        return;
      }
      if ('error' in reply) {
        const error = reply.error.code
          ? new EndcueError(reply.error.code as EndcueErrorCode, reply.error.message, {
              ...(reply.error.hint ? { hint: reply.error.hint } : {}),
            })
          : new Error(reply.error.message);
        if (!ready) {
          reject(error);
          void worker.terminate();
          return;
        }
        pending.get(reply.id)?.reject(error);
        pending.delete(reply.id);
        return;
      }
      pending.get(reply.id)?.resolve(reply.probabilities);
      pending.delete(reply.id);
    });
    worker.on('error', (error) => {
      if (!ready) reject(error);
      for (const p of pending.values()) p.reject(error);
      pending.clear();
    });
    worker.on('exit', () => {
      if (!ready) reject(new Error('classifier worker exited before it was ready'));
      for (const p of pending.values()) p.reject(new Error('classifier worker exited'));
      pending.clear();
    });
  });
}
