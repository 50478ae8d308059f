/**
 * The decision step (PURE): per-frame credits scores over time -> where the closing credits
 * start and end, whether a scene follows them, and how sure we are.
 *
 * Model: the analysed range is cut into at most three runs, story | credits | post-credits,
 * where the credits run must reach the end or be followed only by a short post-credits run.
 * Each sample votes with the log-odds of its score, weighted by the stretch of time it stands
 * for, so a dense fine pass around the boundary doesn't outvote the coarse pass elsewhere;
 * scores are clipped so one confidently wrong frame can't flip a decision, and entering or
 * leaving the credits run costs a fixed penalty (the "switch cost" of a two-state HMM).
 * The best cut is found exhaustively with prefix sums (N <= a few thousand samples).
 *
 * Blank frames (black, fades, flat colour) say nothing about credits vs story: their vote is
 * scaled down by their blankness, and a credits run starts at its first non-blank frame.
 */
import type { Segment } from './types.js';

export interface ScoredSample {
  /** Seconds from the start of the title. */
  t: number;
  /** p(credits) from the classifier, 0..1. */
  p: number;
  /** How blank/transitional the frame is, 0..1 (black, fade, flat colour); 0 when unknown. */
  blank?: number;
  /** Complex motion around the frame, 0..1 (story-like); 0 when unknown. */
  motion?: number;
  /** What the frame's text reads as: +1 closing credits, -1 another text screen, 0 or absent unknown. */
  text?: number;
}

export interface DecideOptions {
  /** Duration of the whole title, seconds. */
  duration: number;
  /** Where the analysed range begins (samples cover [from, duration]); default: first sample. */
  from?: number;
  /** Classifier score that is evidence for neither side (default 0.5). */
  threshold?: number;
  /** Scores are clipped to [clip, 1 - clip] so no single frame is decisive (default 0.03). */
  clip?: number;
  /** Log-odds a fully "story-like motion" frame loses (default 3, tuned on generated titles). */
  motionWeight?: number;
  /**
   * Log-odds a frame's text cue adds (+1) or takes away (-1) (default 10: a second of text
   * that reads "Coming soon" outweighs more than two seconds of the most confident frame
   * score, which is clipped at log-odds 3.5; the cue is what the words say, the score a guess).
   */
  textWeight?: number;
  /** Longest time one sample may stand for, seconds (default 6). */
  maxSampleWeight?: number;
  /** Cost of entering (and of leaving) the credits run, in weighted log-odds (default 0.5..2 by range). */
  switchCost?: number;
  /** Longest post-credits run, seconds (default 25% of duration, 15 s..10 min). */
  maxPostCredits?: number;
  /**
   * Longest post-credits run as a multiple of the credits run before it (default 1). A
   * post-credits scene follows long credits; a short card followed by a longer stretch of
   * story is an opening card ("X presents") or an in-story title, not closing credits.
   */
  maxPostRatio?: number;
  /** Evidence a credits run needs beyond the switch cost (default scales with the range). */
  minEvidence?: number;
  /** Starts closer than this are "the same answer" when judging confidence, seconds (default 2). */
  tolerance?: number;
  /**
   * Score that confirms credits (default 0.7). The chosen credits run starts where the frames
   * scoring above it outweigh those below it to the run's end: a lead-in of lukewarm frames
   * (a fade, text over the last shot, a title card) stays with the story. Showing "Next
   * episode" a little late costs less than showing it over the ending.
   */
  confirmThreshold?: number;
  /**
   * Longest lead-in (seconds) the confirmation may move the start past (default 8): a longer
   * lukewarm stretch is credits over picture, which do count.
   */
  maxConfirmShift?: number;
  /**
   * Shortest stretch of black (seconds) inside a credits run that may part a lead-in from it
   * (default 2; Infinity: never). A lead-in shorter than the black after it, with no credits
   * text read on it, is the story's last shot (a banner, a "You win" screen): the credits
   * start after the black, as closing credits usually do.
   */
  minLeadInGap?: number;
  /**
   * Seconds before which the credits may not start (issue 22: the end music an episode shares
   * with its siblings bounds where its roll can begin). Samples before it count as story: no
   * credits run starts at one, and a run's start is never put before it. Default: no bound.
   */
  notBefore?: number;
}

