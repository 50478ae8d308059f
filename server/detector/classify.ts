/**
 * The credits frame classifier: loads the shipped TF.js model from disk (no network) and
 * scores rgb24 frames made by ffmpegScaleFilter(). Backend choice for 'auto':
 * tfjs-node-gpu -> tfjs-node (optional peers) -> wasm -> cpu, each failure kept as a reason.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { EndcueError } from '../errors.js';
import { frameBytes, toModelInput } from './preprocess.js';

export type BackendName = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export interface FrameClassifier {
  readonly inputSize: number;
  readonly modelVersion: string;
  readonly backend: string;
  /** p(credits) per frame; each frame is rgb24 inputSize*inputSize*3 bytes. */
  classify(frames: Uint8Array[]): Promise<Float32Array>;
  dispose(): void;
}

/** Richer view: every class's probability per frame (e.g. 'blank' for black/fades). */
export interface ClassScores {
  readonly classes: readonly string[];
  /** probabilities[i][k] = p(classes[k]) for frame i */
  readonly probabilities: Float32Array[];
}

export interface CreditsFrameClassifier extends FrameClassifier {
  readonly classes: readonly string[];
  /** Why faster backends were skipped ('auto' only; empty when the first choice worked). */
  readonly fallbackReasons: readonly string[];
  scores(frames: Uint8Array[]): Promise<ClassScores>;
}

export interface ModelMetadata {
  version: string;
  inputSize: number;
  classes: string[];
  [key: string]: unknown;
}

export interface LoadClassifierOptions {
  backend?: BackendName;
  modelDir?: string;
  /** Frames per forward pass (default 16). */
  batchSize?: number;
}

const HERE = path.dirname(fileURLToPath(import.meta.url));
/** model/credits-classifier at the repository root. */
export const DEFAULT_MODEL_DIR = path.resolve(HERE, '../../model/credits-classifier');

const require = createRequire(import.meta.url);

/** An IOHandler that reads model.json + weight shards from a folder (tfjs has none in plain @tensorflow/tfjs). */
export function fileSystemModelHandler(modelDir: string): tf.io.IOHandler {
  return {
    load: async (): Promise<tf.io.ModelArtifacts> => {
      const jsonPath = path.join(modelDir, 'model.json');
      const json = JSON.parse(readFileSync(jsonPath, 'utf8')) as tf.io.ModelJSON;
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      for (const group of json.weightsManifest ?? []) {
        specs.push(...group.weights);
        for (const shard of group.paths) buffers.push(readFileSync(path.join(modelDir, shard)));
      }
      const joined = Buffer.concat(buffers);
      const weightData = joined.buffer.slice(
        joined.byteOffset,
        joined.byteOffset + joined.byteLength,
      ) as ArrayBuffer;
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: specs,
        weightData,
        ...(json.signature ? { signature: json.signature } : {}),
        ...(json.userDefinedMetadata ? { userDefinedMetadata: json.userDefinedMetadata } : {}),
      };
    },
  };
}

/** Reads and checks metadata.json next to the model. */
export function readModelMetadata(modelDir: string = DEFAULT_MODEL_DIR): ModelMetadata {
  const metaPath = path.join(modelDir, 'metadata.json');
  if (!existsSync(metaPath) || !existsSync(path.join(modelDir, 'model.json'))) {
    throw new EndcueError('model-missing', `No credits model in ${modelDir}`, {
      hint: 'Expected model.json, weight shards and metadata.json there; restore model/credits-classifier from git or run `npm run train`.',
    });
  }
  let meta: Partial<ModelMetadata>;
  try {
    meta = JSON.parse(readFileSync(metaPath, 'utf8')) as Partial<ModelMetadata>;
  } catch (cause) {
    throw new EndcueError('model-invalid', `${metaPath} is not valid JSON`, {
      hint: 'Restore it from git or retrain.',
      cause,
    });
  }
  if (
    typeof meta.version !== 'string' ||
    typeof meta.inputSize !== 'number' ||
    !Array.isArray(meta.classes) ||
    !meta.classes.includes('credits')
  ) {
    throw new EndcueError(
      'model-invalid',
      `${metaPath} lacks version, inputSize or a 'credits' class`,
      { hint: 'Restore it from git or retrain.' },
    );
  }
  return meta as ModelMetadata;
}

