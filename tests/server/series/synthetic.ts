/** Synthetic Chromaprint-like fingerprints for the alignment tests: seeded, no audio. */
import { type AudioFingerprint, ITEM_SECONDS } from '../../../server/fingerprint/types.js';

/** mulberry32: a small seeded PRNG giving uint32s. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}

/** `seconds` of random items (unrelated audio). */
export function randomItems(seed: number, seconds: number): Uint32Array {
  const next = seeded(seed);
  return Uint32Array.from({ length: Math.round(seconds / ITEM_SECONDS) }, () => next());
}

/** A copy with 1..maxBits bits flipped in `share` of the items (re-encoding, another mix). */
export function withBitNoise(
  items: Uint32Array,
  seed: number,
  share = 0.5,
  maxBits = 3,
): Uint32Array {
  const next = seeded(seed);
  return items.map((item) => {
    if (next() / 2 ** 32 >= share) return item;
    let value = item;
    const bits = 1 + (next() % maxBits);
    for (let k = 0; k < bits; k++) value ^= 1 << (next() % 32);
    return value >>> 0;
  });
}

export interface EpisodePlan {
  /** Seed of this episode's story. */
  seed: number;
  /** Seconds of story before the theme (a cold open). */
  introAt: number;
  /** Seconds of the theme used: [from, to) of the season's theme (default all of it). */
  theme?: { from: number; to: number };
  /** Whole window length, seconds. */
  seconds: number;
}

/** An opening window: story, the season theme (with bit noise) at `introAt`, story. */
export function episode(theme: Uint32Array, plan: EpisodePlan): AudioFingerprint {
  const story = randomItems(plan.seed, plan.seconds);
  const from = Math.round((plan.theme?.from ?? 0) / ITEM_SECONDS);
  const to = plan.theme ? Math.round(plan.theme.to / ITEM_SECONDS) : theme.length;
  const part = withBitNoise(theme.subarray(from, to), plan.seed + 1000);
  const at = Math.round(plan.introAt / ITEM_SECONDS);
  story.set(part, at);
  return { start: 0, items: story };
}
