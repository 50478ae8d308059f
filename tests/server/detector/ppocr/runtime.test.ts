// The vendored ONNX Runtime Web build and the onnxruntime-common it imports its API from
// must be the same release: a mismatch fails at run time, in the PP-OCR thread only.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../../../', import.meta.url);
const VENDORED = new URL('model/ocr/onnxruntime-web/', ROOT);

function readJson(path: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(path, ROOT), 'utf8')) as Record<string, unknown>;
}

describe('vendored ONNX Runtime Web', () => {
  it('is the release of the installed onnxruntime-common', () => {
    const header = readFileSync(new URL('ort.node.min.mjs', VENDORED), 'utf8').slice(0, 200);
    const vendored = /ONNX Runtime Web v(\d+\.\d+\.\d+)/.exec(header)?.[1];
    // Its package.json is not in its exports, so it is read from node_modules directly.
    const common = readJson('node_modules/onnxruntime-common/package.json').version;
    expect(vendored).toBeDefined();
    expect(vendored).toBe(common);
  });

  it('pins onnxruntime-common to an exact version in package.json', () => {
    const dependencies = readJson('package.json').dependencies as Record<string, string>;
    expect(dependencies['onnxruntime-common']).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
