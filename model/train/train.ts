/**
 * npm run train -- --data ../shared/data [--size 160] [--epochs 60] [--seed 1] [--resume] ...
 *
 * 1. builds frame sets (stills, synthetic credits + hard negatives, frames of training clips),
 *    each cached under --cache; 2. computes frozen-backbone features (cached); 3. fits the head
 *    with seeded, class-balanced batches, logging each epoch and checkpointing it (--resume
 *    continues from the last checkpoint); 4. exports backbone + head as one TF.js model.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { selectBackend } from '../../server/detector/classify.js';
import { toModelInput } from '../../server/detector/preprocess.js';
import {
  CLASSES,
  type ClipScope,
  cachedItems,
  clipItems,
  type FrameItem,
  listClips,
  stillItems,
  synthItems,
  trainingClips,
} from './dataset.js';
import { saveModelFloat16 } from './export.js';
import {
  buildBackbone,
  compiledHead,
  extractFeatures,
  fullModel,
  type HeadOptions,
  type PoolKind,
  type TunedConv,
  type TuneKind,
} from './network.js';
import { createRng, hashString, type Rng, shuffle } from './rng.js';

/** Training clips whose frames are kept for validation (early stopping, comparisons). */
export const VALIDATION_CLIPS = new Set([
  'chronotrigger2_credits.mp4',
  'ipreflector_end_credits.mp4',
  'gmtk22_ending.mp4',
  'ohbm2020_test.mkv',
]);

export interface TrainOptions {
  data: string;
  out: string;
  cache: string;
  size: number;
  pool: PoolKind;
  /** Backbone layers pooled into the features (comma list in the CLI). */
  taps: string[];
  /** What of the backbone is trained besides the head. */
  tune: TuneKind;
  hidden: number;
  dropout: number;
  l2: number;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  synth: number;
  /** Extra hard negatives: text cards, score tables, slides. */
  extra: number;
  /** Synthetic credit lists over sharp picture. */
  overPicture: number;
  clipFps: number;
  clips: boolean;
  /** Which real clips: the shipped model's ('folders') or the whole tuning part. */
  clipScope: ClipScope;
  /** Leave the clips' cards of words outside their credits out of training (word-cards.ts). */
  skipWordCards: boolean;
  resume: boolean;
  patience: number;
  /** false: train on every training frame for exactly --epochs (settings chosen by compare.ts). */
  validation: boolean;
  version?: string;
}

function bar(label: string, total: number): cliProgress.SingleBar {
  const b = new cliProgress.SingleBar(
    {
      format: `${label.padEnd(18)} [{bar}] {value}/{total} {percentage}% eta {eta_formatted} {info}`,
      hideCursor: false,
      clearOnComplete: false,
      noTTYOutput: true,
      notTTYSchedule: 10_000,
    },
    cliProgress.Presets.shades_classic,
  );
  b.start(total, 0, { info: '' });
  return b;
}

interface ItemSet {
  key: string;
  items: FrameItem[];
}

/** The frame sets, each cached on its own (so adding one set leaves the others' caches valid). */
export async function loadItemSets(o: TrainOptions): Promise<ItemSet[]> {
  const dir = path.join(o.cache, `s${o.size}`);
  const sets: ItemSet[] = [];
  const add = async (
    key: string,
    label: string,
    total: number,
    build: (tick: () => void) => Promise<FrameItem[]>,
  ) => {
    const b = bar(label, total);
    sets.push({
      key,
      items: await cachedItems(dir, key, o.size, () => build(() => b.increment())),
    });
    b.update(total);
    b.stop();
  };
  await add('stills-train', 'stills', 838, (tick) =>
    stillItems(o.data, o.size, 'train', o.seed, tick),
  );
  await add(`synth-${o.synth}-seed${o.seed}`, 'synthetic', o.synth, (tick) =>
    synthItems(o.data, dir, o.size, o.synth, o.seed, tick),
  );
  if (o.extra > 0) {
    await add(`synth-extra-${o.extra}-seed${o.seed}`, 'extra negatives', o.extra, (tick) =>
      synthItems(o.data, dir, o.size, o.extra, o.seed, tick, 'extra'),
    );
  }
  if (o.overPicture > 0) {
    const key = `synth-over-picture-${o.overPicture}-seed${o.seed}`;
    await add(key, 'credits over picture', o.overPicture, (tick) =>
      synthItems(o.data, dir, o.size, o.overPicture, o.seed, tick, 'over-picture'),
    );
  }
  if (o.clips) {
    const clips = trainingClips(listClips(o.data), o.clipScope);
    // The key names the clips, so a split change re-renders instead of reusing stale frames.
    const key = `clips-${o.clipScope === 'tuning' ? 'tuning-' : 'train-'}${o.skipWordCards ? 'nowordcards-' : ''}fps${o.clipFps}-${hashString(clips.map((c) => c.file).join('|')).toString(16)}`;
    await add(key, 'training clips', clips.length, (tick) =>
      clipItems(clips, o.size, o.clipFps, tick, o.skipWordCards),
    );
  }
  return sets;
}