export interface Decision {
  creditsStart: number | null;
  creditsEnd: number | null;
  segments: Segment[];
  /** 0..1: how sure the answer is (that there are no credits, when creditsStart is null). */
  confidence: number;
  /**
   * The interval the start lies in: (last sample before it, first credits sample]. The fine
   * pass samples inside it until it is short enough; null when there are no credits.
   */
  startBracket: { before: number; after: number } | null;
  /** Same for the end of the credits run (null when the credits run to the end). */
  endBracket: { before: number; after: number } | null;
  /** Diagnostics: the evidence margin of the chosen answer over "no credits". */
  score: number;
  /**
   * With no credits found: the run that came closest, when its frames lean towards credits
   * but not enough (worth reading its text); null otherwise.
   */
  candidate: { start: number; end: number } | null;
}

interface Prepared {
  t: number[];
  /** weighted log-odds for credits vs story */
  v: number[];
  /** each vote's weight (time it stands for x how solid the frame is) */
  mass: number[];
  blank: number[];
  /** text cue per sample (-1 other text screen, 0 unknown, +1 credits text) */
  text: number[];
  /** log-odds of the (clipped) threshold: what every vote was measured against */
  bias: number;
  clip: number;
}

const BLANK_FRAME = 0.5;

export function decideCredits(samples: readonly ScoredSample[], options: DecideOptions): Decision {
  const duration = Math.max(0, options.duration);
  const prepared = prepare(samples, options);
  if (prepared.t.length === 0) return noCredits(0, 0, null);
  const runs = indexRuns(prepared, duration, options);
  const search = searchRuns(runs);
  if (search.best.a < 0 || search.best.score < runs.minEvidence) {
    return noCreditsFound(search, runs);
  }
  return creditsFound(prepared, runs, search, options);
}

/** The limits a credits run must keep, and look-ups over the samples for the run search. */
interface RunIndex {
  n: number;
  from: number;
  duration: number;
  switchCost: number;
  maxPost: number;
  maxPostRatio: number;
  minEvidence: number;
  tolerance: number;
  /** Sum of the first i votes at i. */
  prefix: Float64Array;
  /** First non-blank sample at or after i (n when none): where a credits run really starts. */
  nextSolid: Int32Array;
  /** 1 where a frame read as another kind of text screen lies at or after i. */
  otherTextFrom: Uint8Array;
  /** Boundary time between sample i-1 and i (the run [i, ...) starts there). */
  cutTime: (i: number) => number;
  /** First sample a credits run may start at (`notBefore`; 0 without a bound, n when none may). */
  firstStart: number;
  /** `notBefore`, or -Infinity. */
  notBefore: number;
}

/** The best runs found: overall, the best with evidence for credits, and per start. */
interface RunSearch {
  best: { score: number; a: number; b: number };
  closest: { score: number; a: number; b: number };
  /** Best score per snapped start, to judge how unique the chosen start is. */
  bestByStart: Map<number, number>;
}

function indexRuns(prepared: Prepared, duration: number, options: DecideOptions): RunIndex {
  const { t, v, blank, text } = prepared;
  const n = t.length;
  const from = Math.min(options.from ?? t[0] ?? 0, t[0] ?? 0);
  const span = Math.max(duration, at(t, n - 1)) - from;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = (prefix[i] as number) + at(v, i);
  const notBefore = Number.isFinite(options.notBefore)
    ? (options.notBefore as number)
    : Number.NEGATIVE_INFINITY;
  let firstStart = 0;
  while (firstStart < n && at(t, firstStart) < notBefore) firstStart++;
  return {
    n,
    from,
    duration,
    // Short clips get a cheaper switch: a one-second end card must be able to pay for it.
    switchCost: options.switchCost ?? clamp(0.02 * span, 0.5, 2),
    maxPost: options.maxPostCredits ?? clamp(0.25 * duration, 15, 600),
    maxPostRatio: options.maxPostRatio ?? 1,
    // Longer analysed ranges need more evidence: in-story text near the end of a film is
    // likelier than in a 20-second clip, and real closing credits are longer there too.
    minEvidence: options.minEvidence ?? clamp(0.04 * span, 0.3, 8),
    tolerance: options.tolerance ?? 2,
    prefix,
    nextSolid: nextSolidFrames(blank),
    otherTextFrom: otherTextAhead(text),
    cutTime: (i) => {
      if (i >= n) return duration;
      const cut = i <= 0 ? from : (at(t, i - 1) + at(t, i)) / 2;
      // The cut before the first sample a run may start at is not before the bound (a run
      // starting there starts at the bound at the earliest).
      return i === firstStart ? Math.max(cut, notBefore) : cut;
    },
    firstStart,
    notBefore,
  };
}

