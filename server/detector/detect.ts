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
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { EndcueError } from '../errors.js';
import {
  type Frame,
  type SampleFramesOptions,
  sampleFrames,
  sampleFramesOffThread,
} from '../media/frames.js';
import { type MediaInfo, probeMedia } from '../media/probe.js';
import {
  type BackendName,
  type CreditsFrameClassifier,
  type FrameClassifier,
  loadClassifier,
} from './classify.js';
import {
  type DecideOptions,
  type Decision,
  decideCredits,
  type ScoredSample,
  storyThreshold,
} from './decide.js';
import { frameCues, motionThumbnail, scrollResidual, storyMotion } from './features.js';
import { type ClassifierPool, createClassifierPool } from './pool.js';
import { ffmpegScaleFilter } from './preprocess.js';
import { readCreditsText } from './text-cues.js';
import { applyTextCues, planTextReads, type TextRead, type TextWindow } from './text-plan.js';
import { createTextReader, type TextReader } from './text-reader.js';
import type { DetectionResult, DetectOptions, Detector, DetectPhase } from './types.js';

/** How much of the end to analyse first: seconds, a fraction of the duration, or both (max). */
export interface TailSpec {
  seconds?: number;
  fraction?: number;
}

export const DEFAULT_TAIL: Readonly<TailSpec> = { seconds: 15 * 60, fraction: 0.25 };

export interface DetectorOptions {
  tail?: TailSpec;
  backend?: BackendName;
  modelDir?: string;
  /** A loaded classifier to use (the server keeps one; tests pass fakes). */
  classifier?: FrameClassifier;
  /** The start is known to within this many seconds when the fine pass stops (default 0.5). */
  resolution?: number;
  /** Most frames the coarse pass classifies (default 240). */
  maxCoarseFrames?: number;
  /**
   * Seconds between classified keyframes in the coarse pass over long tails (default 7.5,
   * from `sparseTail` = 900 s on); tails up to `denseTail` (default 360 s) classify up to
   * `maxCoarseFrames` (as dense as the keyframes allow); the spacing grows linearly between.
   */
  coarseSpacing?: number;
  denseTail?: number;
  sparseTail?: number;
  /** Frames per classify() call (default 16). */
  batchSize?: number;
  probeTimeoutMs?: number;
  /** A stalled ffmpeg fails after this long without output (default 30 s). */
  idleTimeoutMs?: number;
  /** Ranges up to this long are sampled at a fixed rate, not by keyframes (default 150 s). */
  shortTail?: number;
  /** Tuning for the decision step (thresholds, costs); defaults suit the shipped model. */
  decide?: Partial<Omit<DecideOptions, 'duration' | 'from'>>;
  /**
   * Extra model copies in worker threads on wasm/cpu. Default: for tails needing >= 160
   * coarse frames, one per core other processes left idle during the probe (at most
   * cores - 1 and 3); none otherwise.
   */
  classifierWorkers?: number;
  /** Measure motion between consecutive keyframes in the coarse pass (default true). */
  keyframeMotion?: boolean;
  /** Read the coarse pass's frames in a worker thread (default true). */
  offThread?: boolean;
  /**
   * Read the text of the chosen credits run (OCR) and let it confirm or overrule the frame
   * scores: "Coming soon" or a high-score table is not closing credits (default true).
   */
  readText?: boolean;
  /**
   * An OCR reader to use, or a function giving one when text is to be read (createDetector
   * keeps one across titles; tests pass fakes). Not disposed by the detector. Default: one
   * started (and stopped) per title, only when there is a run to read.
   */
  textReader?: TextReader | (() => Promise<TextReader>);
  /** Most frames read by OCR per title (default 12). */
  maxTextReads?: number;
}

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

/** Titles up to this long are sampled at a fixed rate in full (keyframes are too sparse). */
const SHORT_TAIL_S = 150;
/** Fewer coarse samples than one per this many seconds means keyframes are too sparse. */
const SPARSE_KEYFRAME_GAP_S = 20;
const MAX_FINE_ROUNDS = 5;
/**
 * Fewest coarse frames worth a worker thread: starting one costs ~1 s of CPU (TF.js and the
 * model in a fresh thread). Measured on 2 cores: the same wall time with and without one on a
 * 30-min title (120 frames), 0.5 s less on a 2-h title (230 frames).
 */