export async function loadItems(o: TrainOptions): Promise<FrameItem[]> {
  return (await loadItemSets(o)).flatMap((s) => s.items);
}

/** Frozen-backbone features of every item, cached per item set. */
export async function loadFeatures(
  o: TrainOptions,
  sets: ItemSet[],
): Promise<{ feats: Float32Array[]; tuned?: TunedConv }> {
  const backbone = await buildBackbone(o.size, o.pool, o.taps, o.tune);
  const width = backbone.pooled.shape[1] as number;
  const out: Float32Array[] = [];
  const kind = o.tune === 'conv1' ? 'map-block16' : `${o.pool}-${o.taps.join('+')}`;
  for (const set of sets) {
    const file = path.join(o.cache, `s${o.size}`, `${set.key}.features-${kind}.f32`);
    if (existsSync(file)) {
      const buf = readFileSync(file);
      const all = new Float32Array(buf.buffer, buf.byteOffset, buf.byteLength / 4);
      if (all.length === set.items.length * width) {
        for (let i = 0; i < set.items.length; i++) out.push(all.slice(i * width, (i + 1) * width));
        continue;
      }
    }
    const b = bar(`features ${set.key.split('-')[0]}`, set.items.length);
    const feats = await extractFeatures(
      backbone,
      set.items.map((i) => i.rgb),
      (rgb) => toModelInput(rgb, o.size),
      (n) => b.increment(n),
    );
    b.stop();
    const joined = new Float32Array(set.items.length * width);
    feats.forEach((f, i) => {
      joined.set(f, i * width);
    });
    writeFileSync(file, Buffer.from(joined.buffer));
    out.push(...feats);
  }
  return { feats: out, ...(backbone.tuned ? { tuned: backbone.tuned } : {}) };
}

/** The head these options train on features of `width` (training and CV alike). */
export function headOptions(o: TrainOptions, width: number, tuned?: TunedConv): HeadOptions {
  return {
    features: width,
    classes: CLASSES.length,
    hidden: o.hidden,
    dropout: o.dropout,
    l2: o.l2,
    seed: o.seed,
    pool: o.pool,
    ...(tuned ? { tuned } : {}),
  };
}

/** Class-balanced epoch: every class drawn equally often (with replacement), seeded. */
export function balancedEpoch(rng: Rng, labels: number[], classes: number): number[] {
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  labels.forEach((l, i) => {
    byClass[l]?.push(i);
  });
  const present = byClass.filter((c) => c.length > 0);
  const per = Math.ceil(labels.length / present.length);
  const out: number[] = [];
  for (const c of present)
    for (let k = 0; k < per; k++) out.push(c[Math.floor(rng() * c.length)] as number);
  return shuffle(rng, out);
}

interface Split {
  x: Float32Array[];
  y: number[];
  items: FrameItem[];
}

function isValidation(item: FrameItem): boolean {
  if (VALIDATION_CLIPS.has(item.group)) return true;
  if (item.group === 'synth' || item.group === 'stills') return hashString(item.id) % 7 === 0;
  return false;
}

