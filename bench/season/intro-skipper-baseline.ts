/**
 * A baseline with intro-skipper's rules as issue 22 describes them, for the season bench.
 * Written from that description only (intro-skipper's code is GPL; none of it is used or
 * was read). Pure: fingerprints in, times out.
 *
 * - Windows: the first 25% of an episode capped at 10 min, and the last 25% (the caller
 *   fingerprints them; server/fingerprint/windows.ts has the same defaults).
 * - Two items are similar when they differ in at most 6 bits.
 * - At every time shift between two fingerprints, similar items closer than 3.5 s join one
 *   run; a run of 15-120 s is shared audio; the longest shared run of the pair wins.
 * - An intro starting under 5 s is snapped to 0.
 * - An item's time is its index times the item length (no allowance for the ~1.3 s of
 *   audio an item looks ahead over, which EndCue's alignment makes).
 * - Per episode: its side of the longest run it shares with any sibling. Credits: the same
 *   on the closing windows; the run's start is the credits start. Nothing shared: null.
 */
import { ITEM_SECONDS } from '../../server/fingerprint/types.js';

export const BASELINE_RULES = {
  maxBitErrors: 6,
  mergeGapSeconds: 3.5,
  minSeconds: 15,
  maxSeconds: 120,
  snapToZeroSeconds: 5,
} as const;

/** Raw fingerprint items and where (seconds into the file) the first one is. */
export interface BaselineFingerprint {
  start: number;
  items: Uint32Array;
}

export interface BaselineRun {
  aStart: number;
  aEnd: number;
  bStart: number;
  bEnd: number;
}

export interface BaselineSpan {
  start: number;
  end: number;
}

/** Set bits of a 32-bit value. */
export function popcount(value: number): number {
  let v = value - ((value >>> 1) & 0x55555555);
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** The longest shared run of `a` and `b` over every shift, within 15-120 s, or null. */
export function baselinePair(a: BaselineFingerprint, b: BaselineFingerprint): BaselineRun | null {
  const maxGap = Math.floor(BASELINE_RULES.mergeGapSeconds / ITEM_SECONDS);
  let best: { first: number; last: number; shift: number } | null = null;
  // shift = index in a - index in b.
  for (let shift = -(b.items.length - 1); shift < a.items.length; shift++) {
    const from = Math.max(0, shift);
    const to = Math.min(a.items.length, b.items.length + shift);
    let first = -1;
    let last = -1;
    const close = () => {
      if (first < 0) return;
      const seconds = (last - first + 1) * ITEM_SECONDS;
      const inBounds = seconds >= BASELINE_RULES.minSeconds && seconds <= BASELINE_RULES.maxSeconds;
      if (inBounds && (!best || last - first > best.last - best.first)) {
        best = { first, last, shift };
      }
    };
    for (let i = from; i < to; i++) {
      const errors = popcount(((a.items[i] ?? 0) ^ (b.items[i - shift] ?? 0)) >>> 0);
      if (errors > BASELINE_RULES.maxBitErrors) continue;
      if (first >= 0 && i - last <= maxGap) {
        last = i;
      } else {
        close();
        first = i;
        last = i;
      }
    }
    close();
  }
  if (!best) return null;
  const { first, last, shift } = best as { first: number; last: number; shift: number };
  return {
    aStart: a.start + first * ITEM_SECONDS,
    aEnd: a.start + (last + 1) * ITEM_SECONDS,
    bStart: b.start + (first - shift) * ITEM_SECONDS,
    bEnd: b.start + (last - shift + 1) * ITEM_SECONDS,
  };
}

/**
 * Each episode's shared span: its side of the longest run it shares with any sibling
 * (null entries, episodes without audio, are skipped and answer null). `snap` moves a start
 * under 5 s to 0 (intros; not credits).
 */
export function baselineSeason(
  windows: readonly (BaselineFingerprint | null)[],
  snap: boolean,
): (BaselineSpan | null)[] {
  const best: (BaselineSpan | null)[] = windows.map(() => null);
  const keep = (episode: number, start: number, end: number) => {
    const current = best[episode];
    if (!current || end - start > current.end - current.start) best[episode] = { start, end };
  };
  for (let a = 0; a < windows.length; a++) {
    for (let b = a + 1; b < windows.length; b++) {
      const wa = windows[a];
      const wb = windows[b];
      if (!wa || !wb) continue;
      const run = baselinePair(wa, wb);
      if (!run) continue;
      keep(a, run.aStart, run.aEnd);
      keep(b, run.bStart, run.bEnd);
    }
  }
  if (!snap) return best;
  return best.map((span) =>
    span && span.start < BASELINE_RULES.snapToZeroSeconds ? { ...span, start: 0 } : span,
  );
}

/** Intros: the opening windows, starts under 5 s snapped to 0. */
export function baselineIntros(
  openings: readonly (BaselineFingerprint | null)[],
): (BaselineSpan | null)[] {
  return baselineSeason(openings, true);
}

/** Credits starts: where the closing windows' longest shared run begins, or null. */
export function baselineCredits(
  closings: readonly (BaselineFingerprint | null)[],
): (number | null)[] {
  return baselineSeason(closings, false).map((span) => span?.start ?? null);
}
