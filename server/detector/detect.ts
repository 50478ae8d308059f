/**
 * The detector: probe -> coarse pass over the title's final part -> fine pass around the
 * boundary -> decision. Decoding runs in ffmpeg (another process) while the classifier
 * scores the previous batch, so the two overlap.
 *
 * Coarse pass: keyframes only (cheap to decode: no reference chain), every one decoded (for
 * motion) and one per `coarseSpacing` seconds classified. Titles too short for that, or with
 * too few keyframes, are sampled at a fixed rate instead.
 * Fine pass: first the keyframes the coarse pass decoded but did not classify, inside the
 * interval the decision says the start lies in (no decoding at all); then accurate seeks at
 * <= `resolution` spacing, repeated until that interval is no longer than `resolution`.
 * When the credits seem to start before the analysed part, the part is extended backwards.
 * Text check: OCR of a few frames of the chosen credits run (or of the run that nearly was
 * one) confirms or overrules it, then the fine pass runs again if the start moved.
 *
 * Here: the passes' order, the model and OCR resources, and the result. The sampling state
 * and each pass's frames live in sampler.ts; the decision in decide.ts (pure).
 */
import os from 'node:os';
import { EndcueError } from '../errors.js';
import { type Chapter, type MediaInfo, probeMedia } from '../media/probe.js';
import { applyCreditsChapter, creditsChapter, framesConfirmChapter } from './chapters.js';
import {
  type BackendName,
  type CreditsFrameClassifier,
  type FrameClassifier,
  loadClassifier,
} from './classify.js';
import { reportedConfidence } from './confidence.js';
import { cpuSnapshot, freeCores } from './cpu.js';
import type { Decision, ScoredSample } from './decide.js';
import type { DetectorOptions } from './detector-options.js';
import { type ClassifierPool, createClassifierPool } from './pool.js';
import {
  coarseGap,
  hasClassScores,
  round3,
  Sampler,
  SHORT_TAIL_S,
  throwIfAborted,
} from './sampler.js';
import { DEFAULT_TAIL, tailStart } from './tail.js';
import { readingCues, type TextRead } from './text-plan.js';
import { createTextReader, type TextReader } from './text-reader.js';
import type { DetectionResult, DetectOptions, Detector, DetectPhase } from './types.js';

export type { DetectorOptions } from './detector-options.js';

export interface DetectionStats {
  /** Frames ffmpeg handed us (decoded and scaled). */
  framesDecoded: number;
  framesClassified: number;
  coarseFrames: number;
  fineFrames: number;
  /** Coarse sampling actually used. */
  coarseMode: 'keyframes' | 'rate';
  analysedFrom: number;
  media: MediaInfo;
  /** Worker threads that classified beside the main thread (0: the main thread alone). */
  classifierWorkers: number;
  /** Frames read by OCR, and what each read as. */
  textReads: TextRead[];
  /** The credits chapter whose mark the start was moved to (null: none, or the frames disagreed). */
  creditsChapter: Chapter | null;
  /** Why text was not read although a credits run was found (OCR failed to start). */
  textUnavailable?: string;
  /** Where the time went, milliseconds (profiling; the bench prints it). */
  timings: DetectionTimings;
}

export interface DetectionTimings {
  /** ffprobe (runs beside the model load). */
  probe: number;
  /** Loading the model when the detector owns it (0 when a classifier was given). */
  load: number;
  /** From the start until the worker pool took over classification (null: no pool). */
  poolReady: number | null;
  /** From the start until the coarse pass's first frame came out of ffmpeg. */
  firstFrame: number | null;
  /** The coarse pass, its backward extensions included. */
  coarse: number;
  /** Fine passes (start and end of the credits), the text check included. */
  fine: number;
  /** Inside fine: reading text (frame grabs + OCR, the reader's start included). */
  text: number;
  /** Inside coarse + fine: the sampling loop blocked on the classifier (main-thread model runs included). */
  classify: number;
  /** Inside coarse + fine: waiting for ffmpeg's next frame. */
  decodeWait: number;
  total: number;
}

