/**
 * Architecture comparison by grouped cross-validation over the TRAINING clips only (test
 * clips are never loaded): each fold's real clips, and a hash-chosen quarter of stills and
 * synthetic frames, are predicted by a head trained on the rest. Reports what matters on
 * real video: share of non-credits frames called credits, share of credits frames found.
 *
 *   tsx model/train/compare.ts --data ../shared/data --size 128 --pool avgmax --taps out_relu
 *
 * ENDCUE_FREEZE=1 with --tune conv1 keeps the folded Conv_1 frozen: it must then reproduce
 * the untuned numbers exactly (checks the batch-norm folding).
 */
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from '../../server/detector/classify.js';
import { CLASSES, type FrameItem } from './dataset.js';
import { FOLDS, foldsOf, isClipItem } from './folds.js';
import { compiledHead } from './network.js';
import { createRng } from './rng.js';
import { balancedEpoch, headOptions, loadFeatures, loadItemSets, parseTrainArgs } from './train.js';

async function main(): Promise<void> {
  const o = parseTrainArgs(process.argv.slice(2));
  await selectBackend('wasm');
  const sets = await loadItemSets(o);
  const items = sets.flatMap((s) => s.items);
  const { feats, tuned } = await loadFeatures(o, sets);
  const width = feats[0]?.length ?? 0;
  const clips = [...new Set(items.filter(isClipItem).map((i) => i.group))].sort();
  const folds = foldsOf(items);
  const credits = CLASSES.indexOf('credits');
  const oof: number[][] = new Array(items.length);
  for (let fold = 0; fold < FOLDS; fold++) {
    const tr = items.map((_, i) => i).filter((i) => folds[i] !== fold);
    const te = items.map((_, i) => i).filter((i) => folds[i] === fold);
    const frozen = process.env.ENDCUE_FREEZE === '1';
    const { head } = compiledHead(
      headOptions(o, width, tuned && { ...tuned, trainable: !frozen }),
      o.lr,
    );
    const y = tr.map((i) => CLASSES.indexOf((items[i] as FrameItem).label));
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = balancedEpoch(createRng(o.seed * 1000 + epoch), y, CLASSES.length);
      for (let b = 0; b < order.length; b += o.batch) {
        const idx = order.slice(b, b + o.batch);
        const buf = new Float32Array(idx.length * width);
        idx.forEach((k, j) => {
          buf.set(feats[tr[k] as number] as Float32Array, j * width);
        });
        const xs = tf.tensor2d(buf, [idx.length, width]);
        const ys = tf.oneHot(
          tf.tensor1d(
            idx.map((k) => y[k] as number),
            'int32',
          ),
          CLASSES.length,
        );
        await head.trainOnBatch(xs, ys);
        xs.dispose();
        ys.dispose();
      }
    }
    const buf = new Float32Array(te.length * width);
    te.forEach((k, j) => {
      buf.set(feats[k] as Float32Array, j * width);
    });
    const probs = tf.tidy(
      () =>
        (head.predict(tf.tensor2d(buf, [te.length, width])) as tf.Tensor).arraySync() as number[][],
    );
    te.forEach((k, j) => {
      oof[k] = probs[j] as number[];
    });
    head.dispose();
  }
  // Real clip frames: truth from the clip labels (blank frames count with their clip truth).
  const count = (threshold: number, keep: (item: FrameItem) => boolean) => {
    const c = { neg: 0, fp: 0, pos: 0, tp: 0 };
    items.forEach((it, i) => {
      if (!keep(it)) return;
      const called = (oof[i]?.[credits] ?? 0) >= threshold;
      if (it.kind === 'clip-credits') {
        c.pos++;
        if (called) c.tp++;
      } else {
        c.neg++;
        if (called) c.fp++;
      }
    });
    return c;
  };
  const perClip = new Map<string, string>();
  for (const clip of clips) {
    const c = count(0.5, (it) => it.group === clip);
    perClip.set(clip, `fp ${c.fp}/${c.neg} found ${c.tp}/${c.pos}`);
  }
  const { neg, fp, pos, tp } = count(0.5, isClipItem);
  let stp = 0;
  let sfp = 0;
  let sfn = 0;
  items.forEach((it, i) => {
    if (it.group !== 'stills') return;
    const called = (oof[i]?.[credits] ?? 0) >= 0.5;
    if (called && it.label === 'credits') stp++;
    else if (called) sfp++;
    else if (it.label === 'credits') sfn++;
  });
  const f1 = (2 * stp) / Math.max(1, 2 * stp + sfp + sfn);
  const sweep = [0.5, 0.7, 0.8, 0.9, 0.95].map((th) => {
    const c = count(th, isClipItem);
    return `@${th}: FP ${((100 * c.fp) / Math.max(1, c.neg)).toFixed(1)}% R ${((100 * c.tp) / Math.max(1, c.pos)).toFixed(1)}%`;
  });
  const tag = `size ${o.size} pool ${o.pool} taps ${o.taps.join('+')} tune ${o.tune} hidden ${o.hidden} l2 ${o.l2} epochs ${o.epochs} clips ${o.clips}`;
  console.log(`\nCV ${tag}`);
  for (const [clip, line] of perClip) console.log(`  ${clip.padEnd(32)} ${line}`);
  console.log(
    `RESULT ${tag} | clip FP ${((100 * fp) / Math.max(1, neg)).toFixed(1)}% (${fp}/${neg}) | clip recall ${((100 * tp) / Math.max(1, pos)).toFixed(1)}% (${tp}/${pos}) | stills F1 ${f1.toFixed(3)} | ${sweep.join(' ')}`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
