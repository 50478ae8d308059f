// The OCR worker thread (see text-reader.ts). tesseract.js runs here, not in the caller's
// thread, so what its wasm core prints (Leptonica's "Error in pixScanForForeground" ...)
// lands in this thread's captured stdout/stderr instead of the terminal or `--json` output.
// Plain JavaScript: it needs nothing from our TypeScript sources.
import { parentPort, workerData } from 'node:worker_threads';
import { createScheduler, createWorker, OEM, PSM } from 'tesseract.js';

const port = parentPort;
const { langs = 'eng', langPath, workers } = workerData;

try {
  const scheduler = createScheduler();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      const worker = await createWorker(langs.split('+'), OEM.LSTM_ONLY, {
        langPath,
        gzip: true,
        cacheMethod: 'none',
      });
      await worker.setParameters({ tessedit_pageseg_mode: PSM.AUTO });
      scheduler.addWorker(worker);
    }),
  );
  port.on('message', async (request) => {
    if (request.stop) {
      await scheduler.terminate();
      port.close();
      return;
    }
    try {
      const { data } = await scheduler.addJob(
        'recognize',
        Buffer.from(request.image),
        {},
        {
          blocks: true,
          text: false,
        },
      );
      // Where each word is, and which line it is on: captions are told by their place.
      const words = [];
      let lineNumber = 0;
      for (const block of data.blocks ?? []) {
        for (const paragraph of block.paragraphs) {
          for (const line of paragraph.lines) {
            for (const word of line.words) {
              const { x0, y0, x1, y1 } = word.bbox;
              words.push({
                text: word.text,
                confidence: word.confidence,
                box: { x0, y0, x1, y1 },
                line: lineNumber,
              });
            }
            lineNumber++;
          }
        }
      }
      port.postMessage({ id: request.id, words });
    } catch (error) {
      port.postMessage({ id: request.id, error: String(error?.message ?? error) });
    }
  });
  port.postMessage({ id: 0, ready: true });
} catch (error) {
  port.postMessage({ id: 0, error: String(error?.message ?? error) });
}
