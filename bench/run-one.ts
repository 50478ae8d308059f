/**
 * One measured detection, in its own process so its peak memory is its own. Prints one JSON
 * line. Used by bench.ts; run by hand as:
 *   npx tsx bench/run-one.ts endcue|baseline <file> [--backend wasm] [--workers N]
 *
 * baseline = the original research script's policy: decode every frame of the last 20% and
 * classify 10 frames per second of video (same model, same backend, frames scaled by ffmpeg
 * as EndCue does). Its answer is given two ways: the script's rule (the first frame scored
 * >= 0.5) and EndCue's decision step on its scores.
 */
import { parseArgs } from 'node:util';
import { type BackendName, loadClassifier } from '../server/detector/classify.js';
import { decideCredits, type ScoredSample } from '../server/detector/decide.js';
import { type DetectionTimings, runDetection } from '../server/detector/detect.js';
import { frameCues } from '../server/detector/features.js';
import { ffmpegScaleFilter } from '../server/detector/preprocess.js';
import { sampleFramesOffThread } from '../server/media/frames.js';
import { probeMedia } from '../server/media/probe.js';

export interface RunOneResult {
  mode: 'endcue' | 'baseline';
  wallMs: number;
  framesDecoded: number;
  framesClassified: number;
  creditsStart: number | null;
  /** baseline only: the research script's own rule. */
  naiveStart?: number | null;
  modelVersion: string;
  backend: string;
  nodeMaxRssMb: number;
  /** endcue only: coarse/fine split and where the time went (ms). */
  coarseFrames?: number;
  fineFrames?: number;
  classifierWorkers?: number;
  timings?: DetectionTimings;
  /** Process start to the first line of this script (node + tsx + imports), ms. */
  startupMs?: number;
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    backend: { type: 'string', default: 'auto' },
    // Experiments: classifier worker threads beside the main thread (default: the detector's).
    workers: { type: 'string' },
  },
});
const [mode, file] = positionals;
if ((mode !== 'endcue' && mode !== 'baseline') || !file) {
  process.stderr.write('usage: run-one.ts endcue|baseline <file> [--backend name]\n');
  process.exit(2);
}
const backend = values.backend as BackendName;
const started = performance.now();
// performance.now() counts from process start: what node, tsx and the imports took.
const startupMs = Math.round(started);

let result: RunOneResult;
if (mode === 'endcue') {
  const run = await runDetection(file, {
    backend,
    ...(values.workers !== undefined ? { classifierWorkers: Number(values.workers) } : {}),
  });
  result = {
    mode,
    wallMs: Math.round(performance.now() - started),
    framesDecoded: run.stats.framesDecoded,
    framesClassified: run.stats.framesClassified,
    creditsStart: run.result.creditsStart,
    modelVersion: run.result.modelVersion,
    backend: run.result.backend,
    nodeMaxRssMb: 0,
    coarseFrames: run.stats.coarseFrames,
    classifierWorkers: run.stats.classifierWorkers,
    fineFrames: run.stats.fineFrames,
    timings: run.stats.timings,
    startupMs,
  };
} else {
  const media = await probeMedia(file);
  const classifier = await loadClassifier({ backend });
  const size = classifier.inputSize;
  const from = media.duration * 0.8;
  const samples: ScoredSample[] = [];
  let batch: Array<{ t: number; data: Uint8Array }> = [];
  let classified = 0;
  const flush = async () => {
    if (batch.length === 0) return;
    const p = await classifier.classify(batch.map((f) => f.data));
    batch.forEach((f, i) => {
      samples.push({ t: f.t, p: p[i] ?? 0, blank: frameCues(f.data, size, size).blank });
    });
    classified += batch.length;
    batch = [];
  };
  // ffmpeg decodes every frame of the tail; the fps filter hands over 10 per second.
  for await (const frame of sampleFramesOffThread(file, {
    width: size,
    height: size,
    filter: ffmpegScaleFilter(size),
    mode: 'rate',
    rate: 10,
    start: from,
  })) {
    batch.push(frame);
    if (batch.length >= 16) await flush();
  }
  await flush();
  const naive = samples.find((s) => s.p >= 0.5);
  const decided = decideCredits(samples, { duration: media.duration, from });
  result = {
    mode,
    wallMs: Math.round(performance.now() - started),
    framesDecoded: Math.round((media.duration - from) * (media.fps ?? 24)),
    framesClassified: classified,
    creditsStart: decided.creditsStart,
    naiveStart: naive ? naive.t : null,
    modelVersion: classifier.modelVersion,
    backend: classifier.backend,
    nodeMaxRssMb: 0,
    startupMs,
  };
  classifier.dispose();
}
result.nodeMaxRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
process.stdout.write(`${JSON.stringify(result)}\n`);
