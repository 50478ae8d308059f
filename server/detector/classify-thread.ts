/**
 * One classifier in a worker thread (see pool.ts): TF.js's wasm backend runs on one thread,
 * so a second copy of the model in a worker puts the other core to work.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isEndcueError } from '../errors.js';
import { type LoadClassifierOptions, loadClassifier } from './classify.js';

export type PoolRequest = { id: number; frames: Uint8Array[] } | { id: -1; stop: true };

export type PoolReply =
  | { id: 0; ready: true; classes: string[]; backend: string; modelVersion: string }
  | { id: number; probabilities: Float32Array[] }
  | { id: number; error: { message: string; code?: string; hint?: string } };

const port = parentPort;
if (!port) throw new Error('classify-thread must run in a worker');

try {
  const classifier = await loadClassifier(workerData as LoadClassifierOptions);
  port.on('message', async (request: PoolRequest) => {
    if ('stop' in request) {
      classifier.dispose();
      port.close();
      return;
    }
    try {
      const { probabilities } = await classifier.scores(request.frames);
      port.postMessage({ id: request.id, probabilities } satisfies PoolReply);
    } catch (error) {
      port.postMessage({ id: request.id, error: describe(error) } satisfies PoolReply);
    }
  });
  port.postMessage({
    id: 0,
    ready: true,
    classes: [...classifier.classes],
    backend: classifier.backend,
    modelVersion: classifier.modelVersion,
  } satisfies PoolReply);
} catch (error) {
  port.postMessage({ id: 0, error: describe(error) } satisfies PoolReply);
}

function describe(error: unknown): { message: string; code?: string; hint?: string } {
  if (isEndcueError(error)) {
    return {
      message: error.message,
      code: error.code,
      ...(error.hint ? { hint: error.hint } : {}),
    };
  }
  return { message: error instanceof Error ? error.message : String(error) };
}