function nextSolidFrames(blank: readonly number[]): Int32Array {
  const n = blank.length;
  const nextSolid = new Int32Array(n + 1);
  nextSolid[n] = n;
  for (let i = n - 1; i >= 0; i--) {
    nextSolid[i] = at(blank, i) < BLANK_FRAME ? i : (nextSolid[i + 1] as number);
  }
  return nextSolid;
}

/**
 * Closing credits are followed by black, the end, or a post-credits scene, not by another
 * kind of text screen ("Coming soon", a score table): that is a trailer's or a game's
 * sequence of cards.
 */
function otherTextAhead(text: readonly number[]): Uint8Array {
  const n = text.length;
  const otherTextFrom = new Uint8Array(n + 1);
  for (let i = n - 1; i >= 0; i--) {
    otherTextFrom[i] = at(text, i) < 0 ? 1 : (otherTextFrom[i + 1] as number);
  }
  return otherTextFrom;
}

/** Every credits run [a, b) the limits allow, scored by its evidence less the switch costs. */
function searchRuns(runs: RunIndex): RunSearch {
  const { n, duration, prefix, nextSolid, otherTextFrom, cutTime, switchCost } = runs;
  const { maxPost, maxPostRatio } = runs;
  let best = { score: 0, a: -1, b: -1 };
  let closest = { score: Number.NEGATIVE_INFINITY, a: -1, b: -1 };
  const bestByStart = new Map<number, number>();
  // Samples before the bound are story: no run starts at one.
  for (let a = runs.firstStart; a < n; a++) {
    const start = nextSolid[a] as number;
    if (start >= n) break; // nothing but blank frames from here on
    if (start !== a) continue; // same run as starting at `start`, which is counted there
    for (let b = n; b > a; b--) {
      const postLength = duration - cutTime(b);
      const creditsLength = cutTime(b) - cutTime(a);
      // Moving b down only lengthens the post run and shortens the credits: stop at the first miss.
      if (b < n && (postLength > maxPost || postLength > maxPostRatio * creditsLength)) break;
      if (b < n && otherTextFrom[b]) break;
      const evidence = (prefix[b] as number) - (prefix[a] as number);
      const score = evidence - switchCost - (b < n ? switchCost : 0);
      if (score > (bestByStart.get(a) ?? Number.NEGATIVE_INFINITY)) bestByStart.set(a, score);
      if (score > best.score) best = { score, a, b };
      if (evidence > 0 && score > closest.score) closest = { score, a, b };
    }
  }
  return { best, closest, bestByStart };
}

/** No credits: sure when even the best credits run scores well below the bar. */
function noCreditsFound({ closest, bestByStart }: RunSearch, runs: RunIndex): Decision {
  const bestAny = Math.max(...bestByStart.values(), Number.NEGATIVE_INFINITY);
  const margin = Number.isFinite(bestAny) ? runs.minEvidence - bestAny : 10;
  const candidate =
    closest.a < 0
      ? null
      : { start: round3(runs.cutTime(closest.a)), end: round3(runs.cutTime(closest.b)) };
  return noCredits(sigmoid(margin / 3), Number.isFinite(bestAny) ? bestAny : 0, candidate);
}

