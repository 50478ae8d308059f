/**
 * Packs the training frames for the GPU fine-tune (`model/train/finetune.py`): the same frame
 * sets `npm run train` uses (held-out stills and clips never included), as one xz-compressed
 * rgb24 file plus an index with labels and cross-validation folds. The folds are the ones
 * `compare.ts` uses, so CV numbers from both are comparable.
 *
 *   tsx model/train/finetune-pack.ts --data ../shared/data --size 128 --extra 300 --pack .gpupack
 *
 * xz because the pack must travel (64 MiB): 4,712 frames of 128 px shrink from 231 MB to ~46 MB.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CLASSES } from './dataset.js';
import { foldsOf, isClipItem } from './folds.js';
import { loadItemSets, parseTrainArgs } from './train.js';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  // --pack is ours; everything else is `npm run train`'s (so the frame sets match).
  const at = argv.indexOf('--pack');
  const out = at >= 0 ? (argv[at + 1] ?? '.gpupack') : '.gpupack';
  const rest = at >= 0 ? [...argv.slice(0, at), ...argv.slice(at + 2)] : argv;
  const o = parseTrainArgs(rest);
  const items = (await loadItemSets(o)).flatMap((s) => s.items);
  const folds = foldsOf(items);
  mkdirSync(out, { recursive: true });
  writeFileSync(
    path.join(out, 'items.json'),
    JSON.stringify({
      size: o.size,
      classes: CLASSES,
      items: items.map((it, i) => ({
        id: it.id,
        group: it.group,
        kind: it.kind,
        label: CLASSES.indexOf(it.label),
        clip: isClipItem(it),
        fold: folds[i],
      })),
    }),
  );
  const xz = spawnSync('xz', ['-T2', '-6', '-c'], {
    input: Buffer.concat(items.map((it) => it.rgb)),
    maxBuffer: 1 << 30,
  });
  if (xz.status !== 0) throw new Error(`xz failed: ${xz.stderr.toString()}`);
  writeFileSync(path.join(out, 'frames.rgb.xz'), xz.stdout);
  console.log(
    `${items.length} frames (${o.size} px) -> ${out}/frames.rgb.xz (${xz.stdout.length} bytes)`,
  );
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
