/**
 * Where two Chromaprint fingerprints share audio (issue 22). Pure: no I/O, no clock.
 *
 * Written from intro-skipper's described rules, not its code:
 * 1. Items that say nothing are left out: runs of one repeated value (silence, a held
 *    tone) and values that recur all over a fingerprint.
 * 2. Candidate time shifts come from an inverted index of `b` (top KEY_BITS of an item →
 *    positions): every item of `a` votes for the shifts at which `b` has the same key.
 *    Keying on the top bits, not the whole value, keeps a vote when noise flips a low bit.
 * 3. At each candidate shift, items within `maxBitErrors` differing bits (popcount of the
 *    XOR) are similar; similar items closer than `mergeGapSeconds` join one run; a run of
 *    `minSeconds`..`maxSeconds` is shared audio.
 */
import { type AudioFingerprint, ITEM_SECONDS } from '../fingerprint/types.js';

/** A stretch of audio both files hold, in seconds from the start of each file. */
export interface SharedRun {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

export interface AlignOptions {
  /** Items whose XOR has at most this many set bits are similar (default 6). */
  maxBitErrors?: number;
  /** Similar items this close (seconds) join one run (default 3.5). */
  mergeGapSeconds?: number;
  /** Shortest shared run (default 15 s). */
  minSeconds?: number;
  /** Longest shared run (default 120 s); a longer one is not an intro or credits music. */
  maxSeconds?: number;
  /** Least share of a run's items that are similar (default 0.3), so chance hits don't chain. */
  minDensity?: number;
  /** A value more frequent than this share of a fingerprint's items "repeats everywhere" (default 0.02). */
  commonShare?: number;
  /** How many of the best-voted shifts are checked item by item (default 8). */
  candidateShifts?: number;
  /** Least votes for a shift to be checked (default 4). */
  minVotes?: number;
}

export const ALIGN_DEFAULTS: Required<AlignOptions> = {
  maxBitErrors: 6,
  mergeGapSeconds: 3.5,
  minSeconds: 15,
  maxSeconds: 120,
  minDensity: 0.3,
  commonShare: 0.02,
  candidateShifts: 8,
  minVotes: 4,
};

/** Bits of an item used as the inverted index's key. */
const KEY_BITS = 16;
/** A key shared by more positions than this is too common to vote. */
const MAX_BUCKET = 64;

/** The longest shared run of `a` and `b` within the bounds, or null. */
export function alignPair(
  a: AudioFingerprint,
  b: AudioFingerprint,
  options: AlignOptions = {},
): SharedRun | null {
  return sharedRuns(a, b, options)[0] ?? null;
}

/** Every distinct shared run of `a` and `b` within the bounds, longest first. */
export function sharedRuns(
  a: AudioFingerprint,
  b: AudioFingerprint,
  options: AlignOptions = {},
): SharedRun[] {
  const o = { ...ALIGN_DEFAULTS, ...options };
  const maskA = informativeItems(a.items, o.commonShare);
  const maskB = informativeItems(b.items, o.commonShare);
  const found: ItemRun[] = [];
  for (const shift of candidateShifts(a.items, maskA, b.items, maskB, o)) {
    found.push(...runsAtShift(a.items, maskA, b.items, maskB, shift, o));
  }
  return distinctRuns(found).map((run) => toSeconds(run, a, b));
}

/** 1 where an item can show shared audio, 0 for silence, held values and values found everywhere. */
export function informativeItems(items: Uint32Array, commonShare: number): Uint8Array {
  const n = items.length;
  const counts = new Map<number, number>();
  for (const value of items) counts.set(value, (counts.get(value) ?? 0) + 1);
  const common = Math.max(3, commonShare * n);
  const mask = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const value = items[i] as number;
    const held = (i > 0 && items[i - 1] === value) || (i + 1 < n && items[i + 1] === value);
    mask[i] = held || (counts.get(value) ?? 0) > common ? 0 : 1;
  }
  return mask;
}

