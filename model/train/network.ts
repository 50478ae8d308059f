/**
 * The network: frozen MobileNetV2 backbone (nsfwjs weights) -> global pooling -> small head.
 * Training fits only the head, on cached pooled features; export stitches the SAME head
 * layers onto the backbone so the shipped model takes frames and returns class probabilities.
 */
import * as tf from '@tensorflow/tfjs';
import { loadBackbone } from './backbone.js';

export type PoolKind = 'avg' | 'avgmax';

/**
 * What of the backbone training may change. `conv1`: the last 1x1 convolution (Conv_1,
 * 320 -> 1280, its batch norm folded in) is trained too. A 1x1 convolution is a dense layer
 * applied at every position, so it trains on cached block_16 maps with matMul gradients
 * only (the wasm backend lacks the convolution gradient kernels).
 */
export type TuneKind = 'none' | 'conv1';

/** Conv_1 with its batch norm folded in, as a per-position dense layer. */
export interface TunedConv {
  kernel: tf.Tensor2D;
  bias: tf.Tensor1D;
  positions: number;
  channels: number;
  trainable: boolean;
}

export interface HeadOptions {
  features: number;
  classes: number;
  hidden: number;
  dropout: number;
  l2: number;
  seed: number;
  /** Set when the head starts at block_16 maps (TuneKind conv1) instead of pooled features. */
  tuned?: TunedConv;
  pool?: PoolKind;
}

/** Head layers and how they connect (the tuned head branches into two poolings). */
export interface Head {
  layers: tf.layers.Layer[];
  apply(x: tf.SymbolicTensor): tf.SymbolicTensor;
}

export interface Backbone {
  model: tf.LayersModel;
  /** Symbolic pooled feature tensor on the backbone's graph. */
  pooled: tf.SymbolicTensor;
  /** frames -> pooled features (for caching). */
  features: tf.LayersModel;
  size: number;
  /** TuneKind conv1: the folded Conv_1 the head starts from. */
  tuned?: TunedConv;
}

const TUNE_TAP = 'block_16_project_BN';

/** Conv_1 + Conv_1_bn of the backbone as one dense kernel and bias (inference-mode BN). */
function foldedConv1(model: tf.LayersModel): TunedConv {
  return tf.tidy(() => {
    const conv = model.getLayer('Conv_1');
    const bn = model.getLayer('Conv_1_bn');
    const [w] = conv.getWeights() as [tf.Tensor4D];
    const [gamma, beta, mean, variance] = bn.getWeights() as tf.Tensor1D[];
    const eps = Number((bn.getConfig() as { epsilon?: number }).epsilon ?? 1e-3);
    const [, , cin, cout] = w.shape;
    const scale = (gamma as tf.Tensor1D).div((variance as tf.Tensor1D).add(eps).sqrt());
    const kernel = w.reshape([cin, cout]).mul(scale) as tf.Tensor2D;
    const bias = (beta as tf.Tensor1D).sub((mean as tf.Tensor1D).mul(scale)) as tf.Tensor1D;
    const map = model.getLayer(TUNE_TAP).output as tf.SymbolicTensor;
    const [, h, wd] = map.shape as number[];
    return {
      kernel: tf.keep(kernel),
      bias: tf.keep(bias),
      positions: (h as number) * (wd as number),
      channels: cin,
      trainable: true,
    };
  });
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
  tune: TuneKind = 'none',
): Promise<Backbone> {
  const model = await loadBackbone(inputSize);
  if (tune === 'conv1') {
    const map = model.getLayer(TUNE_TAP).output as tf.SymbolicTensor;
    const flat = tf.layers.flatten({ name: 'endcue_map_flat' }).apply(map) as tf.SymbolicTensor;
    const features = tf.model({ inputs: model.inputs, outputs: flat, name: 'endcue_features' });
    return { model, pooled: flat, features, size: inputSize, tuned: foldedConv1(model) };
  }
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

export function headLayers(o: HeadOptions): Head {
  const reg = o.l2 > 0 ? tf.regularizers.l2({ l2: o.l2 }) : undefined;
  const layers: tf.layers.Layer[] = [];
  let front: ((x: tf.SymbolicTensor) => tf.SymbolicTensor) | undefined;
  if (o.tuned) {
    const t = o.tuned;
    const reshape = tf.layers.reshape({
      name: 'endcue_positions',
      targetShape: [t.positions, t.channels],
    });
    const conv = tf.layers.dense({
      name: 'endcue_conv1',
      units: t.kernel.shape[1],
      activation: 'relu6',
      trainable: t.trainable,
      weights: [t.kernel, t.bias],
    });
    const gap = tf.layers.globalAveragePooling1d({ name: 'endcue_gap' });
    const gmp = tf.layers.globalMaxPooling1d({ name: 'endcue_gmp' });
    const concat = tf.layers.concatenate({ name: 'endcue_pool_concat' });
    layers.push(reshape, conv, gap, gmp, concat);
    front = (x) => {
      const y = conv.apply(reshape.apply(x)) as tf.SymbolicTensor;
      const avg = gap.apply(y) as tf.SymbolicTensor;
      if (o.pool === 'avg') return avg;
      return concat.apply([avg, gmp.apply(y) as tf.SymbolicTensor]) as tf.SymbolicTensor;
    };
  }
  const tail: tf.layers.Layer[] = [];
  if (o.hidden > 0) {
    tail.push(
      tf.layers.dense({
        name: 'endcue_hidden',
        units: o.hidden,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed: o.seed }),
        kernelRegularizer: reg,
      }),
    );
    // No seed on purpose: a seeded tfjs dropout repeats one mask every step. Off by default.
    if (o.dropout > 0) tail.push(tf.layers.dropout({ name: 'endcue_dropout', rate: o.dropout }));
  }
  tail.push(
    tf.layers.dense({
      name: 'endcue_classes',
      units: o.classes,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotUniform({ seed: o.seed + 2 }),
      kernelRegularizer: reg,
    }),
  );
  layers.push(...tail);
  return {
    layers,
    apply(x) {
      let y = front ? front(x) : x;
      for (const l of tail) y = l.apply(y) as tf.SymbolicTensor;
      return y;
    },
  };
}

/** features -> probabilities, for training on cached features. */
export function headModel(head: Head, features: number): tf.LayersModel {
  const input = tf.input({ shape: [features], name: 'endcue_features_in' });
  return tf.model({ inputs: input, outputs: head.apply(input), name: 'endcue_head' });
}

/** A head ready to fit on cached features (Adam, cross-entropy): training and CV alike. */
export function compiledHead(o: HeadOptions, lr: number): { layers: Head; head: tf.LayersModel } {
  const layers = headLayers(o);
  const head = headModel(layers, o.features);
  head.compile({ optimizer: tf.train.adam(lr), loss: 'categoricalCrossentropy' });
  return { layers, head };
}

/** frames -> probabilities: backbone + pooling + the trained head layers, one model. */
export function fullModel(backbone: Backbone, head: Head): tf.LayersModel {
  return tf.model({
    inputs: backbone.model.inputs,
    outputs: head.apply(backbone.pooled),
    name: 'endcue_credits_classifier',
  });
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
