/**
 * npm run bench:classifier -- [--sizes 128,160,224] [--backend wasm]
 * ms/frame of the frozen backbone + pooling at batch 16 per input size, and of the shipped
 * model. Numbers depend on machine load: run it on an idle machine for the model card.
 */
import * as tf from '@tensorflow/tfjs';
import { Command } from 'commander';
import { type BackendName, loadClassifier, selectBackend } from '../../server/detector/classify.js';
import { buildBackbone } from '../train/network.js';

async function timeIt(fn: () => Promise<void>, runs: number): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] as number; // median
}

async function main(): Promise<void> {
  const o = new Command()
    .option('--sizes <list>', 'backbone input sizes to time', '128,160,224')
    .option('--backend <name>', 'auto | tensorflow | wasm | cpu', 'wasm')
    .option('--runs <n>', 'timed runs per case', '5')
    .parse(process.argv.slice(2), { from: 'user' })
    .opts();
  const runs = Number(o.runs);
  const batch = 16;
  const { backend } = await selectBackend(o.backend as BackendName);
  for (const size of String(o.sizes).split(',').map(Number)) {
    const bb = await buildBackbone(size, 'avgmax', ['out_relu', 'block_12_add']);
    const x = tf.randomUniform([batch, size, size, 3]);
    const ms = await timeIt(async () => {
      const y = bb.features.predict(x) as tf.Tensor;
      await y.data();
      y.dispose();
    }, runs);
    x.dispose();
    console.log(
      `backbone ${size}px on ${backend}: ${(ms / batch).toFixed(1)} ms/frame (batch ${batch}, median of ${runs})`,
    );
  }
  const clf = await loadClassifier({ backend: o.backend as BackendName });
  const frames = Array.from({ length: batch }, (_, i) =>
    Uint8Array.from({ length: clf.inputSize * clf.inputSize * 3 }, (_, k) => (k * (i + 3)) % 256),
  );
  const ms = await timeIt(async () => {
    await clf.classify(frames);
  }, runs);
  console.log(
    `shipped model ${clf.modelVersion} (${clf.inputSize}px) on ${clf.backend}: ${(ms / batch).toFixed(1)} ms/frame incl. preprocessing (batch ${batch})`,
  );
  clf.dispose();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
