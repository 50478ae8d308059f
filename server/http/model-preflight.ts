/**
 * A cheap check of the shipped model's files at server start (no TF.js: the detector loads
 * lazily), so a missing or damaged model is a clear error when `endcue serve` starts, not
 * a failure stored against every title analysed later.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { EndcueError } from '../errors.js';

interface WeightEntry {
  shape?: number[];
  dtype?: string;
  quantization?: { dtype?: string };
}

interface ModelJson {
  weightsManifest?: { paths?: string[]; weights?: WeightEntry[] }[];
}

const BYTES: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  uint8: 1,
  int8: 1,
  uint16: 2,
  float16: 2,
};

const HINT = 'Restore model/credits-classifier from git (git checkout -- model/) or retrain.';

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new EndcueError('model-invalid', `${file} is not valid JSON`, { hint: HINT, cause });
  }
}

/** Throws model-missing / model-invalid when the model folder can't be what the detector loads. */
export function checkModelFiles(modelDir: string): void {
  const meta = path.join(modelDir, 'metadata.json');
  const model = path.join(modelDir, 'model.json');
  if (!existsSync(meta) || !existsSync(model)) {
    throw new EndcueError('model-missing', `No credits model in ${modelDir}`, {
      hint: `Expected model.json, weight shards and metadata.json there. ${HINT}`,
    });
  }
  const metadata = readJson(meta) as { version?: unknown; inputSize?: unknown };
  if (typeof metadata.version !== 'string' || typeof metadata.inputSize !== 'number') {
    throw new EndcueError('model-invalid', `${meta} lacks a version or inputSize`, { hint: HINT });
  }
  const json = readJson(model) as ModelJson;
  let expected = 0;
  let actual = 0;
  for (const group of json.weightsManifest ?? []) {
    for (const weight of group.weights ?? []) {
      const count = (weight.shape ?? []).reduce((a, b) => a * b, 1);
      const size = BYTES[weight.quantization?.dtype ?? weight.dtype ?? 'float32'] ?? 4;
      expected += count * size;
    }
    for (const shard of group.paths ?? []) {
      const file = path.join(modelDir, shard);
      if (!existsSync(file)) {
        throw new EndcueError('model-missing', `The model's weight file ${file} is missing`, {
          hint: HINT,
        });
      }
      actual += statSync(file).size;
    }
  }
  if (expected === 0 || actual !== expected) {
    throw new EndcueError(
      'model-invalid',
      `The model's weights in ${modelDir} are ${actual} bytes, model.json expects ${expected}`,
      { hint: `The files are truncated or from another model. ${HINT}` },
    );
  }
}
