/**
 * OCR of single frames (I/O): tesseract.js (WebAssembly, in its own worker thread) with the
 * English model shipped inside the `@tesseract.js-data/eng` package, read from disk: no
 * network at run time. What the words mean is decided in text-cues.ts.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type { OcrWord } from './text-cues.js';

export interface RgbFrame {
  /** rgb24, width x height x 3 bytes, row-major. */
  data: Uint8Array;
  width: number;
  height: number;
}

export interface TextReader {
  read(frame: RgbFrame): Promise<OcrWord[]>;
  dispose(): Promise<void>;
}

const require = createRequire(import.meta.url);

/** The directory holding eng.traineddata.gz (the smaller integer model: same words here, 3 MB not 11). */
export function englishModelDir(): string {
  const pkg = require.resolve('@tesseract.js-data/eng/package.json');
  return path.join(path.dirname(pkg), '4.0.0_best_int');
}

/** Starts an OCR worker (~0.3 s). Throws when tesseract.js or its model cannot load. */
export async function createTextReader(): Promise<TextReader> {
  const { createWorker, OEM, PSM } = await import('tesseract.js');
  const worker = await createWorker('eng', OEM.LSTM_ONLY, {
    langPath: englishModelDir(),
    gzip: true,
    cacheMethod: 'none',
  });
  // Tesseract prints diagnostics ("Image too small to scale!!") from the worker; they would
  // land in the CLI's stdout, which --json keeps for the one JSON object.
  await worker.setParameters({ debug_file: '/dev/null', tessedit_pageseg_mode: PSM.AUTO });
  return {
    async read(frame) {
      const { data } = await worker.recognize(toPpm(frame), {}, { blocks: true, text: false });
      const words: OcrWord[] = [];
      for (const block of data.blocks ?? []) {
        for (const paragraph of block.paragraphs) {
          for (const line of paragraph.lines) {
            for (const word of line.words)
              words.push({ text: word.text, confidence: word.confidence });
          }
        }
      }
      return words;
    },
    async dispose() {
      await worker.terminate();
    },
  };
}

/** rgb24 -> a binary PPM image, which tesseract's image loader (Leptonica) reads as is. */
export function toPpm(frame: RgbFrame): Buffer {
  const expected = frame.width * frame.height * 3;
  if (frame.data.length !== expected) {
    throw new RangeError(
      `frame has ${frame.data.length} bytes, expected ${expected} (${frame.width}x${frame.height} rgb24)`,
    );
  }
  const header = Buffer.from(`P6\n${frame.width} ${frame.height}\n255\n`, 'ascii');
  return Buffer.concat([header, frame.data]);
}