/** The best run as the answer: its confirmed start, trimmed end, segments and brackets. */
function creditsFound(
  prepared: Prepared,
  runs: RunIndex,
  { best, bestByStart }: RunSearch,
  options: DecideOptions,
): Decision {
  const { t, blank } = prepared;
  const { n, from, duration, nextSolid, cutTime } = runs;
  const { b } = best;
  const a = startAfterBlackGap(
    prepared,
    confirmedStart(prepared, best.a, b, nextSolid, options),
    b,
    nextSolid,
    options,
  );
  // Trim trailing blank frames off the credits run: the credits end where the text goes.
  let last = b - 1;
  while (last > a && at(blank, last) >= BLANK_FRAME) last--;
  const startAt = cutTime(a);
  const creditsEnd = round3(last < b - 1 ? (at(t, last) + at(t, last + 1)) / 2 : cutTime(b));
  const segments: Segment[] = [
    { kind: 'credits', start: round3(startAt), end: Math.max(round3(startAt), creditsEnd) },
  ];
  if (b < n) {
    segments.push({ kind: 'post-credits', start: round3(cutTime(b)), end: round3(duration) });
  }
  const startBracket = {
    // The start is not before the bound: the fine pass need not look there.
    before: Math.max(a === 0 ? Math.min(from, at(t, 0)) : at(t, a - 1), runs.notBefore),
    after: at(t, a),
  };
  const endBracket = b < n ? { before: at(t, b - 1), after: at(t, b) } : null;

  return {
    creditsStart: round3(startAt),
    creditsEnd: segments[0]?.end ?? creditsEnd,
    segments,
    confidence: creditsConfidence(best.score, a, bestByStart, runs),
    startBracket,
    endBracket,
    score: best.score,
    candidate: null,
  };
}

/**
 * Sure that credits exist (margin over "none") x sure of where they start (margin over the
 * best start more than `tolerance` seconds away from `a`).
 */
function creditsConfidence(
  score: number,
  a: number,
  bestByStart: ReadonlyMap<number, number>,
  runs: RunIndex,
): number {
  const { cutTime, tolerance } = runs;
  let bestFar = Number.NEGATIVE_INFINITY;
  for (const [start, startScore] of bestByStart) {
    if (Math.abs(cutTime(start) - cutTime(a)) > tolerance) bestFar = Math.max(bestFar, startScore);
  }
  const exists = sigmoid((score - runs.minEvidence) / 3);
  const placed = Number.isFinite(bestFar) ? sigmoid(score - bestFar) : 1;
  return round3(clamp(exists * placed, 0, 1));
}

/**
 * A per-title threshold from the first half of an analysed tail, which is story in practice
 * (closing credits are a small part of a title's last quarter): a classifier that scores this
 * title's story at 0.7 shouldn't have 0.7 count as evidence of credits. Only for tails of
 * longer titles (from > 0); short titles, which may be all credits, keep the default.
 */
export function storyThreshold(
  samples: readonly ScoredSample[],
  options: {
    from: number;
    duration: number;
    base?: number;
    quantile?: number;
    max?: number;
    /** Calibrate whole titles too (from = 0). */
    always?: boolean;
  },
): number {
  const base = options.base ?? 0.5;
  if (!(options.from > 0) && !options.always) return base;
  const mid = options.from + (options.duration - options.from) / 2;
  const story = samples
    .filter((s) => s.t < mid && (s.blank ?? 0) < BLANK_FRAME && Number.isFinite(s.p))
    .map((s) => s.p)
    .sort((a, b) => a - b);
  if (story.length < 8) return base;
  const q = story[Math.min(story.length - 1, Math.floor((options.quantile ?? 0.8) * story.length))];
  return clamp(q ?? base, base, options.max ?? 0.9);
}