const MIN_POOL_FRAMES = 160;
const MAX_EXTENSIONS = 3;
/** Rounds of reading text (spread, then bisection). */
const MAX_TEXT_ROUNDS = 8;
/**
 * OCR reads frames this wide: small sources are scaled up (tesseract wants text >= ~20 px
 * tall; 320 px credits are unreadable as they are), large ones down (OCR time grows with
 * pixels: a dense 1080p roll frame takes ~1 s at 1280 px, ~0.6 s at 960, same words).
 */
const OCR_WIDTH = 960;

/** Seconds from the title's start where the analysis begins. */
export function tailStart(duration: number, tail: TailSpec = DEFAULT_TAIL): number {
  const bySeconds = tail.seconds ?? 0;
  const byFraction = (tail.fraction ?? 0) * duration;
  const length = Math.max(bySeconds, byFraction);
  if (!(length > 0)) return 0;
  return Math.max(0, duration - length);
}

/**
 * Parses a --tail value: "15m", "900", "900s", "1h", "25%", "0.25" (a fraction when < 1),
 * "all"; several joined by "," take the longest ("25%,15m", the default).
 */
export function parseTail(value: string): TailSpec {
  const spec: TailSpec = {};
  for (const raw of value.split(',')) {
    const part = raw.trim().toLowerCase();
    if (part === 'all') return { fraction: 1 };
    const m = /^(\d+(?:\.\d+)?)\s*(%|s|sec|m|min|h)?$/.exec(part);
    if (!m) {
      throw new EndcueError('invalid-input', `--tail ${value}: cannot read "${raw.trim()}"`, {
        hint: 'Use seconds (900), minutes (15m), hours (1h), a percentage (25%), or "all".',
      });
    }
    const n = Number(m[1]);
    const unit = m[2];
    if (unit === '%' || (unit === undefined && n < 1)) {
      const fraction = unit === '%' ? n / 100 : n;
      if (!(fraction > 0 && fraction <= 1)) {
        throw new EndcueError(
          'invalid-input',
          `--tail ${value}: ${raw.trim()} is not in (0, 100%]`,
          {
            hint: 'Use a percentage between 1% and 100%, e.g. 25%.',
          },
        );
      }
      spec.fraction = Math.max(spec.fraction ?? 0, fraction);
    } else {
      const seconds = unit === 'm' || unit === 'min' ? n * 60 : unit === 'h' ? n * 3600 : n;
      if (!(seconds > 0)) {
        throw new EndcueError('invalid-input', `--tail ${value}: must be longer than 0`, {
          hint: 'Use e.g. 15m.',
        });
      }
      spec.seconds = Math.max(spec.seconds ?? 0, seconds);
    }
  }
  return spec;
}