/** Set bits of a 32-bit value. */
export function popcount32(value: number): number {
  let v = value >>> 0;
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** Shifts (b index − a index), best voted first, each a local peak. */
export function candidateShifts(
  a: Uint32Array,
  maskA: Uint8Array,
  b: Uint32Array,
  maskB: Uint8Array,
  o: Required<AlignOptions>,
): number[] {
  const index = keyIndex(b, maskB);
  const offset = a.length - 1;
  const votes = new Int32Array(a.length + b.length);
  for (let i = 0; i < a.length; i++) {
    if (!maskA[i]) continue;
    const key = (a[i] as number) >>> (32 - KEY_BITS);
    const from = index.starts[key] as number;
    const to = index.starts[key + 1] as number;
    if (to - from > MAX_BUCKET) continue;
    for (let k = from; k < to; k++) {
      const s = (index.positions[k] as number) - i + offset;
      votes[s] = (votes[s] as number) + 1;
    }
  }
  const peaks: { shift: number; votes: number }[] = [];
  for (let s = 0; s < votes.length; s++) {
    const v = votes[s] as number;
    if (v < o.minVotes) continue;
    if (v < (votes[s - 1] ?? 0) || v <= (votes[s + 1] ?? 0)) continue;
    peaks.push({ shift: s - offset, votes: v });
  }
  peaks.sort((x, y) => y.votes - x.votes || x.shift - y.shift);
  return peaks.slice(0, o.candidateShifts).map((peak) => peak.shift);
}

/** Positions of `items` grouped by key (counting sort): positions[starts[k] .. starts[k+1]). */
function keyIndex(items: Uint32Array, mask: Uint8Array) {
  const starts = new Int32Array((1 << KEY_BITS) + 1);
  for (let j = 0; j < items.length; j++) {
    if (!mask[j]) continue;
    const next = ((items[j] as number) >>> (32 - KEY_BITS)) + 1;
    starts[next] = (starts[next] as number) + 1;
  }
  for (let k = 1; k < starts.length; k++)
    starts[k] = (starts[k] as number) + (starts[k - 1] as number);
  const fill = starts.slice(0, -1);
  const positions = new Int32Array(starts[starts.length - 1] as number);
  for (let j = 0; j < items.length; j++) {
    if (!mask[j]) continue;
    const key = (items[j] as number) >>> (32 - KEY_BITS);
    positions[fill[key] as number] = j;
    fill[key] = (fill[key] as number) + 1;
  }
  return { starts, positions };
}

/** A run in item indexes: a[first..last] matches b[first+shift..last+shift]. */
interface ItemRun {
  first: number;
  last: number;
  shift: number;
}

/** The runs of similar items at one shift that fit the bounds. */
export function runsAtShift(
  a: Uint32Array,
  maskA: Uint8Array,
  b: Uint32Array,
  maskB: Uint8Array,
  shift: number,
  o: Required<AlignOptions>,
): ItemRun[] {
  const gap = Math.round(o.mergeGapSeconds / ITEM_SECONDS);
  const from = Math.max(0, -shift);
  const to = Math.min(a.length, b.length - shift);
  const runs: ItemRun[] = [];
  let first = -1;
  let last = -1;
  let similar = 0;
  const close = () => {
    if (first < 0) return;
    const seconds = (last - first + 1) * ITEM_SECONDS;
    const density = similar / (last - first + 1);
    if (seconds >= o.minSeconds && seconds <= o.maxSeconds && density >= o.minDensity) {
      runs.push({ first, last, shift });
    }
  };
  for (let i = from; i < to; i++) {
    if (!maskA[i] || !maskB[i + shift]) continue;
    if (popcount32((a[i] as number) ^ (b[i + shift] as number)) > o.maxBitErrors) continue;
    if (first >= 0 && i - last > gap) {
      close();
      first = -1;
    }
    if (first < 0) {
      first = i;
      similar = 0;
    }
    last = i;
    similar++;
  }
  close();
  return runs;
}

/** Longest first; a run mostly inside a longer one already kept (on either side) is dropped. */
function distinctRuns(runs: ItemRun[]): ItemRun[] {
  const sorted = [...runs].sort(
    (x, y) => y.last - y.first - (x.last - x.first) || x.first - y.first,
  );
  const kept: ItemRun[] = [];
  for (const run of sorted) {
    const overlaps = kept.some(
      (k) =>
        overlapShare(run.first, run.last, k.first, k.last) > 0.5 ||
        overlapShare(
          run.first + run.shift,
          run.last + run.shift,
          k.first + k.shift,
          k.last + k.shift,
        ) > 0.5,
    );
    if (!overlaps) kept.push(run);
  }
  return kept;
}

/** Share of the first span that the second covers (inclusive item indexes). */
function overlapShare(first: number, last: number, otherFirst: number, otherLast: number): number {
  const common = Math.min(last, otherLast) - Math.max(first, otherFirst) + 1;
  return Math.max(0, common) / (last - first + 1);
}

function toSeconds(run: ItemRun, a: AudioFingerprint, b: AudioFingerprint): SharedRun {
  return {
    aStart: startTime(a, run.first),
    aEnd: endTime(a, run.last),
    bStart: startTime(b, run.first + run.shift),
    bEnd: endTime(b, run.last + run.shift),
  };
}

/**
 * Where the audio of a run whose first similar item is `first` begins: the middle of what
 * that item describes, less half an item. Never before the window's start plus the item's
 * own time, so a run from the window's first item starts at the window (an intro at 0 s).
 */
function startTime(fingerprint: AudioFingerprint, first: number): number {
  const lead = (fingerprint.itemCenter ?? ITEM_SECONDS / 2) - ITEM_SECONDS / 2;
  const offset = first * ITEM_SECONDS + Math.min(lead, first * ITEM_SECONDS);
  return fingerprint.start + offset / (fingerprint.speed ?? 1);
}

/** Where the audio of a run whose last similar item is `last` ends. */
function endTime(fingerprint: AudioFingerprint, last: number): number {
  const center = fingerprint.itemCenter ?? ITEM_SECONDS / 2;
  const offset = last * ITEM_SECONDS + center + ITEM_SECONDS / 2;
  return fingerprint.start + offset / (fingerprint.speed ?? 1);
}