/** Sorted, de-duplicated samples turned into weighted votes. */
function prepare(samples: readonly ScoredSample[], options: DecideOptions): Prepared {
  const threshold = options.threshold ?? 0.5;
  const clip = options.clip ?? 0.03;
  const maxWeight = options.maxSampleWeight ?? 6;
  const motionWeight = options.motionWeight ?? 3;
  const textWeight = options.textWeight ?? 10;
  const bias = logit(clamp(threshold, clip, 1 - clip));

  const sorted = samples
    .filter((s) => Number.isFinite(s.t) && Number.isFinite(s.p))
    .slice()
    .sort((x, y) => x.t - y.t);
  // Merge samples at the same time (a frame decoded twice) by averaging.
  const merged: Array<{
    t: number;
    p: number;
    blank: number;
    motion: number;
    text: number;
    count: number;
  }> = [];
  for (const s of sorted) {
    const prev = merged[merged.length - 1];
    const blank = clamp(s.blank ?? 0, 0, 1);
    const motion = clamp(s.motion ?? 0, 0, 1);
    const text = clamp(s.text ?? 0, -1, 1);
    if (prev && Math.abs(prev.t - s.t) < 1e-6) {
      prev.motion = Math.max(prev.motion, motion);
      if (text !== 0) prev.text = text;
      prev.p = (prev.p * prev.count + s.p) / (prev.count + 1);
      prev.blank = (prev.blank * prev.count + blank) / (prev.count + 1);
      prev.count++;
    } else {
      merged.push({ t: s.t, p: s.p, blank, motion, text, count: 1 });
    }
  }

  const n = merged.length;
  const t = merged.map((s) => s.t);
  const from = Math.min(options.from ?? at(t, 0), at(t, 0));
  const end = Math.max(options.duration, at(t, n - 1));
  const v: number[] = [];
  const mass: number[] = [];
  const blank: number[] = [];
  const text: number[] = [];
  for (let i = 0; i < n; i++) {
    const s = merged[i] as (typeof merged)[number];
    // The stretch this sample stands for: halfway to each neighbour (the range edges at the ends).
    const left = i === 0 ? s.t - from : (s.t - at(t, i - 1)) / 2;
    const right = i === n - 1 ? end - s.t : (at(t, i + 1) - s.t) / 2;
    const weight = Math.min(maxWeight, Math.max(0.04, left + right));
    const q = clamp(s.p, clip, 1 - clip);
    const solid = 1 - s.blank;
    const evidence = logit(q) - bias - motionWeight * s.motion + textWeight * s.text;
    v.push(evidence * weight * solid);
    mass.push(weight * solid);
    blank.push(s.blank);
    text.push(s.text);
  }
  return { t, v, mass, blank, text, bias, clip };
}

/**
 * Where the credits run [a, b) really starts: the start whose suffix up to b has the most
 * evidence when votes are counted against `confirmThreshold` instead of the threshold.
 * Stays at `a` when no suffix is confirmed (lukewarm credits all along).
 */
function confirmedStart(
  prepared: Prepared,
  a: number,
  b: number,
  nextSolid: Int32Array,
  options: DecideOptions,
): number {
  const { clip } = prepared;
  const extra = logit(clamp(options.confirmThreshold ?? 0.7, clip, 1 - clip)) - prepared.bias;
  if (!(extra > 0)) return a;
  let suffix = 0;
  let best = { sum: 0, at: a };
  for (let i = b - 1; i >= a; i--) {
    suffix += at(prepared.v, i) - extra * at(prepared.mass, i);
    // >= : among equal suffixes the earliest start wins.
    if (suffix >= best.sum && suffix > 0) best = { sum: suffix, at: i };
  }
  const start = Math.min(nextSolid[best.at] as number, b - 1);
  const shift = at(prepared.t, start) - at(prepared.t, a);
  return shift <= (options.maxConfirmShift ?? 8) ? start : a;
}

/**
 * Where the credits run [a, b) starts once a short lead-in before a long black gap is left to
 * the story (see `minLeadInGap`); `a` when there is none.
 */
function startAfterBlackGap(
  prepared: Prepared,
  a: number,
  b: number,
  nextSolid: Int32Array,
  options: DecideOptions,
): number {
  const { t, blank, text } = prepared;
  const minGap = options.minLeadInGap ?? 2;
  let start = a;
  for (let i = a; i < b; i++) {
    if (at(blank, i) < BLANK_FRAME) {
      if (at(text, i) > 0) return start; // credits text in the lead-in: it is credits
      continue;
    }
    const after = nextSolid[i] as number;
    if (after >= b) return start;
    const gap = at(t, after) - at(t, i);
    const leadIn = at(t, i) - at(t, start);
    if (gap >= minGap && leadIn < gap) start = after;
    i = after - 1;
  }
  return start;
}

function noCredits(confidence: number, score: number, candidate: Decision['candidate']): Decision {
  return {
    creditsStart: null,
    creditsEnd: null,
    segments: [],
    confidence: round3(clamp(confidence, 0, 1)),
    startBracket: null,
    endBracket: null,
    score,
    candidate,
  };
}

function at(values: ArrayLike<number>, i: number): number {
  return values[i] as number;
}

function logit(p: number): number {
  return Math.log(p / (1 - p));
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function clamp(x: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, x));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