function metrics(probs: number[][], y: number[]) {
  const credits = CLASSES.indexOf('credits');
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let correct = 0;
  probs.forEach((p, i) => {
    const pred = p.indexOf(Math.max(...p));
    if (pred === y[i]) correct++;
    const isC = (p[credits] ?? 0) >= 0.5;
    if (isC && y[i] === credits) tp++;
    else if (isC) fp++;
    else if (y[i] === credits) fn++;
  });
  const precision = tp / Math.max(1, tp + fp);
  const recall = tp / Math.max(1, tp + fn);
  return {
    accuracy: correct / Math.max(1, y.length),
    precision,
    recall,
    f1: (2 * precision * recall) / Math.max(1e-9, precision + recall),
  };
}

export async function train(o: TrainOptions): Promise<void> {
  const started = Date.now();
  const { backend } = await selectBackend('wasm');
  console.log(`backend ${backend}; size ${o.size}; pool ${o.pool}; seed ${o.seed}`);
  const sets = await loadItemSets(o);
  const items = sets.flatMap((s) => s.items);
  const { feats, tuned } = await loadFeatures(o, sets);
  const train: Split = { x: [], y: [], items: [] };
  const val: Split = { x: [], y: [], items: [] };
  items.forEach((it, i) => {
    const s = o.validation && isValidation(it) ? val : train;
    s.x.push(feats[i] as Float32Array);
    s.y.push(CLASSES.indexOf(it.label));
    s.items.push(it);
  });
  const count = (s: Split) =>
    CLASSES.map((c, k) => `${c} ${s.y.filter((y) => y === k).length}`).join(', ');
  console.log(
    `train ${train.y.length} (${count(train)}); validation ${val.y.length} (${count(val)})`,
  );

  const width = feats[0]?.length ?? 0;
  const { layers, head } = compiledHead(headOptions(o, width, tuned), o.lr);

  const runDir = path.join(
    o.cache,
    'runs',
    `s${o.size}-${o.pool}-${o.taps.join('+')}${o.tune === 'none' ? '' : `-tune${o.tune}`}-h${o.hidden}-seed${o.seed}`,
  );
  mkdirSync(runDir, { recursive: true });
  const ckpt = path.join(runDir, 'checkpoint.json');
  const logFile = path.join(runDir, 'train-log.jsonl');
  let startEpoch = 0;
  let best = { loss: Number.POSITIVE_INFINITY, epoch: -1, weights: [] as number[][] };
  if (o.resume && existsSync(ckpt)) {
    const saved = JSON.parse(readFileSync(ckpt, 'utf8')) as {
      epoch: number;
      weights: number[][];
      best: typeof best;
    };
    head.setWeights(saved.weights.map((w, i) => tf.tensor(w, head.getWeights()[i]?.shape)));
    startEpoch = saved.epoch + 1;
    best = saved.best;
    console.log(`resumed after epoch ${saved.epoch + 1}`);
  } else if (existsSync(logFile)) {
    writeFileSync(logFile, '');
  }

  const toX = (s: Split, idx: number[]) => {
    const buf = new Float32Array(idx.length * width);
    idx.forEach((i, k) => {
      buf.set(s.x[i] as Float32Array, k * width);
    });
    return tf.tensor2d(buf, [idx.length, width]);
  };
  const toY = (s: Split, idx: number[]) =>
    tf.oneHot(
      tf.tensor1d(
        idx.map((i) => s.y[i] as number),
        'int32',
      ),
      CLASSES.length,
    );
  const predictAll = (s: Split): number[][] =>
    tf.tidy(
      () =>
        (
          head.predict(
            toX(
              s,
              s.x.map((_, i) => i),
            ),
          ) as tf.Tensor
        ).arraySync() as number[][],
    );
  const valLoss = (probs: number[][]) =>
    -probs.reduce((acc, p, i) => acc + Math.log(Math.max(1e-7, p[val.y[i] as number] ?? 0)), 0) /
    Math.max(1, probs.length);

  const epochBar = bar('epochs', o.epochs);
  epochBar.update(startEpoch);
  for (let epoch = startEpoch; epoch < o.epochs; epoch++) {
    // A fresh RNG per epoch keeps a resumed run identical to an uninterrupted one.
    const rng = createRng(o.seed * 1000 + epoch);
    const order = balancedEpoch(rng, train.y, CLASSES.length);
    let lossSum = 0;
    let batches = 0;
    for (let i = 0; i < order.length; i += o.batch) {
      const idx = order.slice(i, i + o.batch);
      const x = toX(train, idx);
      const y = toY(train, idx);
      const loss = (await head.trainOnBatch(x, y)) as number;
      x.dispose();
      y.dispose();
      lossSum += loss;
      batches++;
    }
    const validating = val.y.length > 0;
    const vp = validating ? predictAll(val) : [];
    const vl = validating ? valLoss(vp) : Number.NaN;
    const vm = metrics(vp, val.y);
    const line = { epoch: epoch + 1, loss: lossSum / batches, valLoss: vl, ...vm };
    appendFileSync(logFile, `${JSON.stringify(line)}\n`);
    epochBar.update(epoch + 1, {
      info: `loss ${line.loss.toFixed(4)} val ${vl.toFixed(4)} F1 ${vm.f1.toFixed(3)}`,
    });
    process.stderr.write(
      validating
        ? `\nepoch ${epoch + 1}/${o.epochs} loss ${line.loss.toFixed(4)} val_loss ${vl.toFixed(4)} val_acc ${vm.accuracy.toFixed(3)} val_P ${vm.precision.toFixed(3)} val_R ${vm.recall.toFixed(3)} val_F1 ${vm.f1.toFixed(3)}\n`
        : `\nepoch ${epoch + 1}/${o.epochs} loss ${line.loss.toFixed(4)} (no validation split)\n`,
    );
    // Without validation the last epoch is the one kept.
    if (!validating || vl < best.loss)
      best = { loss: vl, epoch, weights: head.getWeights().map((w) => Array.from(w.dataSync())) };
    writeFileSync(
      ckpt,
      JSON.stringify({
        epoch,
        weights: head.getWeights().map((w) => Array.from(w.dataSync())),
        best,
      }),
    );
    if (validating && epoch - best.epoch >= o.patience) {
      console.log(`early stop: no val_loss gain for ${o.patience} epochs`);
      break;
    }
  }
  epochBar.stop();
  head.setWeights(best.weights.map((w, i) => tf.tensor(w, head.getWeights()[i]?.shape)));
  const vm = metrics(val.y.length > 0 ? predictAll(val) : [], val.y);
  if (val.y.length > 0)
    console.log(
      `best epoch ${best.epoch + 1}: val_loss ${best.loss.toFixed(4)} val_F1 ${vm.f1.toFixed(3)}`,
    );

  // Per-validation-clip false positives, to compare settings on real video (not test clips).
  const credits = CLASSES.indexOf('credits');
  const vp = val.y.length > 0 ? predictAll(val) : [];
  const perClip = new Map<string, { n: number; fp: number; pos: number; tp: number }>();
  val.items.forEach((it, i) => {
    if (it.group === 'synth' || it.group === 'stills') return;
    const r = perClip.get(it.group) ?? { n: 0, fp: 0, pos: 0, tp: 0 };
    const called = (vp[i]?.[credits] ?? 0) >= 0.5;
    if (it.kind === 'clip-credits') {
      r.pos++;
      if (called) r.tp++;
    } else {
      r.n++;
      if (called) r.fp++;
    }
    perClip.set(it.group, r);
  });
  for (const [clip, r] of perClip) {
    console.log(
      `  val clip ${clip}: non-credits called credits ${r.fp}/${r.n}; credits found ${r.tp}/${r.pos}`,
    );
  }

  const backbone = await buildBackbone(o.size, o.pool, o.taps, o.tune);
  const model = fullModel(backbone, layers);
  const date = new Date().toISOString().slice(0, 10).replaceAll('-', '');
  const version =
    o.version ??
    `mnv2-${o.size}-${o.pool}${o.taps
      .filter((t) => t !== 'out_relu')
      .map((t) => `-${t.replace(/_/g, '')}`)
      .join('')}-h${o.hidden}-s${o.seed}-${date}`;
  const meta = {
    version,
    inputSize: o.size,
    classes: CLASSES,
    architecture: `MobileNetV2 (alpha 1.0, nsfwjs weights, frozen) -> global ${o.pool} pooling of ${o.taps.join(' + ')} -> ${o.hidden > 0 ? `dense ${o.hidden} relu -> ` : ''}dense ${CLASSES.length} softmax`,
    preprocessing:
      'ffmpegScaleFilter(inputSize) = scale WxH:flags=area (squash, no letterbox), rgb24; toModelInput = value/255',
    training: {
      ...o,
      data: undefined,
      out: undefined,
      cache: undefined,
      bestEpoch: best.epoch + 1,
      trainFrames: train.y.length,
      validationFrames: val.y.length,
      seconds: Math.round((Date.now() - started) / 1000),
    },
    validation: vm,
  };
  const { bytes } = await saveModelFloat16(model, o.out, meta);
  console.log(
    `saved ${o.out} (${(bytes / 1e6).toFixed(2)} MB weights, version ${version}) in ${Math.round((Date.now() - started) / 1000)} s`,
  );
}

