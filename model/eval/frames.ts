/**
 * npm run eval:frames -- [--data ../shared/data] [--model model/credits-classifier] [--all]
 *
 * Frame-level numbers of the shipped model on data it never trained on:
 * - real clips it did not train on, 2 frames/s, frames within 0.5 s of a credits boundary
 *   skipped: per clip, how many non-credits frames are called credits (target <= 5%) and how
 *   many credits frames are found (target >= 85%). Totals for the eval split's held-out part
 *   (bench/eval-split.json: never trained on, never tuned on) and for TEST_CLIPS (tuning
 *   clips a model trained with `--clip-scope folders` left out);
 * - held-out stills: precision, recall, F1 (target >= 0.97) and a confusion matrix;
 * - inference speed at batch 16 on the chosen backend.
 * A frame is "called credits" when p(credits) >= --threshold (default 0.5).
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Command } from 'commander';
import { partOf } from '../../bench/eval-split.js';
import { type BackendName, loadClassifier } from '../../server/detector/classify.js';
import {
  CLASSES,
  type ClipScope,
  clipFrames,
  clipLabelAt,
  isBlankFrame,
  listClips,
  stillItems,
  trainingClips,
} from '../train/dataset.js';

/** The clip scope a model was trained with (metadata.json); older models: 'folders'. */
function trainedScope(modelDir: string): ClipScope {
  const file = path.join(modelDir, 'metadata.json');
  if (!existsSync(file)) return 'folders';
  const meta = JSON.parse(readFileSync(file, 'utf8')) as { training?: { clipScope?: string } };
  return meta.training?.clipScope === 'tuning' ? 'tuning' : 'folders';
}

type ClipSide = 'held-out' | 'test' | 'TRAIN';

interface ClipRow {
  clip: string;
  negatives: number;
  falsePositives: number;
  positives: number;
  found: number;
  /** Frames of each truth that the model put in 'blank' (neutral). */
  blankCalls: number;
  nearBlackCreditsFrames: number;
}

const pct = (a: number, b: number) =>
  b === 0 ? '   -  ' : `${((100 * a) / b).toFixed(1).padStart(5)}%`;

