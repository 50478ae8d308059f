/**
 * Runs sampleFrames() in a worker thread so that reading ffmpeg's pipe never waits for the
 * main thread: TF.js inference blocks the main thread for a whole batch, and ffmpeg, whose
 * pipe holds less than one frame, would otherwise stall with it. Frames go to the parent
 * with their buffers transferred (no copy); the parent acknowledges them, which bounds how
 * far ahead the worker reads.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isEndcueError } from '../errors.js';
import { adoptFfmpeg } from './ffmpeg.js';
import type { ParentMessage, WorkerInput, WorkerMessage } from './frame-types.js';
import { sampleFrames } from './frames.js';

const port = parentPort;
if (!port) throw new Error('frames-thread must run in a worker');
const input = workerData as WorkerInput;
if (input.binaries) adoptFfmpeg(input.binaries);
const controller = new AbortController();
let credit = input.maxAhead;
let wake: (() => void) | undefined;

port.on('message', (message: ParentMessage) => {
  if (message.type === 'ack') credit += message.count;
  else controller.abort();
  const w = wake;
  wake = undefined;
  w?.();
});

try {
  for await (const frame of sampleFrames(input.source, {
    ...input.options,
    signal: controller.signal,
  })) {
    port.postMessage({ type: 'frame', t: frame.t, data: frame.data } satisfies WorkerMessage, [
      frame.data.buffer as ArrayBuffer,
    ]);
    credit--;
    while (credit <= 0 && !controller.signal.aborted) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    if (controller.signal.aborted) break;
  }
  port.postMessage({ type: 'end' } satisfies WorkerMessage);
} catch (error) {
  if (controller.signal.aborted) {
    port.postMessage({ type: 'end' } satisfies WorkerMessage);
  } else {
    port.postMessage({
      type: 'error',
      error: {
        endcue: isEndcueError(error),
        ...(isEndcueError(error) ? { code: error.code, hint: error.hint } : {}),
        message: error instanceof Error ? error.message : String(error),
        name: error instanceof Error ? error.name : 'Error',
      },
    } satisfies WorkerMessage);
  }
} finally {
  port.close();
}