export function parseTrainArgs(argv: string[]): TrainOptions {
  const p = new Command()
    .name('train')
    .description('Train the EndCue credits frame classifier')
    .option('--data <dir>', 'shared data folder (stills/, clips*/)', '../shared/data')
    .option('--out <dir>', 'where to write the model', 'model/credits-classifier')
    .option('--cache <dir>', 'cache for frames, features, checkpoints', '.cache/endcue-train')
    .option('--size <px>', 'input size', '160')
    .option('--pool <kind>', 'avg | avgmax', 'avgmax')
    .option('--taps <layers>', 'backbone layers to pool, comma separated', 'out_relu')
    .option('--tune <what>', 'none | conv1 (also train the last 1x1 convolution)', 'none')
    .option('--hidden <n>', 'hidden units in the head (0 = linear head)', '128')
    .option(
      '--dropout <rate>',
      'dropout after the hidden layer (not seeded: breaks determinism)',
      '0',
    )
    .option('--l2 <w>', 'L2 weight decay on head kernels', '0.0005')
    .option('--epochs <n>', 'max epochs', '60')
    .option('--batch <n>', 'batch size', '64')
    .option('--lr <rate>', 'Adam learning rate', '0.001')
    .option('--seed <n>', 'random seed', '1')
    .option('--synth <n>', 'synthetic frames to render', '2400')
    .option('--extra <n>', 'extra hard negatives (text cards, score tables, slides)', '0')
    .option('--over-picture <n>', 'synthetic credit lists over sharp picture', '0')
    .option('--clip-fps <fps>', 'frames per second taken from training clips', '4')
    .option('--no-clips', 'train without frames of real clips (ablation)')
    .option(
      '--clip-scope <scope>',
      'folders (tuning folders less TEST_CLIPS, as shipped) | tuning (every tuning clip); held-out clips never',
      'folders',
    )
    .option(
      '--skip-word-cards',
      "leave the clips' cards of words outside their credits (titles, 'presents', story cards) out of training",
      false,
    )
    .option('--patience <n>', 'early-stop patience in epochs', '12')
    .option('--no-validation', 'no validation split: train on all training frames for --epochs')
    .option('--resume', 'continue from the last checkpoint of the same settings', false)
    .option('--version <id>', 'model version id (default derived from settings and date)')
    .parse(argv, { from: 'user' });
  const v = p.opts();
  return {
    data: String(v.data),
    out: String(v.out),
    cache: String(v.cache),
    size: Number(v.size),
    pool: v.pool === 'avg' ? 'avg' : 'avgmax',
    taps: String(v.taps).split(',').filter(Boolean),
    tune: v.tune === 'conv1' ? 'conv1' : 'none',
    hidden: Number(v.hidden),
    dropout: Number(v.dropout),
    l2: Number(v.l2),
    epochs: Number(v.epochs),
    batch: Number(v.batch),
    lr: Number(v.lr),
    seed: Number(v.seed),
    synth: Number(v.synth),
    extra: Number(v.extra),
    overPicture: Number(v.overPicture),
    clipFps: Number(v.clipFps),
    clips: v.clips !== false,
    clipScope: v.clipScope === 'tuning' ? 'tuning' : 'folders',
    skipWordCards: Boolean(v.skipWordCards),
    resume: Boolean(v.resume),
    patience: Number(v.patience),
    validation: v.validation !== false,
    version: v.version === undefined ? undefined : String(v.version),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  train(parseTrainArgs(process.argv.slice(2))).catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
