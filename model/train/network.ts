/**
 * The network: frozen MobileNetV2 backbone (nsfwjs weights) -> global pooling -> small head.
 * Training fits only the head, on cached pooled features; export stitches the SAME head
 * layers onto the backbone so the shipped model takes frames and returns class probabilities.
 */
import * as tf from '@tensorflow/tfjs';
import { loadBackbone } from './backbone.js';

export type PoolKind = 'avg' | 'avgmax';

export interface HeadOptions {
  features: number;
  classes: number;
  hidden: number;
  dropout: number;
  l2: number;
  seed: number;
}

export interface Backbone {
  model: tf.LayersModel;
  /** Symbolic pooled feature tensor on the backbone's graph. */
  pooled: tf.SymbolicTensor;
  /** frames -> pooled features (for caching). */
  features: tf.LayersModel;
  size: number;
}

/**
 * Backbone + pooling. `taps` are layers whose maps are pooled and concatenated: the last one
 * (out_relu) carries scene semantics, a mid-level one (e.g. block_12_add) finer texture
 * such as lines of small text.
 */
export async function buildBackbone(
  inputSize: number,
  pool: PoolKind,
  taps: string[] = ['out_relu'],
): Promise<Backbone> {
  const model = await loadBackbone(inputSize);
  const parts: tf.SymbolicTensor[] = [];
  for (const tap of taps) {
    const out = model.getLayer(tap).output as tf.SymbolicTensor;
    const suffix = tap === 'out_relu' ? '' : `_${tap}`;
    parts.push(
      tf.layers
        .globalAveragePooling2d({ name: `endcue_gap${suffix}` })
        .apply(out) as tf.SymbolicTensor,
    );
    if (pool === 'avgmax') {
      parts.push(
        tf.layers
          .globalMaxPooling2d({ name: `endcue_gmp${suffix}` })
          .apply(out) as tf.SymbolicTensor,
      );
    }
  }
  const pooled =
    parts.length === 1
      ? (parts[0] as tf.SymbolicTensor)
      : (tf.layers.concatenate({ name: 'endcue_pool_concat' }).apply(parts) as tf.SymbolicTensor);
  const features = tf.model({ inputs: model.inputs, outputs: pooled, name: 'endcue_features' });
  return { model, pooled, features, size: inputSize };
}

export function headLayers(o: HeadOptions): tf.layers.Layer[] {
  const reg = o.l2 > 0 ? tf.regularizers.l2({ l2: o.l2 }) : undefined;
  const layers: tf.layers.Layer[] = [];
  if (o.hidden > 0) {
    layers.push(
      tf.layers.dense({
        name: 'endcue_hidden',
        units: o.hidden,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: o.seed }),
        kernelRegularizer: reg,
      }),
    );
    // No seed on purpose: a seeded tfjs dropout repeats one mask every step. Off by default.
    if (o.dropout > 0) layers.push(tf.layers.dropout({ name: 'endcue_dropout', rate: o.dropout }));
  }
  layers.push(
    tf.layers.dense({
      name: 'endcue_classes',
      units: o.classes,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed + 2 }),
      kernelRegularizer: reg,
    }),
  );
  return layers;
}

/** features -> probabilities, for training on cached features. */
export function headModel(layers: tf.layers.Layer[], features: number): tf.LayersModel {
  const input = tf.input({ shape: [features], name: 'endcue_features_in' });
  let x: tf.SymbolicTensor = input;
  for (const l of layers) x = l.apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: x, name: 'endcue_head' });
}

/** A head ready to fit on cached features (Adam, cross-entropy): training and CV alike. */
export function compiledHead(
  o: HeadOptions,
  lr: number,
): { layers: tf.layers.Layer[]; head: tf.LayersModel } {
  const layers = headLayers(o);
  const head = headModel(layers, o.features);
  head.compile({ optimizer: tf.train.adam(lr), loss: 'categoricalCrossentropy' });
  return { layers, head };
}

/** frames -> probabilities: backbone + pooling + the trained head layers, one model. */
export function fullModel(backbone: Backbone, layers: tf.layers.Layer[]): tf.LayersModel {
  let x = backbone.pooled;
  for (const l of layers) x = l.apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: backbone.model.inputs, outputs: x, name: 'endcue_credits_classifier' });
}

/** Pooled features of many frames, in batches. */
export async function extractFeatures(
  backbone: Backbone,
  frames: Uint8Array[],
  toInput: (rgb: Uint8Array) => Float32Array,
  onBatch?: (n: number) => void,
  batchSize = 16,
): Promise<Float32Array[]> {
  const s = backbone.size;
  const out: Float32Array[] = [];
  for (let i = 0; i < frames.length; i += batchSize) {
    const batch = frames.slice(i, i + batchSize);
    const buf = new Float32Array(batch.length * s * s * 3);
    batch.forEach((f, k) => {
      buf.set(toInput(f), k * s * s * 3);
    });
    const y = tf.tidy(
      () => backbone.features.predict(tf.tensor4d(buf, [batch.length, s, s, 3])) as tf.Tensor,
    );
    const data = (await y.data()) as Float32Array;
    const width = y.shape[1] as number;
    y.dispose();
    for (let k = 0; k < batch.length; k++) out.push(data.slice(k * width, (k + 1) * width));
    onBatch?.(batch.length);
    // wasm work resolves without yielding; let timers (the progress bar) run between batches.
    await new Promise((resolve) => setImmediate(resolve));
  }
  return out;
}