export interface DetectionRun {
  result: DetectionResult;
  stats: DetectionStats;
  decision: Decision;
  samples: ScoredSample[];
}

const MAX_FINE_ROUNDS = 5;

/**
 * Fewest coarse frames worth a worker thread: starting one costs ~1 s of CPU (TF.js and the
 * model in a fresh thread). Measured on 2 cores: the same wall time with and without one on a
 * 30-min title (120 frames), 0.5 s less on a 2-h title (230 frames).
 */
const MIN_POOL_FRAMES = 160;

const MAX_EXTENSIONS = 3;

/**
 * Most frames read by OCR per title. No real eval title needs more than 11; a long run with
 * story text screens before its roll does (each screen read, then the edge bisected): at 12
 * a generated episode's start stayed 2.7 s late, one bisection short.
 */
const MAX_TEXT_READS = 16;
/** Text checks, each followed by a refinement of the start it moved, at most. */
const MAX_TEXT_REFINES = 3;

/** Runs the whole detection and returns the result with what it cost. */
export async function runDetection(
  source: string,
  options: DetectorOptions & DetectOptions = {},
): Promise<DetectionRun> {
  const started = performance.now();
  const report = progressReporter(options.onProgress);
  report('probe', 0);
  // The model loads while ffprobe runs: neither needs the other.
  const model = startModelLoad(options);
  // Whether a core is free for the pool is measured over the probe (other processes' CPU use).
  const cpuBefore = cpuSnapshot();
  const pool = new PoolSlot(started, options);
  const media = await probeInput(source, options, model);
  const probeMs = performance.now() - started;
  let classifier: FrameClassifier;
  try {
    classifier = await model.classifier;
  } catch (error) {
    pool.dispose();
    throw error;
  }

  try {
    const run = new Sampler(source, media, classifier, options);
    pool.attach(run);
    const tail = tailStart(media.duration, options.tail ?? DEFAULT_TAIL);
    report('probe', 1);
    const length = media.duration - tail;
    const plannedWorkers = startPoolForTail(pool, classifier, length, cpuBefore, options);
    const coarseStarted = performance.now();
    const coarse = await coarsePass(run, tail, media.duration, report, options.notBefore);
    const passes: Passes = { run, from: coarse.from, report, options };
    const fineStarted = performance.now();
    let decision = await refineStart(passes, coarse.decision);
    const workersUsed = pool.ready?.workers ?? plannedWorkers;
    const text = await textPass(passes, decision, pool, classifier);
    decision = await refineEnd(passes, text.decision);
    // Last, as it overrides the frames' start: a credits chapter the frames confirm.
    const chaptered = await checkChapter(run, decision, media, options.notBefore);
    decision = {
      ...chaptered.decision,
      confidence: reportedConfidence({
        ...chaptered.decision,
        reads: readingCues(run.textReads),
        chapter: chaptered.chapter !== null,
      }),
    };
    report('done', 1);
    const finished = performance.now();

    return {
      result: {
        ...detectionResult(source, media, classifier, decision, finished - started),
        creditsSource: chaptered.chapter ? 'chapter' : 'frames',
      },
      decision,
      samples: run.samples(),
      stats: detectionStats(run, media, {
        from: coarse.from,
        workersUsed,
        chapter: chaptered.chapter,
        textUnavailable: text.unavailable,
        marks: { started, coarseStarted, fineStarted, finished },
        probeMs,
        loadMs: model.loadMs(),
        poolReadyMs: pool.readyMs,
        textMs: text.ms,
      }),
    };
  } finally {
    pool.dispose();
    if (model.own) classifier.dispose();
  }
}

/** The model: loading (or the one given); `loadMs` is the load's time once it has loaded. */
interface ModelLoad {
  classifier: Promise<FrameClassifier>;
  /** Whether the detector loaded it (and so disposes of it). */
  own: boolean;
  loadMs: () => number;
}

