/**
 * The detector's sampling state for one title (detect.ts runs the passes): decodes frames
 * with ffmpeg, scores them in batches so decoding and inference overlap, keeps the samples
 * and their motion cues, reads text by OCR, and decides from what it has.
 */
import { EndcueError } from '../errors.js';
import {
  type Frame,
  type SampleFramesOptions,
  sampleFrames,
  sampleFramesOffThread,
} from '../media/frames.js';
import type { MediaInfo } from '../media/probe.js';
import type { CreditsFrameClassifier, FrameClassifier } from './classify.js';
import { type Decision, decideCredits, type ScoredSample, storyThreshold } from './decide.js';
import type { DetectorOptions } from './detector-options.js';
import { frameCues, motionThumbnail, scrollResidual, storyMotion } from './features.js';
import { ffmpegScaleFilter } from './preprocess.js';
import {
  applyTextCues,
  endProbeWindow,
  planTextReads,
  type TextRead,
  type TextWindow,
} from './text-plan.js';
import { readFrameText, type TextReader } from './text-reader.js';
import type { DetectOptions } from './types.js';

/** Titles up to this long are sampled at a fixed rate in full (keyframes are too sparse). */
export const SHORT_TAIL_S = 150;

/** Fewer coarse samples than one per this many seconds means keyframes are too sparse. */
const SPARSE_KEYFRAME_GAP_S = 20;

/**
 * Frame score from which a frame no look could read is tried harder (readFrameText's
 * likelyCredits: bright text alone, other scripts, PP-OCR).
 */
const LIKELY_CREDITS_MIN_SCORE = 0.25;

/** Rounds of reading text (spread, then bisection). */
const MAX_TEXT_ROUNDS = 8;

/**
 * OCR reads frames this wide: small sources are scaled up (tesseract wants text >= ~20 px
 * tall; 320 px credits are unreadable as they are), large ones down (OCR time grows with
 * pixels: a dense 1080p roll frame takes ~1 s at 1280 px, ~0.6 s at 960, same words).
 */
const OCR_WIDTH = 960;

/**
 * Decodes, scores and keeps samples; batches frames so classify() sees full batches while
 * ffmpeg keeps decoding the next ones.
 */
export class Sampler {
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
    let origin: number | undefined;
    for (let round = 0; round < MAX_TEXT_ROUNDS; round++) {
      const samples = this.samples();
      const solid = samples.filter((s) => (s.blank ?? 0) < 0.5).map((s) => s.t);
      // The credits run, or the run that nearly was: text may tip it either way. With
      // neither, before anything was read, the end of the title: credits the frame scores
      // missed are read there.
      const probing =
        decision.creditsStart === null && !decision.candidate && this.textReads.length === 0;
      const window =
        decision.creditsStart !== null
          ? { start: decision.creditsStart, end: decision.creditsEnd ?? this.media.duration }
          : probing
            ? endProbeWindow(solid, from)
            : decision.candidate;
      if (!window) break;
      origin ??= window.start;
      // Frame scores of the times that may be read (reads add text cues, not scores).
      const scores = new Map(samples.map((s) => [s.t, s.p]));
      const notBefore = this.options.notBefore ?? Number.NEGATIVE_INFINITY;
      const times = planTextReads(window, this.textReads, solid, { origin })
        // No look-back before the bound: the credits cannot start there.
        .filter((t) => t >= notBefore)
        .slice(0, Math.max(0, maxReads - this.textReads.length));
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
          ...this.ffmpegLimits(),
        });
        if (!frame) return;
        // Harder looks only where the frame looks like credits: story frames read as
        // unsure garbage too, and each extra look costs 0.2-0.6 s.
        const p = scores.get(t) ?? 0;
        const reading = await readFrameText(
          reader,
          { data: frame.data, width, height },
          { likelyCredits: p >= LIKELY_CREDITS_MIN_SCORE },
        );
        this.textReads.push({
          t,
          cue: reading.cue,
          terms: reading.terms,
          storyLike: reading.storyLike,
        });
      };
      for (let i = 0; i < times.length; i += reader.concurrency) {
        await Promise.all(times.slice(i, i + reader.concurrency).map(readAt));
      }
      if (probing && !this.textReads.some((r) => r.cue === 1)) {
        // No credits text at the end: the frame scores' "no credits" stands, and the
        // probe's readings speak for nothing (other text there must not shape a run).
        this.textWindows.pop();
        return decision;
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
      ...(this.options.notBefore !== undefined ? { notBefore: this.options.notBefore } : {}),
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

  /** The stall timeout, abort signal and network route every ffmpeg run of this title gets. */
  private ffmpegLimits(): Pick<SampleFramesOptions, 'idleTimeoutMs' | 'signal' | 'httpProxy'> {
    const { idleTimeoutMs, signal, httpProxy } = this.options;
    return {
      ...(idleTimeoutMs !== undefined ? { idleTimeoutMs } : {}),
      ...(signal ? { signal } : {}),
      ...(httpProxy ? { httpProxy } : {}),
    };
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
      ...this.ffmpegLimits(),
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

/** Frame size for OCR: OCR_WIDTH wide, the source's aspect ratio, even sides. */
function ocrSize(media: MediaInfo): { width: number; height: number } {
  const width = OCR_WIDTH;
  const aspect = media.height > 0 && media.width > 0 ? media.height / media.width : 9 / 16;
  return { width, height: Math.max(16, 2 * Math.round((width * aspect) / 2)) };
}

export function hasClassScores(
  classifier: FrameClassifier,
): classifier is FrameClassifier & Pick<CreditsFrameClassifier, 'classes' | 'scores'> {
  const c = classifier as Partial<CreditsFrameClassifier>;
  return Array.isArray(c.classes) && typeof c.scores === 'function';
}

/** Samples are keyed by millisecond so the fine pass never scores a frame twice. */
function key(t: number): number {
  return Math.round(t * 1000);
}

export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (!signal?.aborted) return;
  const reason: unknown = signal.reason;
  if (reason instanceof Error) throw reason;
  const error = new Error('detection aborted');
  error.name = 'AbortError';
  throw error;
}

export function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