async function main(): Promise<void> {
  const o = new Command()
    .option('--data <dir>', 'shared data folder', '../shared/data')
    .option('--model <dir>', 'model folder', 'model/credits-classifier')
    .option('--backend <name>', 'auto | tensorflow | wasm | cpu', 'wasm')
    .option('--threshold <p>', 'p(credits) threshold', '0.5')
    .option('--all', 'also report clips used in training (marked, not held out)', false)
    .option('--json <file>', 'write the numbers as JSON too')
    .parse(process.argv.slice(2), { from: 'user' })
    .opts();
  const threshold = Number(o.threshold);
  const clf = await loadClassifier({
    backend: o.backend as BackendName,
    modelDir: String(o.model),
  });
  console.log(
    `model ${clf.modelVersion} on ${clf.backend}${clf.fallbackReasons.length ? ` (skipped: ${clf.fallbackReasons.join('; ')})` : ''}`,
  );
  const blankIdx = clf.classes.indexOf('blank');

  // Real clips.
  const rows: (ClipRow & { side: ClipSide })[] = [];
  const clips = listClips(String(o.data));
  const trained = new Set(trainingClips(clips, trainedScope(String(o.model))).map((c) => c.path));
  for (const clip of clips) {
    const side: ClipSide = trained.has(clip.path)
      ? 'TRAIN'
      : partOf(clip.folder, clip.file) === 'held-out'
        ? 'held-out'
        : 'test';
    if (side === 'TRAIN' && !o.all) continue;
    const frames = (await clipFrames(clip.path, clf.inputSize, 2)).filter(
      (f) => clipLabelAt(clip, f.time) !== null,
    );
    const scores = await clf.scores(frames.map((f) => f.rgb));
    const row = {
      clip: clip.file,
      side,
      negatives: 0,
      falsePositives: 0,
      positives: 0,
      found: 0,
      blankCalls: 0,
      nearBlackCreditsFrames: 0,
    };
    frames.forEach((f, i) => {
      const p = scores.probabilities[i] as Float32Array;
      const pCredits = p[clf.classes.indexOf('credits')] ?? 0;
      const called = pCredits >= threshold;
      if (blankIdx >= 0 && p.indexOf(Math.max(...p)) === blankIdx) row.blankCalls++;
      if (clipLabelAt(clip, f.time) === 'credits') {
        row.positives++;
        if (called) row.found++;
        if (isBlankFrame(f.rgb)) row.nearBlackCreditsFrames++;
      } else {
        row.negatives++;
        if (called) row.falsePositives++;
      }
    });
    rows.push(row);
  }
  console.log('\nReal clips, 2 frames/s, +-0.5 s around boundaries skipped');
  console.log(
    'clip                                   side      non-credits  called credits   credits  found     blank-called',
  );
  for (const r of rows) {
    console.log(
      `${r.clip.padEnd(38)} ${r.side.padEnd(8)}  ${String(r.negatives).padStart(5)}    ${String(r.falsePositives).padStart(4)} ${pct(r.falsePositives, r.negatives)}    ${String(r.positives).padStart(5)}  ${String(r.found).padStart(4)} ${pct(r.found, r.positives)}   ${r.blankCalls}`,
    );
  }
  const totals: Record<string, { falsePositiveRate: number; recall: number }> = {};
  for (const [side, title] of [
    ['held-out', 'HELD-OUT PART (eval split)'],
    ['test', 'TEST CLIPS (tuning part, not trained on)'],
  ] as const) {
    const part = rows.filter((r) => r.side === side);
    if (part.length === 0) continue;
    const sum = (k: keyof ClipRow) => part.reduce((a, r) => a + (r[k] as number), 0);
    const fpr = sum('falsePositives') / Math.max(1, sum('negatives'));
    const recall = sum('found') / Math.max(1, sum('positives'));
    totals[side] = { falsePositiveRate: fpr, recall };
    console.log(
      `${title}, ${part.length} clips: non-credits called credits ${sum('falsePositives')}/${sum('negatives')} = ${(100 * fpr).toFixed(1)}% (target <= 5%); credits found ${sum('found')}/${sum('positives')} = ${(100 * recall).toFixed(1)}% (target >= 85%); near-black frames inside credits: ${sum('nearBlackCreditsFrames')}`,
    );
  }

  // Held-out stills.
  const stills = await stillItems(String(o.data), clf.inputSize, 'test', 1);
  const stillScores = await clf.scores(stills.map((s) => s.rgb));
  const confusion: Record<string, Record<string, number>> = { credits: {}, other: {} };
  let tp = 0;
  let fp = 0;
  let fn = 0;
  // By file: a tall scroll gives several windows, one line is enough.
  const wrong = new Map<string, string>();
  stills.forEach((s, i) => {
    const p = stillScores.probabilities[i] as Float32Array;
    const predClass = clf.classes[p.indexOf(Math.max(...p))] ?? '?';
    const truth = s.label === 'credits' ? 'credits' : 'other';
    const row = confusion[truth] as Record<string, number>;
    row[predClass] = (row[predClass] ?? 0) + 1;
    const pCredits = p[clf.classes.indexOf('credits')] ?? 0;
    const called = pCredits >= threshold;
    if (called && truth === 'credits') tp++;
    else if (called) fp++;
    else if (truth === 'credits') fn++;
    if (called !== (truth === 'credits')) {
      // still-credits-00000107.jpg-0 -> credits/00000107.jpg (its path under stills/)
      const file = s.id.replace(/^still-(\w+)-(.*)-\d+$/, '$1/$2');
      if (!wrong.has(file))
        wrong.set(file, `${file} (p(credits) ${pCredits.toFixed(2)}, ${predClass})`);
    }
  });
  const precision = tp / Math.max(1, tp + fp);
  const stillRecall = tp / Math.max(1, tp + fn);
  const f1 = (2 * precision * stillRecall) / Math.max(1e-9, precision + stillRecall);
  console.log(
    `\nHeld-out stills (${stills.length}): precision ${precision.toFixed(3)} recall ${stillRecall.toFixed(3)} F1 ${f1.toFixed(3)} (target >= 0.97)`,
  );
  console.log(`confusion (rows truth, columns predicted class): ${clf.classes.join(' / ')}`);
  for (const truth of ['credits', 'other']) {
    console.log(
      `  ${truth.padEnd(8)} ${clf.classes.map((c) => String(confusion[truth]?.[c] ?? 0).padStart(5)).join(' ')}`,
    );
  }

  // Named so a reader can look at them: some credits stills are title cards or posters.
  if (wrong.size > 0) console.log(`wrongly called (by file): ${[...wrong.values()].join('; ')}`);

  // Speed at batch 16.
  const batch = stills.slice(0, 16).map((s) => s.rgb);
  await clf.classify(batch);
  const runs = 5;
  const t0 = performance.now();
  for (let r = 0; r < runs; r++) await clf.classify(batch);
  const msPerFrame = (performance.now() - t0) / (runs * batch.length);
  console.log(
    `\nspeed: ${msPerFrame.toFixed(1)} ms/frame at batch ${batch.length} on ${clf.backend} (target <= 30 ms)`,
  );

  if (o.json) {
    writeFileSync(
      String(o.json),
      `${JSON.stringify({ model: clf.modelVersion, backend: clf.backend, threshold, classes: CLASSES, clips: rows, totals, stills: { n: stills.length, precision, recall: stillRecall, f1, confusion }, msPerFrame }, null, 2)}\n`,
    );
  }
  clf.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