/** Picks and initialises a tfjs backend; returns its name and why faster ones were skipped. */
export async function selectBackend(
  wanted: BackendName = 'auto',
): Promise<{ backend: string; reasons: string[] }> {
  const reasons: string[] = [];
  const attempts: Array<[string, () => Promise<void>]> = [];
  if (wanted === 'auto' || wanted === 'tensorflow') {
    attempts.push(['tensorflow', () => useNativeBackend(reasons)]);
  }
  if (wanted === 'auto' || wanted === 'wasm') attempts.push(['wasm', useWasmBackend]);
  if (wanted === 'auto' || wanted === 'cpu') attempts.push(['cpu', useCpuBackend]);
  for (const [name, init] of attempts) {
    try {
      await init();
      return { backend: tf.getBackend(), reasons };
    } catch (error) {
      reasons.push(`${name}: ${messageOf(error)}`);
    }
  }
  throw new EndcueError('backend-unavailable', `TensorFlow.js backend '${wanted}' is unavailable`, {
    hint:
      wanted === 'tensorflow'
        ? 'Install @tensorflow/tfjs-node (or -gpu) matching @tensorflow/tfjs, or use --backend auto.'
        : 'Use --backend auto.',
    cause: new Error(reasons.join('; ')),
  });
}

// Module names kept in variables so bundlers/tsc don't try to resolve the optional peers.
const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'];

async function useNativeBackend(reasons: string[]): Promise<void> {
  const failures: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    try {
      await import(pkg);
      if (await tf.setBackend('tensorflow')) {
        await tf.ready();
        return;
      }
      failures.push(`${pkg} loaded but the 'tensorflow' backend did not initialise`);
    } catch (error) {
      failures.push(`${pkg} not usable (${firstLine(messageOf(error))})`);
    }
  }
  // Reported by the caller as one 'tensorflow: ...' reason.
  void reasons;
  throw new Error(failures.join('; '));
}

let wasmPathsSet = false;

async function useWasmBackend(): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  if (!wasmPathsSet) {
    // The .wasm binaries sit next to the package's node entry; a file path works offline.
    const distDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
    wasm.setWasmPaths(`${distDir}${path.sep}`);
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend('wasm'))) throw new Error('wasm backend failed to initialise');
  await tf.ready();
}

async function useCpuBackend(): Promise<void> {
  if (!(await tf.setBackend('cpu'))) throw new Error('cpu backend failed to initialise');
  await tf.ready();
}

type LoadedModel = tf.LayersModel | tf.GraphModel;

async function loadModel(modelDir: string): Promise<LoadedModel> {
  const handler = fileSystemModelHandler(modelDir);
  // Parsing inside the try: a damaged model.json is a model error, not a crash.
  try {
    const json = JSON.parse(readFileSync(path.join(modelDir, 'model.json'), 'utf8')) as {
      format?: string;
    };
    return json.format === 'graph-model'
      ? await tf.loadGraphModel(handler)
      : await tf.loadLayersModel(handler);
  } catch (cause) {
    throw new EndcueError('model-invalid', `Could not load the model in ${modelDir}`, {
      hint: 'The model files may be truncated or from another tfjs version; restore them from git or retrain.',
      cause,
    });
  }
}

/** Loads the shipped model on the chosen backend. */
export async function loadClassifier(
  options: LoadClassifierOptions = {},
): Promise<CreditsFrameClassifier> {
  const modelDir = options.modelDir ?? DEFAULT_MODEL_DIR;
  const meta = readModelMetadata(modelDir);
  const { backend, reasons } = await selectBackend(options.backend ?? 'auto');
  const model = await loadModel(modelDir);
  const batchSize = Math.max(1, options.batchSize ?? 16);
  const creditsIndex = meta.classes.indexOf('credits');
  const size = meta.inputSize;
  const bytes = frameBytes(size);
  let disposed = false;

  async function probabilities(frames: Uint8Array[]): Promise<Float32Array[]> {
    if (disposed) throw new EndcueError('internal', 'classifier used after dispose()');
    const out: Float32Array[] = [];
    for (let start = 0; start < frames.length; start += batchSize) {
      const batch = frames.slice(start, start + batchSize);
      const input = new Float32Array(batch.length * bytes);
      batch.forEach((frame, i) => {
        input.set(toModelInput(frame, size), i * bytes);
      });
      const probs = tf.tidy(() => {
        const x = tf.tensor4d(input, [batch.length, size, size, 3]);
        const y = model.predict(x) as tf.Tensor;
        return y.shape[1] === 1 ? tf.concat([tf.sub(1, y), y], 1) : y;
      });
      const data = (await probs.data()) as Float32Array;
      const width = probs.shape[1] as number;
      probs.dispose();
      for (let i = 0; i < batch.length; i++) out.push(data.slice(i * width, (i + 1) * width));
    }
    return out;
  }

  return {
    inputSize: size,
    modelVersion: meta.version,
    backend,
    classes: meta.classes,
    fallbackReasons: reasons,
    async classify(frames) {
      const probs = await probabilities(frames);
      return Float32Array.from(probs, (p) => p[creditsIndex] ?? 0);
    },
    async scores(frames) {
      return { classes: meta.classes, probabilities: await probabilities(frames) };
    },
    dispose() {
      if (!disposed) model.dispose();
      disposed = true;
    },
  };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
