/**
 * The closing credits of an episode from two signals (issue 22). Pure.
 *
 * The single-title decision (server/detector: the picture and the text) says where the roll
 * begins. The end music the episode shares with its siblings (season.ts) is a second,
 * independent signal, but a coarse one: it often starts over the last scene, so it bounds
 * where the roll can begin without placing it. So the music never moves the start by itself
 * (combineCredits); it says how far to trust it:
 *
 * - the start lies in the shared music (from LEAD_SECONDS before it, for the ~1 s a
 *   fingerprint run's edge can be off, to its end): both agree, confidence rises;
 * - the start lies outside it (a dark last scene taken for the roll, a roll found after the
 *   music ended): confidence falls, so the review page lists the episode first;
 * - no credits found although the episode shares end music: "no credits" is less sure;
 * - no shared music (a finale with its own end music, a season of one, no audio): the
 *   single-title decision as it is.
 *
 * Never moving the start makes the combination no worse than the single-title decision on
 * any episode, by construction.
 *
 * The bound (musicBound, boundedCredits): a start well BEFORE the music (a dark last scene
 * taken for the roll) is looked for again by the detector with the credits not allowed to
 * start before `music.start - LEAD_SECONDS` (DetectorOptions.notBefore): the picture and the
 * text still place the roll, only inside the bound. A start the re-run finds inside the music
 * is the answer ('bounded-by-music', confidence raised as for 'agrees'); none, or one after
 * the music: the single-title answer as it was ('disagrees'). A start after the music's end
 * is left as it is ('disagrees'): the bound is only a lower one.
 */
import type { ClosingMusic } from './season.js';

/** What the single-title decision said (DetectionResult's fields). */
export interface SingleCredits {
  creditsStart: number | null;
  confidence: number;
}

/** How the shared end music bears on the single-title decision. */
export type MusicEvidence =
  | 'agrees'
  | 'disagrees'
  | 'music-without-credits'
  | 'none'
  /** The single-title start lay before the music; the detector, bounded by it, found one inside. */
  | 'bounded-by-music';

export interface CombinedCredits {
  /** The single-title start, unchanged; with 'bounded-by-music', the bounded re-run's. */
  creditsStart: number | null;
  confidence: number;
  evidence: MusicEvidence;
}

/** Seconds before the shared music's start that a roll may begin and still agree. */
export const LEAD_SECONDS = 3;
/** Share of the remaining doubt (1 − confidence) that agreeing music removes, at music confidence 1. */
const RAISE = 0.5;
/** Share of the confidence that disagreeing music removes, at music confidence 1. */
const LOWER = 0.3;

/** The single-title answer weighed by the shared end music of a title `duration` seconds long. */
export function combineCredits(
  single: SingleCredits,
  music: ClosingMusic | null,
  duration: number,
): CombinedCredits {
  const unchanged = { creditsStart: single.creditsStart, confidence: single.confidence };
  // Music past the end of the title came from other media (a stale fingerprint): not evidence.
  if (!music || !(music.end > music.start) || music.start >= duration) {
    return { ...unchanged, evidence: 'none' };
  }
  const weight = Math.min(1, Math.max(0, music.confidence));
  if (single.creditsStart === null) {
    return {
      ...unchanged,
      confidence: lower(single.confidence, weight),
      evidence: 'music-without-credits',
    };
  }
  const inside =
    single.creditsStart >= music.start - LEAD_SECONDS && single.creditsStart <= music.end;
  return inside
    ? { ...unchanged, confidence: raise(single.confidence, weight), evidence: 'agrees' }
    : { ...unchanged, confidence: lower(single.confidence, weight), evidence: 'disagrees' };
}

/**
 * Where a re-run of the detector must start the credits at the earliest, or null when the
 * single-title answer needs no re-run: only a start BEFORE the shared music (less its lead)
 * that combineCredits calls 'disagrees' gets one; a start after the music's end, none found,
 * or no music keeps the single-title answer (weighed by combineCredits).
 */
export function musicBound(
  single: SingleCredits,
  music: ClosingMusic | null,
  duration: number,
): number | null {
  if (single.creditsStart === null || !music) return null;
  if (combineCredits(single, music, duration).evidence !== 'disagrees') return null;
  const bound = music.start - LEAD_SECONDS;
  return single.creditsStart < bound ? Math.max(0, bound) : null;
}

/**
 * The answer once the bounded re-run (`rerun`: the detector with notBefore = musicBound) is
 * in: its start when it lies inside the shared music (from the bound to the music's end),
 * with its confidence raised as agreeing music raises it; otherwise the single-title answer
 * as combineCredits weighs it. `rerun` null: no re-run (musicBound said none, or it failed).
 */
export function boundedCredits(
  single: SingleCredits,
  rerun: SingleCredits | null,
  music: ClosingMusic | null,
  duration: number,
): CombinedCredits {
  const combined = combineCredits(single, music, duration);
  const bound = musicBound(single, music, duration);
  if (bound === null || !rerun || !music || rerun.creditsStart === null) return combined;
  if (rerun.creditsStart < bound || rerun.creditsStart > music.end) return combined;
  const weight = Math.min(1, Math.max(0, music.confidence));
  return {
    creditsStart: rerun.creditsStart,
    confidence: raise(rerun.confidence, weight),
    evidence: 'bounded-by-music',
  };
}

function raise(confidence: number, weight: number): number {
  return round(confidence + (1 - confidence) * RAISE * weight);
}

function lower(confidence: number, weight: number): number {
  return round(confidence * (1 - LOWER * weight));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
