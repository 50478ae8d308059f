/**
 * The pretrained MobileNetV2 backbone, taken at TRAINING time from the nsfwjs package
 * (MIT; ships Keras-converted TF.js weights inside the package, so nothing is downloaded).
 * We keep the layers up to `out_relu`, resized to our input size (all convolutional, so
 * the weights fit any size), and export backbone + our head as one model of our own:
 * the runtime never imports nsfwjs.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

const require = createRequire(import.meta.url);

interface NsfwModelJson {
  modelTopology: {
    model_config: {
      config: {
        layers: Array<{ name: string; class_name: string; config: Record<string, unknown> }>;
        output_layers: unknown[];
      };
    };
  };
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

/** Loads MobileNetV2 (nsfwjs) cut at `cutAt`, taking inputSize x inputSize x 3 in 0..1. */
export async function loadBackbone(inputSize: number, cutAt = 'out_relu'): Promise<tf.LayersModel> {
  // nsfwjs' "exports" hides its model files; reach them from its resolved entry point.
  const modelsDir = path.resolve(path.dirname(require.resolve('nsfwjs')), '../models/mobilenet_v2');
  const json = structuredClone(require(path.join(modelsDir, 'model.min.js')) as NsfwModelJson);
  const weightsB64 = require(path.join(modelsDir, 'group1-shard1of1.min.js')) as string;
  const cfg = json.modelTopology.model_config.config;
  const cut = cfg.layers.findIndex((l) => l.name === cutAt);
  if (cut < 0) throw new Error(`no layer ${cutAt} in MobileNetV2`);
  cfg.layers = cfg.layers.slice(0, cut + 1);
  const input = cfg.layers[0];
  if (!input) throw new Error('MobileNetV2 topology has no layers');
  input.config.batch_input_shape = [null, inputSize, inputSize, 3];
  cfg.output_layers = [[cutAt, 0, 0]];
  const kept = new Set(cfg.layers.map((l) => l.name));
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buf = Buffer.from(weightsB64, 'base64');
  // Keep only weights of kept layers; slice their bytes out of the (uint8-quantised) shard.
  const parts: Buffer[] = [];
  let offset = 0;
  for (const spec of json.weightsManifest[0]?.weights ?? []) {
    const n = spec.shape.reduce((a, b) => a * b, 1);
    const bytesPer = spec.quantization ? (spec.quantization.dtype === 'uint8' ? 1 : 2) : 4;
    const len = n * bytesPer;
    if (kept.has(spec.name.split('/')[0] ?? '')) {
      specs.push(spec);
      parts.push(buf.subarray(offset, offset + len));
    }
    offset += len;
  }
  const weightData = Buffer.concat(parts);
  const model = await tf.loadLayersModel({
    load: async () => ({
      modelTopology: json.modelTopology,
      weightSpecs: specs,
      weightData: weightData.buffer.slice(
        weightData.byteOffset,
        weightData.byteOffset + weightData.byteLength,
      ) as ArrayBuffer,
    }),
  });
  model.trainable = false;
  return model;
}