function startModelLoad(options: DetectorOptions): ModelLoad {
  let loadMs = 0;
  const classifier: Promise<FrameClassifier> = options.classifier
    ? Promise.resolve(options.classifier)
    : timed(() =>
        loadClassifier({
          ...(options.backend ? { backend: options.backend } : {}),
          ...(options.modelDir ? { modelDir: options.modelDir } : {}),
        }),
      ).then(([c, ms]) => {
        loadMs = ms;
        return c;
      });
  // Handled here so a model error during the probe is no unhandled rejection; awaited later.
  classifier.catch(() => undefined);
  return { classifier, own: !options.classifier, loadMs: () => loadMs };
}

/** ffprobe's view of the source; throws when ffmpeg can't decode its video. */
async function probeInput(
  source: string,
  options: DetectorOptions & DetectOptions,
  model: ModelLoad,
): Promise<MediaInfo> {
  const { signal } = options;
  try {
    const media = await probeMedia(source, {
      ...(options.probeTimeoutMs !== undefined ? { timeoutMs: options.probeTimeoutMs } : {}),
      ...(signal ? { signal } : {}),
      ...(options.httpProxy ? { httpProxy: options.httpProxy } : {}),
    });
    throwIfAborted(signal);
    if (media.videoCodec === 'unknown') {
      throw new EndcueError(
        'unsupported-codec',
        `${source}: its video codec is unknown to ffmpeg`,
        {
          hint: 'Re-encode it to H.264 (ffmpeg -i in -c:v libx264 out.mp4), or use an ffmpeg built with that decoder.',
        },
      );
    }
    return media;
  } catch (error) {
    // The input is at fault: that is the error to report, not the model's.
    if (model.own) void model.classifier.then((c) => c.dispose()).catch(() => undefined);
    throw error;
  }
}

/**
 * The worker pool of one detection. Long tails get more model copies in worker threads
 * (single-threaded backends only); the coarse pass starts on the main thread and hands over
 * to the pool when it is ready.
 */
class PoolSlot {
  /** The pool once its workers are up (kept after it is given back, for the stats). */
  ready: ClassifierPool | undefined;
  /** From the start until the pool took over classification (null: no pool). */
  readyMs: number | null = null;
  private pool: Promise<ClassifierPool> | undefined;
  private sampler: Sampler | undefined;
  private readonly unwanted = new AbortController();

  constructor(
    private readonly started: number,
    private readonly options: DetectorOptions,
  ) {}

  /** Whether a pool is starting or running. */
  get active(): boolean {
    return this.pool !== undefined;
  }

  start(c: FrameClassifier, workers: number): void {
    if (this.pool || workers <= 0 || !poolable(c)) return;
    const starting = createClassifierPool(
      c,
      workers,
      {
        backend: c.backend as BackendName,
        ...(this.options.modelDir ? { modelDir: this.options.modelDir } : {}),
      },
      this.unwanted.signal,
    );
    this.pool = starting;
    void starting.then((p) => {
      if (this.pool !== starting) return; // given back unused meanwhile
      this.readyMs = performance.now() - this.started;
      this.ready = p;
      this.sampler?.use(p);
    });
  }

  /** The sampler that classifies with the pool once it is ready. */
  attach(sampler: Sampler): void {
    this.sampler = sampler;
    if (this.ready) sampler.use(this.ready);
  }

  dispose(): void {
    const disposing = this.pool;
    this.pool = undefined;
    this.unwanted.abort(); // workers still starting stop now instead of loading a model for nothing
    void disposing?.then((p) => p.dispose());
  }
}

/** Starts the pool when the tail is long enough to be worth it; returns the workers planned. */
function startPoolForTail(
  pool: PoolSlot,
  classifier: FrameClassifier,
  length: number,
  cpuBefore: ReturnType<typeof cpuSnapshot>,
  options: DetectorOptions & DetectOptions,
): number {
  if (length > (options.shortTail ?? SHORT_TAIL_S)) {
    const budget = Math.max(8, options.maxCoarseFrames ?? 240);
    const expected = length / coarseGap(length, budget, options);
    const workers =
      options.classifierWorkers ??
      (expected >= MIN_POOL_FRAMES ? freeCores(cpuBefore, cpuSnapshot()) : 0);
    pool.start(classifier, workers);
    return pool.active ? workers : 0;
  }
  return 0;
}

