// A stand-in for server/detector/thread-worker.ts: answers by file name, no model.
import { parentPort, workerData } from 'node:worker_threads';

parentPort.on('message', (message) => {
  if (message.type !== 'detect') return;
  const { id, source, notBefore } = message;
  if (source === 'crash.mp4') process.exit(3);
  if (source === 'bad.mp4') {
    parentPort.postMessage({
      type: 'error',
      id,
      error: {
        endcue: true,
        code: 'corrupt-media',
        message: 'bad.mp4: cannot decode',
        hint: 'Re-encode it.',
        retryable: false,
      },
    });
    return;
  }
  parentPort.postMessage({ type: 'progress', id, progress: { phase: 'coarse', fraction: 0.5 } });
  parentPort.postMessage({
    type: 'done',
    id,
    result: {
      file: source,
      duration: 60,
      creditsStart: 50,
      threadId: 'worker',
      readText: workerData?.readText,
      httpProxy: workerData?.httpProxy,
      notBefore,
    },
  });
});
