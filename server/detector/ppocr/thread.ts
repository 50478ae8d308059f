/**
 * The PP-OCR worker thread (started by ppocr/reader.ts through worker.mjs): runs the
 * detector and the recogniser with ONNX Runtime Web's wasm build (no native binary to
 * install, one core) and answers each frame (a PPM image) with its words. The build is
 * vendored in model/ocr/onnxruntime-web (its three files of the npm package's 145 MB).
 */
import { readFileSync } from 'node:fs';
import { parentPort } from 'node:worker_threads';
import * as ort from '../../../model/ocr/onnxruntime-web/ort.node.min.mjs';
import type { OcrWord } from '../text-cues.js';
import type { RgbFrame } from '../text-reader.js';
import { ctcCharacters, decodeCtc } from './ctc.js';
import { ppocrModelFiles } from './models.js';
import { detectorInput, recognizerInput } from './tensors.js';
import { textBoxes } from './text-boxes.js';
import { boxesToWords, type RecognizedBox } from './words.js';

/** Boxes read per frame, top first: enough lines to tell credits from other text. */
export const MAX_LINES_READ = 16;

const port = parentPort;
if (!port) throw new Error('ppocr/thread.ts runs as a worker thread');

/** A binary PPM (P6, maxval 255) as an rgb24 frame. */
function fromPpm(image: Uint8Array): RgbFrame {
  let at = 0;
  const fields: string[] = [];
  while (fields.length < 4) {
    while (/\s/.test(String.fromCharCode(image[at] as number))) at++;
    let field = '';
    while (!/\s/.test(String.fromCharCode(image[at] as number)))
      field += String.fromCharCode(image[at++] as number);
    fields.push(field);
  }
  at++; // the single whitespace before the pixels
  const width = Number(fields[1]);
  const height = Number(fields[2]);
  return { data: image.subarray(at, at + width * height * 3), width, height };
}

try {
  const files = ppocrModelFiles();
  if (files instanceof Error) throw files;
  ort.env.wasm.numThreads = 1;
  const detector = await ort.InferenceSession.create(readFileSync(files.detector));
  const recognizer = await ort.InferenceSession.create(readFileSync(files.recognizer));
  const characters = ctcCharacters(readFileSync(files.keys, 'utf8'));

  const read = async (frame: RgbFrame): Promise<OcrWord[]> => {
    const input = detectorInput(frame);
    const detected = await detector.run({
      [detector.inputNames[0] as string]: new ort.Tensor('float32', input.data, [
        1,
        3,
        input.height,
        input.width,
      ]),
    });
    const map = detected[detector.outputNames[0] as string] as ort.Tensor;
    const boxes = textBoxes(
      map.data as Float32Array,
      input.width,
      input.height,
      frame.width,
      frame.height,
    );
    const lines: RecognizedBox[] = [];
    for (const box of boxes.slice(0, MAX_LINES_READ)) {
      const crop = recognizerInput(frame, box);
      const out = await recognizer.run({
        [recognizer.inputNames[0] as string]: new ort.Tensor('float32', crop.data, [
          1,
          3,
          crop.height,
          crop.width,
        ]),
      });
      const probabilities = out[recognizer.outputNames[0] as string] as ort.Tensor;
      const [, steps, classes] = probabilities.dims as number[];
      lines.push({
        ...decodeCtc(
          probabilities.data as Float32Array,
          steps as number,
          classes as number,
          characters,
        ),
        box,
      });
    }
    return boxesToWords(lines);
  };

  port.on('message', async (request: { stop?: boolean; id: number; image: Uint8Array }) => {
    if (request.stop) {
      await Promise.all([detector.release(), recognizer.release()]);
      port.close();
      return;
    }
    try {
      port.postMessage({
        id: request.id,
        words: await read(fromPpm(new Uint8Array(request.image))),
      });
    } catch (error) {
      port.postMessage({ id: request.id, error: String((error as Error)?.message ?? error) });
    }
  });
  port.postMessage({ id: 0, ready: true });
} catch (error) {
  port.postMessage({ id: 0, error: String((error as Error)?.message ?? error) });
}
