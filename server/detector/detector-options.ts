/**
 * How a detector may be tuned and what it may be given (a classifier, an OCR reader). Its own
 * module so the detector (detect.ts) and its sampling state (sampler.ts) both import it
 * without importing each other.
 */
import type { BackendName, FrameClassifier } from './classify.js';
import type { DecideOptions } from './decide.js';
import type { TailSpec } from './tail.js';
import type { TextReader } from './text-reader.js';

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
  decide?: Partial<Omit<DecideOptions, 'duration' | 'from' | 'notBefore'>>;
  /**
   * Seconds before which the credits may not start (issue 22: the end music an episode shares
   * with its siblings bounds its roll). Samples before it count as story for the decision,
   * the tail is not extended backwards past it, text is not read before it, and a credits
   * chapter marked before it is not taken. Default: no bound.
   */
  notBefore?: number;
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
  /** Most frames read by OCR per title (default 16). */
  maxTextReads?: number;
  /**
   * URL sources are read through this HTTP proxy (the server's egress check, which holds
   * every connection ffmpeg makes to the source policy: egress-proxy.ts).
   */
  httpProxy?: string;
}