/**
 * Coarse pass over [tail, duration], extended backwards while the credits seem to start
 * before it, but not past `notBefore` (the credits cannot start there). Returns where the
 * analysed part begins and the decision on it.
 */
async function coarsePass(
  run: Sampler,
  tail: number,
  duration: number,
  report: ProgressFn,
  notBefore = 0,
): Promise<{ from: number; decision: Decision }> {
  const lowest = Math.max(0, notBefore);
  let from = tail;
  await run.coarse(from, duration, (f) => report('coarse', f));
  let decision = run.decide(from);
  for (let i = 0; i < MAX_EXTENSIONS && from > lowest && startsAtFirstSample(decision, run); i++) {
    const previous = from;
    from = Math.max(lowest, from - Math.max(duration - from, 60));
    await run.coarse(from, previous, () => undefined);
    decision = run.decide(from);
  }
  return { from, decision };
}

/** What the passes after the coarse one share. */
interface Passes {
  run: Sampler;
  /** Where the analysed part begins (the coarse pass's extensions included). */
  from: number;
  report: ProgressFn;
  options: DetectorOptions & DetectOptions;
}

/** Fine pass: samples inside the start's bracket until it is short enough. */
async function refineStart(
  { run, from, report, options }: Passes,
  decision: Decision,
): Promise<Decision> {
  const resolution = options.resolution ?? 0.5;
  let refined = decision;
  for (let round = 0; round < MAX_FINE_ROUNDS; round++) {
    const bracket = refined.startBracket;
    if (!bracket) break;
    const width = bracket.after - bracket.before;
    if (width <= resolution + 1e-6) break;
    report('fine', round / MAX_FINE_ROUNDS);
    const added = await run.fine(bracket.before, bracket.after, resolution);
    refined = run.decide(from);
    if (added === 0) break;
  }
  return refined;
}

/**
 * The end of the credits matters less: to within a couple of seconds (decoded keyframes
 * first, then one seek).
 */
async function refineEnd({ run, from, report }: Passes, decision: Decision): Promise<Decision> {
  let refined = decision;
  for (let round = 0; round < 2; round++) {
    const endBracket = refined.endBracket;
    if (!endBracket || endBracket.after - endBracket.before <= 2) break;
    report('fine', 0.9);
    const added = await run.fine(endBracket.before, endBracket.after, 2);
    refined = run.decide(from);
    if (added === 0) break;
  }
  return refined;
}

/**
 * Reads the text of the credits run (or of the run that nearly was one), then refines the
 * start again if it moved. `ms`: the time it took (0 when there was nothing to read).
 */
async function textPass(
  passes: Passes,
  decision: Decision,
  pool: PoolSlot,
  classifier: FrameClassifier,
): Promise<{ decision: Decision; unavailable?: string | undefined; ms: number }> {
  const { run, from, report, options } = passes;
  // Every title is read: with no credits run nor one that nearly was, its end is (sampler.ts).
  if (options.readText === false) return { decision, ms: 0 };
  // The bulk of classifying is done: the pool's model copies go first, so OCR doesn't add
  // its memory to theirs (peak RSS on a 2 h title: 980 MB with both alive, 840 MB started
  // beside the fine pass).
  pool.dispose();
  run.use(classifier);
  const textStarted = performance.now();
  report('fine', 0.8);
  const checked = await checkText(run, decision, from, options, (read) =>
    refineStart(passes, read),
  );
  return {
    decision: checked.decision,
    unavailable: checked.unavailable,
    ms: performance.now() - textStarted,
  };
}

function detectionResult(
  source: string,
  media: MediaInfo,
  classifier: FrameClassifier,
  decision: Decision,
  elapsedMs: number,
): DetectionResult {
  const fps = media.fps;
  return {
    file: source,
    duration: round3(media.duration),
    fps: fps === null ? null : round3(fps),
    creditsStart: decision.creditsStart,
    creditsEnd: decision.creditsEnd,
    frame:
      decision.creditsStart === null || fps === null
        ? null
        : Math.round(decision.creditsStart * fps),
    confidence: decision.confidence,
    segments: decision.segments,
    modelVersion: classifier.modelVersion,
    backend: classifier.backend,
    elapsedMs: Math.round(elapsedMs),
  };
}