/** Runs the whole detection and returns the result with what it cost. */
export async function runDetection(
  source: string,
  options: DetectorOptions & DetectOptions = {},
): Promise<DetectionRun> {
  const started = performance.now();
  const { signal } = options;
  const resolution = options.resolution ?? 0.5;
  const report = progressReporter(options.onProgress);

  report('probe', 0);
  // The model loads while ffprobe runs: neither needs the other.
  const ownClassifier = !options.classifier;
  let loadMs = 0;
  const loading: Promise<FrameClassifier> = options.classifier
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
  // Handled here so a model error during the probe is no unhandled rejection; awaited below.
  loading.catch(() => undefined);

  // Long tails: more model copies in worker threads (single-threaded backends only); the
  // coarse pass starts on the main thread and hands over to the pool when it is ready.
  // Whether a core is free is measured over the probe (other processes' CPU use).
  const cpuBefore = cpuSnapshot();
  let plannedWorkers = 0;
  let pool: Promise<ClassifierPool> | undefined;
  let poolReady: number | null = null;
  let sampler: Sampler | undefined;
  let readyPool: ClassifierPool | undefined;
  const unwanted = new AbortController();
  const startPool = (c: FrameClassifier, workers: number) => {
    if (pool || workers <= 0 || !poolable(c)) return;
    const starting = createClassifierPool(
      c,
      workers,
      {
        backend: c.backend as BackendName,
        ...(options.modelDir ? { modelDir: options.modelDir } : {}),
      },
      unwanted.signal,
    );
    pool = starting;
    void starting.then((p) => {
      if (pool !== starting) return; // given back unused meanwhile
      poolReady = performance.now() - started;
      readyPool = p;
      sampler?.use(p);
    });
  };
  const disposePool = () => {
    const disposing = pool;
    pool = undefined;
    unwanted.abort(); // workers still starting stop now instead of loading a model for nothing
    void disposing?.then((p) => p.dispose());
  };

  let media: MediaInfo;
  try {
    media = await probeMedia(source, {
      ...(options.probeTimeoutMs !== undefined ? { timeoutMs: options.probeTimeoutMs } : {}),
      ...(signal ? { signal } : {}),
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
  } catch (error) {
    // The input is at fault: that is the error to report, not the model's.
    if (ownClassifier) void loading.then((c) => c.dispose()).catch(() => undefined);
    throw error;
  }
  const probeMs = performance.now() - started;
  let classifier: FrameClassifier;
  try {
    classifier = await loading;
  } catch (error) {
    disposePool();
    throw error;
  }

  try {
    const run = new Sampler(source, media, classifier, options);
    sampler = run;
    if (readyPool) run.use(readyPool);
    const duration = media.duration;
    let from = tailStart(duration, options.tail ?? DEFAULT_TAIL);
    report('probe', 1);
    const length = duration - from;
    if (length > (options.shortTail ?? SHORT_TAIL_S)) {
      const budget = Math.max(8, options.maxCoarseFrames ?? 240);
      const expected = length / coarseGap(length, budget, options);
      const workers =
        options.classifierWorkers ??
        (expected >= MIN_POOL_FRAMES ? freeCores(cpuBefore, cpuSnapshot()) : 0);
      startPool(classifier, workers);
      plannedWorkers = pool ? workers : 0;
    }
    const coarseStarted = performance.now();

    // Coarse pass over [from, duration], extended backwards while the credits seem to
    // start before it.
    const coarseEnd = duration;
    await run.coarse(from, coarseEnd, (f) => report('coarse', f));
    let decision = run.decide(from);
    for (let i = 0; i < MAX_EXTENSIONS && from > 0 && startsAtFirstSample(decision, run); i++) {
      const previous = from;
      from = Math.max(0, from - Math.max(duration - from, 60));
      await run.coarse(from, previous, () => undefined);
      decision = run.decide(from);
    }

    const fineStarted = performance.now();
    // Fine pass: sample inside the start's bracket until it is short enough.
    const refineStart = async () => {
      for (let round = 0; round < MAX_FINE_ROUNDS; round++) {
        const bracket = decision.startBracket;
        if (!bracket) break;
        const width = bracket.after - bracket.before;
        if (width <= resolution + 1e-6) break;
        report('fine', round / MAX_FINE_ROUNDS);
        const added = await run.fine(bracket.before, bracket.after, resolution);
        decision = run.decide(from);
        if (added === 0) break;
      }
    };
    await refineStart();
    const workersUsed = readyPool?.workers ?? plannedWorkers;
    // Then read the text of the credits run (or of the run that nearly was one). The bulk of
    // classifying is done: the pool's model copies go first, so OCR doesn't add its memory
    // to theirs (peak RSS on a 2 h title: 980 MB with both alive, 840 MB started beside the
    // fine pass).
    const wantText =
      options.readText !== false && (decision.creditsStart !== null || decision.candidate !== null);
    const given = options.textReader;
    if (wantText) {
      disposePool();
      run.use(classifier);
    }
    const reading: Promise<TextReader | string> | undefined = wantText
      ? (typeof given === 'function'
          ? given()
          : given
            ? Promise.resolve(given)
            : startTextReader()
        ).catch((error: unknown) => message(error))
      : undefined;
    let textMs = 0;
    let textUnavailable: string | undefined;
    if (reading) {
      const textStarted = performance.now();
      const reader = await reading;
      if (typeof reader === 'string') {
        textUnavailable = reader;
      } else {
        try {
          report('fine', 0.8);
          const before = decision.creditsStart;
          decision = await run.readText(reader, decision, from, options.maxTextReads ?? 12);
          if (decision.creditsStart !== before) await refineStart();
        } catch (error) {
          // OCR is a second opinion: when it fails, the frame scores (and any text already
          // read) still decide. An abort is not an OCR failure.
          throwIfAborted(signal);
          textUnavailable = message(error);
          decision = run.decide(from);
        } finally {
          if (!given) await reader.dispose();
        }
      }
      textMs = performance.now() - textStarted;
    }
    // The end of the credits matters less: to within a couple of seconds (decoded keyframes
    // first, then one seek).
    for (let round = 0; round < 2; round++) {
      const endBracket = decision.endBracket;
      if (!endBracket || endBracket.after - endBracket.before <= 2) break;
      report('fine', 0.9);
      const added = await run.fine(endBracket.before, endBracket.after, 2);
      decision = run.decide(from);
      if (added === 0) break;
    }
    report('done', 1);
    const finished = performance.now();

    const fps = media.fps;
    const result: DetectionResult = {
      file: source,
      duration: round3(duration),
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
      elapsedMs: Math.round(finished - started),
    };
    return {
      result,
      decision,
      samples: run.samples(),
      stats: {
        framesDecoded: run.framesDecoded,
        framesClassified: run.framesClassified,
        coarseFrames: run.coarseFrames,
        fineFrames: run.fineFrames,
        coarseMode: run.coarseMode,
        analysedFrom: round3(from),
        media,
        classifierWorkers: workersUsed,
        textReads: run.textReads.slice(),
        ...(textUnavailable ? { textUnavailable } : {}),
        timings: {
          probe: Math.round(probeMs),
          load: Math.round(loadMs),
          poolReady: poolReady === null ? null : Math.round(poolReady),
          firstFrame: run.firstFrameAt === null ? null : Math.round(run.firstFrameAt - started),
          coarse: Math.round(fineStarted - coarseStarted),
          fine: Math.round(finished - fineStarted),
          text: Math.round(textMs),
          classify: Math.round(run.classifyMs),
          decodeWait: Math.round(run.decodeWaitMs),
          total: Math.round(finished - started),
        },
      },
    };
  } finally {
    disposePool();
    if (ownClassifier) classifier.dispose();
  }
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

/** An OCR reader with an engine per core, two at most (a handful of frames per title). */
function startTextReader(): Promise<TextReader> {
  return createTextReader({ workers: Math.min(2, os.availableParallelism()) });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The default detector (shipped model, backend 'auto'): what the job queue calls. */
export const detect: Detector = createDetector();

/**
 * Decodes, scores and keeps samples; batches frames so classify() sees full batches while
 * ffmpeg keeps decoding the next ones.
 */
class Sampler {
  framesDecoded = 0;
  framesClassified = 0;
  coarseFrames = 0;
  fineFrames = 0;
  coarseMode: 'keyframes' | 'rate' = 'keyframes';
  classifyMs = 0;
  decodeWaitMs = 0;
  /** performance.now() when the first frame arrived. */
  firstFrameAt: number | null = null;
  private readonly scored = new Map<number, ScoredSample>();
  /** Keyframes the coarse pass decoded but did not classify: the fine pass's first round. */
  private readonly unscored = new Map<number, Frame>();
  /** Scroll-compensated difference to the previous / next frame of the same run. */
  private readonly residuals = new Map<number, { prev?: number; next?: number }>();
  /** OCR readings, and the credits runs they were taken in. */
  readonly textReads: TextRead[] = [];
  private readonly textWindows: TextWindow[] = [];
  private threshold: number | undefined;
  private readonly size: number;
  private readonly filter: string;
  private readonly batchSize: number;

  constructor(
    private readonly source: string,
    private readonly media: MediaInfo,
    private classifier: FrameClassifier,
    private readonly options: DetectorOptions & DetectOptions,
  ) {
    this.size = classifier.inputSize;
    this.filter = ffmpegScaleFilter(this.size);
    this.batchSize = Math.max(1, options.batchSize ?? 16);
  }

  /** Switch to another classifier of the same model (the pool, once its workers are up). */
  use(classifier: FrameClassifier): void {
    this.classifier = classifier;
  }

  samples(): ScoredSample[] {
    const scored = [...this.scored.entries()]
      .map(([k, s]) => {
        const r = this.residuals.get(k);
        if (!r) return s;
        // The smaller side: a cut changes one neighbour, real motion changes both.
        const residual = Math.min(
          r.prev ?? Number.POSITIVE_INFINITY,
          r.next ?? Number.POSITIVE_INFINITY,
        );
        return { ...s, motion: storyMotion(residual) };
      })
      .sort((a, b) => a.t - b.t);
    return applyTextCues(scored, this.textReads, this.textWindows);
  }

  /**
   * Reads the text of the chosen credits run and decides again, until the readings say
   * nothing new: a few frames spread over the run, then bisection where "not credits" text
   * meets other frames (text-plan.ts). Returns the last decision.
   */
  async readText(
    reader: TextReader,
    decision: Decision,
    from: number,
    maxReads: number,
  ): Promise<Decision> {
    const { width, height } = ocrSize(this.media);
    for (let round = 0; round < MAX_TEXT_ROUNDS; round++) {
      // The credits run, or the run that nearly was: text may tip it either way.
      const window =
        decision.creditsStart !== null
          ? { start: decision.creditsStart, end: decision.creditsEnd ?? this.media.duration }
          : decision.candidate;
      if (!window) break;
      const solid = this.samples()
        .filter((s) => (s.blank ?? 0) < 0.5)
        .map((s) => s.t);
      const times = planTextReads(window, this.textReads, solid).slice(
        0,
        Math.max(0, maxReads - this.textReads.length),
      );
      if (times.length === 0) break;
      // A look-back reading extends the range its cue may apply to.
      this.textWindows.push({
        start: Math.min(window.start, ...times),
        end: Math.max(window.end, ...times),
      });
      // Grab and read `concurrency` frames at once: ffmpeg's seek overlaps the other's OCR.
      const readAt = async (t: number) => {
        const frame = await this.firstFrame({
          mode: 'rate',
          // At the title's own rate: a 1 fps grid may hold no frame between t and the end.
          rate: Math.max(1, this.media.fps ?? 25),
          start: t,
          end: t + 1,
          width,
          height,
          filter: `scale=${width}:${height}:flags=bicubic,setsar=1,format=rgb24`,
          ...(this.options.idleTimeoutMs !== undefined
            ? { idleTimeoutMs: this.options.idleTimeoutMs }
            : {}),
          ...(this.options.signal ? { signal: this.options.signal } : {}),
        });
        if (!frame) return;
        const words = await reader.read({ data: frame.data, width, height });
        this.textReads.push({ t, cue: readCreditsText(words).cue });
      };
      for (let i = 0; i < times.length; i += reader.concurrency) {
        await Promise.all(times.slice(i, i + reader.concurrency).map(readAt));
      }
      decision = this.decide(from);
    }
    return decision;
  }

  decide(from: number): Decision {
    const samples = this.samples();
    const duration = this.media.duration;
    // Calibrate on coarse samples only: the fine pass clusters at the boundary.
    this.threshold ??= storyThreshold(samples, { from, duration });
    return decideCredits(samples, {
      threshold: this.threshold,
      ...this.options.decide,
      duration,
      from,
    });
  }

  /** Coarse samples over [from, to]: keyframes, or a fixed rate when those are too sparse. */
  async coarse(from: number, to: number, onFraction: (f: number) => void): Promise<void> {
    const length = to - from;
    if (length <= 0) return;
    const budget = Math.max(8, this.options.maxCoarseFrames ?? 240);
    const shortTail = this.options.shortTail ?? SHORT_TAIL_S;
    // Short titles: decoding every frame is cheap, and keyframes may be seconds apart.
    if (length <= shortTail) {
      this.coarseMode = 'rate';
      const rate = Math.min(4, Math.max(1, budget / length));
      const last = await this.sample(
        { mode: 'rate', rate, start: from, end: to },
        'coarse',
        onFraction,
      );
      this.checkCoverage(from, to, last);
      return;
    }
    const minGap = coarseGap(length, budget, this.options);
    const before = this.scored.size;
    let last = await this.sample(
      // A keyframe a hair closer than the gap (timestamp rounding) still counts as far enough.
      { mode: 'keyframes', start: from, end: to, minGap: minGap - 0.05 },
      'coarse',
      onFraction,
    );
    const got = this.scored.size - before;
    if (got < length / SPARSE_KEYFRAME_GAP_S) {
      // Few keyframes (long GOPs): fall back to a fixed rate over the range.
      this.coarseMode = 'rate';
      const rate = Math.min(1, budget / length);
      last = Math.max(
        last,
        await this.sample({ mode: 'rate', rate, start: from, end: to }, 'coarse', onFraction),
      );
    } else if (to - last > SPARSE_KEYFRAME_GAP_S) {
      // No keyframe near the end (long static credits): look at the end at a fixed rate.
      const start = Math.max(from, last);
      last = Math.max(
        last,
        await this.sample({ mode: 'rate', rate: 0.5, start, end: to }, 'coarse', () => undefined),
      );
    }
    this.checkCoverage(from, to, last);
  }

  /** The first frame of a sampling run (ffmpeg stops once it is out), or null. */
  private async firstFrame(options: SampleFramesOptions): Promise<Frame | null> {
    for await (const frame of sampleFrames(this.source, options)) return frame;
    return null;
  }

  /** Frames must reach (near) the end the container promises, or the file is damaged. */
  private checkCoverage(from: number, to: number, last: number): void {
    const where = `${from.toFixed(1)}-${to.toFixed(1)} s`;
    if (!Number.isFinite(last)) {
      throw new EndcueError(
        'corrupt-media',
        `${this.source}: no frame could be decoded in ${where}`,
        {
          hint: 'The file may be truncated or damaged; check it plays to the end, or fetch it again.',
        },
      );
    }
    if (to >= this.media.duration - 0.01 && to - last > Math.max(10, 0.1 * this.media.duration)) {
      throw new EndcueError(
        'corrupt-media',
        `${this.source}: frames stop at ${last.toFixed(1)} s but it claims ${to.toFixed(1)} s (truncated?)`,
        { hint: 'The file looks cut short; fetch or copy it again, or re-encode it.' },
      );
    }
  }

  /** Fine samples inside (before, after) at <= `spacing` seconds; returns how many were new. */
  async fine(before: number, after: number, spacing: number): Promise<number> {
    const width = after - before;
    if (width <= 0) return 0;
    // Frames already decoded inside the bracket narrow it for free (no seek, no decoding).
    const cached = [...this.unscored.values()]
      .filter((f) => f.t > before + 1e-3 && f.t < after - 1e-3)
      .sort((a, b) => a.t - b.t);
    if (cached.length > 0) {
      for (let i = 0; i < cached.length; i += this.batchSize) {
        await this.waitFor(this.startScoring(cached.slice(i, i + this.batchSize), 'fine'));
      }
      return cached.length;
    }
    // At most ~24 frames per round: a wide bracket takes two rounds, not one huge one.
    const count = Math.min(24, Math.max(1, Math.ceil(width / spacing) - 1));
    const rate = (count + 1) / width;
    const start = before + 1 / rate / 2;
    const end = Math.min(after, this.media.duration);
    const beforeCount = this.scored.size;
    await this.sample({ mode: 'rate', rate, start, end }, 'fine', () => undefined);
    return this.scored.size - beforeCount;
  }

  private async sample(
    run: { mode: 'keyframes' | 'rate'; rate?: number; start: number; end: number; minGap?: number },
    pass: 'coarse' | 'fine',
    onFraction: (f: number) => void,
  ): Promise<number> {
    const { signal } = this.options;
    // Long runs read ffmpeg from a worker so decoding continues while the model runs.
    const offThread = pass === 'coarse' && this.options.offThread !== false;
    const frames = (offThread ? sampleFramesOffThread : sampleFrames)(this.source, {
      width: this.size,
      height: this.size,
      filter: this.filter,
      mode: run.mode,
      // Keyframes only: frame threads have nothing to decode in parallel, and handing frames
      // between them cost ~40% more CPU (and wall) than one thread in our measurements.
      ...(run.mode === 'keyframes' ? { threads: 1 } : {}),
      ...(run.rate !== undefined ? { rate: run.rate } : {}),
      start: run.start,
      end: run.end,
      ...(this.options.idleTimeoutMs !== undefined
        ? { idleTimeoutMs: this.options.idleTimeoutMs }
        : {}),
      ...(signal ? { signal } : {}),
    });
    let batch: Frame[] = [];
    let lastKept = Number.NEGATIVE_INFINITY;
    const span = Math.max(1e-6, run.end - run.start);
    let last = Number.NEGATIVE_INFINITY;
    // Motion needs near neighbours: frames <= 1 s apart in rate runs; in keyframe runs every
    // decoded keyframe (also those not classified) is a neighbour, typically 1-3 s away.
    const maxGap = run.mode === 'rate' ? 1.01 : 3.01;
    const withMotion =
      run.mode === 'rate' ? (run.rate ?? 0) >= 1 : this.options.keyframeMotion !== false;
    let previous: { key: number; t: number; thumb: Float32Array } | undefined;
    const inFlight: Promise<void>[] = [];
    let waitFrom = performance.now();
    for await (const frame of frames) {
      this.decodeWaitMs += performance.now() - waitFrom;
      this.firstFrameAt ??= performance.now();
      this.framesDecoded++;
      last = Math.max(last, frame.t);
      if (withMotion) {
        const thumb = motionThumbnail(frame.data, this.size, this.size);
        const k = key(frame.t);
        if (previous && frame.t - previous.t <= maxGap) {
          const residual = scrollResidual(previous.thumb, thumb);
          this.residuals.set(previous.key, { ...this.residuals.get(previous.key), next: residual });
          this.residuals.set(k, { ...this.residuals.get(k), prev: residual });
        }
        previous = { key: k, t: frame.t, thumb };
      }
      if (this.scored.has(key(frame.t))) continue;
      if (run.minGap !== undefined && frame.t - lastKept < run.minGap) {
        this.unscored.set(key(frame.t), frame);
        continue;
      }
      lastKept = frame.t;
      batch.push(frame);
      if (batch.length >= this.batchSize) {
        // Two batches in flight: a pool's threads start on the next one while the last
        // chunks of this one finish, instead of idling at every batch's end.
        const scoring = this.startScoring(batch, pass);
        scoring.catch(() => undefined); // awaited below; not an unhandled rejection meanwhile
        inFlight.push(scoring);
        batch = [];
        if (inFlight.length >= 2) await this.waitFor(inFlight.shift());
        onFraction(Math.min(1, (frame.t - run.start) / span));
      }
      waitFrom = performance.now();
    }
    if (batch.length > 0) inFlight.push(this.startScoring(batch, pass));
    for (const scoring of inFlight.splice(0)) await this.waitFor(scoring);
    onFraction(1);
    return last;
  }

  /** Starts scoring a batch (on the main thread the model runs right here, synchronously). */
  private startScoring(batch: Frame[], pass: 'coarse' | 'fine'): Promise<void> {
    const started = performance.now();
    const scoring = this.score(batch, pass);
    this.classifyMs += performance.now() - started;
    return scoring;
  }

  /** Waits for a batch's scores, counting the time as classification. */
  private async waitFor(scoring: Promise<void> | undefined): Promise<void> {
    const started = performance.now();
    await scoring;
    this.classifyMs += performance.now() - started;
  }

  private async score(batch: Frame[], pass: 'coarse' | 'fine'): Promise<void> {
    throwIfAborted(this.options.signal);
    const data = batch.map((f) => f.data);
    // Models with a 'blank' class say how blank a frame is; otherwise the cue alone does.
    let credits: ArrayLike<number>;
    let blankClass: number[] | undefined;
    if (hasClassScores(this.classifier) && this.classifier.classes.includes('blank')) {
      const { classes, probabilities } = await this.classifier.scores(data);
      const ci = classes.indexOf('credits');
      const bi = classes.indexOf('blank');
      credits = probabilities.map((p) => p[ci] ?? 0);
      blankClass = probabilities.map((p) => p[bi] ?? 0);
    } else {
      credits = await this.classifier.classify(data);
    }
    for (const frame of batch) this.unscored.delete(key(frame.t));
    this.framesClassified += batch.length;
    if (pass === 'coarse') this.coarseFrames += batch.length;
    else this.fineFrames += batch.length;
    batch.forEach((frame, i) => {
      const cues = frameCues(frame.data, this.size, this.size);
      const p = credits[i] ?? 0;
      const modelBlank = blankClass?.[i] ?? 0;
      this.scored.set(key(frame.t), {
        t: frame.t,
        // p(credits | not blank): a blank-class vote shouldn't count as "story".
        p: modelBlank < 0.999 ? p / (1 - modelBlank) : 0.5,
        blank: Math.max(cues.blank, modelBlank),
      });
    });
  }
}

/**
 * Seconds between classified keyframes on a tail of `length` s: as dense as the budget allows
 * up to `denseTail`, `coarseSpacing` from `sparseTail` on (the fine pass brackets the start
 * from there; a 2 h title's 30-min tail was already sampled so), linear in between. Short
 * tails stay dense: their credits are short, and sparse samples misplaced credits over the
 * picture on a 4-min generated title.
 */
export function coarseGap(
  length: number,
  budget: number,
  options: Pick<DetectorOptions, 'coarseSpacing' | 'denseTail' | 'sparseTail'> = {},
): number {
  const spacing = options.coarseSpacing ?? 7.5;
  const dense = options.denseTail ?? 360;
  const sparse = Math.max(dense, options.sparseTail ?? 900);
  const floor = length / budget;
  if (length <= dense) return floor;
  if (length >= sparse) return Math.max(spacing, floor);
  const denseGap = dense / budget;
  const k = (length - dense) / (sparse - dense);
  return Math.max(floor, denseGap + k * (spacing - denseGap));
}

interface CpuSnapshot {
  /** Summed over all cores, ms. */
  busy: number;
  /** This process (all its threads), ms. */
  own: number;
  at: number;
}

/** Frame size for OCR: OCR_WIDTH wide, the source's aspect ratio, even sides. */
function ocrSize(media: MediaInfo): { width: number; height: number } {
  const width = OCR_WIDTH;
  const aspect = media.height > 0 && media.width > 0 ? media.height / media.width : 9 / 16;
  return { width, height: Math.max(16, 2 * Math.round((width * aspect) / 2)) };
}

function cpuSnapshot(): CpuSnapshot {
  let busy = 0;
  for (const { times } of os.cpus()) busy += times.user + times.nice + times.sys + times.irq;
  const own = process.cpuUsage();
  return { busy, own: (own.user + own.system) / 1000 + childrenCpuMs(), at: performance.now() };
}

/** CPU of this process's finished children (ffprobe, `ffmpeg -version`), ms; 0 off Linux. */
function childrenCpuMs(): number {
  try {
    // Fields after the command name: cutime and cstime are the 14th and 15th, in ticks.
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[13]) + Number(fields[14])) * 10;
  } catch {
    return 0;
  }
}

/**
 * Cores for worker threads: those left once other processes' CPU use between two snapshots
 * and this process's main thread are counted; at most cores - 1 and 3.
 * A worker on a busy core only takes CPU from ffmpeg and the main thread (measured slower
 * with one core busy). The load average was not used: it still counts the run before.
 */
function freeCores(before: CpuSnapshot, after: CpuSnapshot): number {
  const cores = os.availableParallelism();
  const wall = after.at - before.at;
  // Too short a window (or no per-core times) to tell: assume the cores are free.
  const others =
    wall >= 50 ? Math.max(0, after.busy - before.busy - (after.own - before.own)) / wall : 0;
  return Math.max(0, Math.min(3, cores - 1, Math.round(cores - 1 - others)));
}

/** A classifier whose model copies can run in worker threads (single-threaded backends). */
function poolable(c: FrameClassifier): c is CreditsFrameClassifier {
  return (
    (c.backend === 'wasm' || c.backend === 'cpu') && hasClassScores(c) && 'fallbackReasons' in c
  );
}

function hasClassScores(
  classifier: FrameClassifier,
): classifier is FrameClassifier & Pick<CreditsFrameClassifier, 'classes' | 'scores'> {
  const c = classifier as Partial<CreditsFrameClassifier>;
  return Array.isArray(c.classes) && typeof c.scores === 'function';
}

function startsAtFirstSample(decision: Decision, sampler: Sampler): boolean {
  const first = sampler.samples()[0];
  return decision.creditsStart !== null && first !== undefined && decision.creditsStart <= first.t;
}

/** Samples are keyed by millisecond so the fine pass never scores a frame twice. */
function key(t: number): number {
  return Math.round(t * 1000);
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

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof Error) throw reason;
  const error = new Error('detection aborted');
  error.name = 'AbortError';
  throw error;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, performance.now() - started];
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
