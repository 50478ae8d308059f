/**
 * Worker thread that runs the real detector (server/detector/detect.ts, the shipped model).
 * The model stays loaded between titles. Messages: see thread.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { isEndcueError } from '../errors.js';
import { createDetector } from './detect.js';
import type { DetectorThreadOptions, ToMain, ToWorker } from './thread.js';

const port = parentPort;
if (!port) throw new Error('detector-worker.ts must run in a worker thread');

const settings = (workerData ?? {}) as DetectorThreadOptions;
const detect = createDetector({
  // ENDCUE_TEXT_CHECK=off: the frame scores alone (no OCR thread, ~250 MB and 2-3 s less a title).
  ...(settings.readText === false ? { readText: false } : {}),
  ...(settings.httpProxy ? { httpProxy: settings.httpProxy } : {}),
});

const running = new Map<number, AbortController>();
const send = (message: ToMain) => port.postMessage(message);

port.on('message', (message: ToWorker) => {
  if (message.type === 'abort') {
    running.get(message.id)?.abort();
    return;
  }
  const { id, source, notBefore } = message;
  const abort = new AbortController();
  running.set(id, abort);
  detect(source, {
    signal: abort.signal,
    ...(notBefore !== undefined ? { notBefore } : {}),
    onProgress: (progress) => send({ type: 'progress', id, progress }),
  })
    .then(
      (result) => send({ type: 'done', id, result }),
      (error: unknown) =>
        send({
          type: 'error',
          id,
          error: isEndcueError(error)
            ? { endcue: true, ...error.toJSON() }
            : {
                endcue: false,
                message: error instanceof Error ? error.message : String(error),
                ...(error instanceof Error && error.stack ? { stack: error.stack } : {}),
              },
        }),
    )
    .finally(() => running.delete(id));
});