/** What the stats need beside the sampler's counters; times in ms, marks from performance.now(). */
interface RunRecord {
  from: number;
  workersUsed: number;
  chapter: Chapter | null;
  textUnavailable: string | undefined;
  marks: { started: number; coarseStarted: number; fineStarted: number; finished: number };
  probeMs: number;
  loadMs: number;
  poolReadyMs: number | null;
  textMs: number;
}

function detectionStats(run: Sampler, media: MediaInfo, record: RunRecord): DetectionStats {
  const { started, coarseStarted, fineStarted, finished } = record.marks;
  const { textUnavailable, poolReadyMs } = record;
  return {
    framesDecoded: run.framesDecoded,
    framesClassified: run.framesClassified,
    coarseFrames: run.coarseFrames,
    fineFrames: run.fineFrames,
    coarseMode: run.coarseMode,
    analysedFrom: round3(record.from),
    media,
    classifierWorkers: record.workersUsed,
    textReads: run.textReads.slice(),
    creditsChapter: record.chapter,
    ...(textUnavailable ? { textUnavailable } : {}),
    timings: {
      probe: Math.round(record.probeMs),
      load: Math.round(record.loadMs),
      poolReady: poolReadyMs === null ? null : Math.round(poolReadyMs),
      firstFrame: run.firstFrameAt === null ? null : Math.round(run.firstFrameAt - started),
      coarse: Math.round(fineStarted - coarseStarted),
      fine: Math.round(finished - fineStarted),
      text: Math.round(record.textMs),
      classify: Math.round(run.classifyMs),
      decodeWait: Math.round(run.decodeWaitMs),
      total: Math.round(finished - started),
    },
  };
}

/** Makes a Detector; the classifier loads on first use and is kept for the next title. */
export function createDetector(options: DetectorOptions = {}): Detector & { dispose(): void } {
  let loading: Promise<FrameClassifier> | undefined = options.classifier
    ? Promise.resolve(options.classifier)
    : undefined;
  // One OCR reader for all titles, started when the first title has text to read.
  let reader: Promise<TextReader> | undefined;
  const textReader =
    options.textReader ??
    (() => {
      reader ??= startTextReader().catch((error: unknown) => {
        reader = undefined;
        throw error;
      });
      return reader;
    });
  // One title at a time per classifier: tfjs backends are process-global and not re-entrant.
  let queue: Promise<unknown> = Promise.resolve();
  const detector = async (source: string, run: DetectOptions = {}) => {
    loading ??= loadClassifier({
      ...(options.backend ? { backend: options.backend } : {}),
      ...(options.modelDir ? { modelDir: options.modelDir } : {}),
    }).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    const task = queue.then(async () => {
      const classifier = await loading;
      const done = await runDetection(source, {
        ...options,
        ...run,
        textReader,
        ...(classifier ? { classifier } : {}),
      });
      if (done.stats.textUnavailable && reader) {
        // A broken reader (its thread died): start afresh for the next title.
        void reader.then((r) => r.dispose()).catch(() => undefined);
        reader = undefined;
      }
      return done.result;
    });
    queue = task.catch(() => undefined);
    return task;
  };
  return Object.assign(detector, {
    dispose() {
      void loading?.then((c) => {
        if (c !== options.classifier) c.dispose();
      });
      loading = undefined;
      void reader?.then((r) => r.dispose()).catch(() => undefined);
      reader = undefined;
    },
  });
}

/**
 * The text check: OCR's second opinion on the decision (Sampler.readText). When OCR can't
 * start or fails, the frame scores (and any text already read) decide, and `unavailable`
 * says why; an abort is not an OCR failure and is thrown.
 */
