/**
 * The closing credits of an episode from two signals (issue 22). Pure.
 *
 * The single-title decision (server/detector: the picture and the text) says where the roll
 * begins. The end music the episode shares with its siblings (season.ts) is a second,
 * independent signal, but a coarse one: it often starts over the last scene, so it bounds
 * where the roll can begin without placing it. So the music never moves the start; it only
 * says how far to trust it:
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
 */
import type { ClosingMusic } from './season.js';

/** What the single-title decision said (DetectionResult's fields). */
export interface SingleCredits {
  creditsStart: number | null;
  confidence: number;
}

/** How the shared end music bears on the single-title decision. */
export type MusicEvidence = 'agrees' | 'disagrees' | 'music-without-credits' | 'none';

export interface CombinedCredits {
  /** The single-title start, unchanged. */
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

function raise(confidence: number, weight: number): number {
  return round(confidence + (1 - confidence) * RAISE * weight);
}

function lower(confidence: number, weight: number): number {
  return round(confidence * (1 - LOWER * weight));
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
