/**
 * The real detector in a worker thread. The model's classify() is synchronous CPU work:
 * in the server's own thread it holds up every HTTP request (the page, its state, the
 * video's byte ranges) for the length of an analysis. Here it runs beside the server,
 * with the same Detector contract, so the queue does not know the difference.
 */
import { Worker } from 'node:worker_threads';
import { EndcueError, type EndcueErrorCode } from '../errors.js';
import type { DetectionResult, Detector, DetectProgress } from './types.js';

export type ToWorker =
  | { type: 'detect'; id: number; source: string; notBefore?: number }
  | { type: 'abort'; id: number };

export type WorkerError =
  | { endcue: true; code: EndcueErrorCode; message: string; hint?: string; retryable: boolean }
  | { endcue: false; message: string; stack?: string };

export type ToMain =
  | { type: 'progress'; id: number; progress: DetectProgress }
  | { type: 'done'; id: number; result: DetectionResult }
  | { type: 'error'; id: number; error: WorkerError };

/** Rebuilds an error that crossed the thread boundary (EndcueError keeps code and hint). */
export function errorFromWorker(error: WorkerError): Error {
  if (error.endcue) {
    return new EndcueError(error.code, error.message, {
      ...(error.hint !== undefined ? { hint: error.hint } : {}),
      retryable: error.retryable,
    });
  }
  const rebuilt = new Error(error.message);
  if (error.stack) rebuilt.stack = error.stack;
  return rebuilt;
}

interface Pending {
  resolve(result: DetectionResult): void;
  reject(error: Error): void;
  onProgress: ((progress: DetectProgress) => void) | undefined;
}

export interface ThreadedDetector extends Detector {
  /** Stops the worker; pending analyses fail (the queue re-runs them on the next start). */
  close(): Promise<void>;
}

const WORKER_URL = new URL('./thread-worker.mjs', import.meta.url);

/** What the detector thread is started with (its workerData). */
export interface DetectorThreadOptions {
  /** false: no text check (ENDCUE_TEXT_CHECK=off). */
  readText?: boolean;
  /** URL sources are read through this proxy (the server's egress check). */
  httpProxy?: string;
}

/** A Detector backed by one long-lived worker, started on the first analysis. */
export function threadedDetector(
  workerUrl: URL = WORKER_URL,
  options: DetectorThreadOptions = {},
): ThreadedDetector {
  let worker: Worker | undefined;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const failAll = (error: Error) => {
    for (const job of pending.values()) job.reject(error);
    pending.clear();
  };

  const start = (): Worker => {
    const workerData: DetectorThreadOptions = {
      readText: options.readText ?? true,
      ...(options.httpProxy ? { httpProxy: options.httpProxy } : {}),
    };
    const w = new Worker(workerUrl, { workerData });
    w.on('message', (message: ToMain) => {
      const job = pending.get(message.id);
      if (!job) return;
      if (message.type === 'progress') {
        job.onProgress?.(message.progress);
        return;
      }
      pending.delete(message.id);
      if (message.type === 'done') job.resolve(message.result);
      else job.reject(errorFromWorker(message.error));
    });
    w.on('error', (error) => {
      failAll(new EndcueError('internal', `The detector thread failed: ${error.message}`));
    });
    w.on('exit', (code) => {
      if (worker === w) worker = undefined;
      failAll(new EndcueError('internal', `The detector thread stopped (exit ${code})`));
    });
    w.unref();
    return w;
  };

  const detector: Detector = (source, options = {}) =>
    new Promise<DetectionResult>((resolve, reject) => {
      const { signal, onProgress, notBefore } = options;
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
        return;
      }
      worker ??= start();
      const id = nextId++;
      const active = worker;
      pending.set(id, { resolve, reject, onProgress });
      signal?.addEventListener('abort', () => active.postMessage({ type: 'abort', id }), {
        once: true,
      });
      active.ref();
      active.postMessage({
        type: 'detect',
        id,
        source,
        ...(notBefore !== undefined ? { notBefore } : {}),
      } satisfies ToWorker);
    }).finally(() => {
      if (pending.size === 0) worker?.unref();
    });

  return Object.assign(detector, {
    async close() {
      const w = worker;
      worker = undefined;
      if (w) await w.terminate();
    },
  });
}