async function checkText(
  run: Sampler,
  decision: Decision,
  from: number,
  options: DetectorOptions & DetectOptions,
  refine: (moved: Decision) => Promise<Decision>,
): Promise<{ decision: Decision; unavailable?: string }> {
  const given = options.textReader;
  let reader: TextReader;
  try {
    reader = typeof given === 'function' ? await given() : (given ?? (await startTextReader()));
  } catch (error) {
    return { decision, unavailable: message(error) };
  }
  try {
    let current = decision;
    for (let round = 0; round < MAX_TEXT_REFINES; round++) {
      const read = await run.readText(
        reader,
        current,
        from,
        options.maxTextReads ?? MAX_TEXT_READS,
      );
      if (read.creditsStart === current.creditsStart) return { decision: read };
      current = await refine(read);
      // Frames the refinement added near the new start have no reading of their own: read
      // them too when they moved it (a fading title card the first readings missed).
      if (current.creditsStart === read.creditsStart) break;
    }
    return { decision: current };
  } catch (error) {
    throwIfAborted(options.signal);
    return { decision: run.decide(from), unavailable: message(error) };
  } finally {
    if (!given) await reader.dispose();
  }
}

/** Seconds at a credits chapter's start whose frames must confirm it: short, so that a mark
 * several seconds before the credits (story in its first seconds) is not confirmed. */
const CHAPTER_CHECK_S = 10;

/**
 * Chapters first: a chapter named like credits ("End Credits", "Outro", "エンディング") moves
 * the start to its mark when the frames in its first seconds look like credits; where too
 * few of them were sampled (a chapter before the analysed tail), a few are sampled there.
 */
async function checkChapter(
  run: Sampler,
  decision: Decision,
  media: MediaInfo,
  notBefore = Number.NEGATIVE_INFINITY,
): Promise<{ decision: Decision; chapter: Chapter | null }> {
  const chapter = creditsChapter(media.chapters, media.duration);
  // A mark before the bound is not where the credits start (`notBefore`).
  if (!chapter || chapter.start < notBefore) return { decision, chapter: null };
  const window = Math.min(CHAPTER_CHECK_S, chapter.end - chapter.start);
  const scored = () => run.samples().map((s) => ({ t: s.t, score: s.p }));
  const check = { window };
  let confirmed = framesConfirmChapter(chapter, scored(), check);
  if (confirmed === null) {
    await run.fine(chapter.start, chapter.start + window, window / 6);
    confirmed = framesConfirmChapter(chapter, scored(), check);
  }
  const applied = applyCreditsChapter(decision, chapter, confirmed);
  return { decision: applied, chapter: applied.chapter };
}

/** An OCR reader with an engine per core, two at most (a handful of frames per title). */
function startTextReader(): Promise<TextReader> {
  return createTextReader({ workers: Math.min(2, os.availableParallelism()) });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The default detector (shipped model, backend 'auto'): what the job queue calls. */
export const detect: Detector = createDetector();

/** A classifier whose model copies can run in worker threads (single-threaded backends). */
function poolable(c: FrameClassifier): c is CreditsFrameClassifier {
  return (
    (c.backend === 'wasm' || c.backend === 'cpu') && hasClassScores(c) && 'fallbackReasons' in c
  );
}

function startsAtFirstSample(decision: Decision, sampler: Sampler): boolean {
  const first = sampler.samples()[0];
  return decision.creditsStart !== null && first !== undefined && decision.creditsStart <= first.t;
}

type ProgressFn = (phase: DetectPhase, fraction: number) => void;

/** Maps each phase's own 0..1 onto one overall, never-decreasing 0..1. */
function progressReporter(onProgress: DetectOptions['onProgress']): ProgressFn {
  const spans: Record<DetectPhase, [number, number]> = {
    probe: [0, 0.03],
    coarse: [0.03, 0.85],
    fine: [0.85, 0.99],
    done: [1, 1],
  };
  let last = 0;
  return (phase, fraction) => {
    if (!onProgress) return;
    const [lo, hi] = spans[phase];
    const overall = Math.max(last, lo + (hi - lo) * Math.min(1, Math.max(0, fraction)));
    last = overall;
    onProgress({ phase, fraction: overall });
  };
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, performance.now() - started];
}
