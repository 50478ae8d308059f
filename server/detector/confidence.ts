/**
 * How far to trust a credits start (PURE): the decision step's confidence measures how
 * clearly the frame scores separate story from credits, not whether those scores are right.
 * On titles it was not tuned on, the classifier calls text screens "credits" (opening
 * titles, slides, captions) with scores as high as real credits get, so a start that no
 * credits text confirms is capped: what it says has not been read, only guessed.
 */
import type { TextCue } from './text-plan.js';

/** A reading of the text check: when, and what it said. */
export interface TimedCue {
  t: number;
  cue: TextCue;
}

/** Most confidence for a start whose run no reading confirms as credits text. */
export const UNREAD_CAP = 0.75;

/** Seconds around the credits run a confirming reading may lie (a coarse sample's reach). */
const READ_REACH_S = 1;

/**
 * Seconds after the start within which credits text must be read to confirm the start
 * itself. A reading later in the run confirms that credits are there, not that they begin
 * where the frames say: story cards or a title before the roll can open the run. Chosen on
 * the tuning titles, whose confirmed starts were all read within 3.7 s.
 */
export const START_CONFIRM_S = 5;

export interface ConfidenceInput {
  /** The decision's answer. */
  creditsStart: number | null;
  creditsEnd: number | null;
  confidence: number;
  /** The text check's readings (empty when none were made or OCR was unavailable). */
  reads: readonly TimedCue[];
  /** A credits chapter confirmed the start (marks are made by people: trusted). */
  chapter: boolean;
}

/**
 * The confidence to report: the decision's, capped at UNREAD_CAP when a start was found but
 * no reading in the first START_CONFIRM_S of its credits run read as credits. "No credits"
 * answers keep theirs.
 */
export function reportedConfidence(input: ConfidenceInput): number {
  const { creditsStart, confidence } = input;
  if (creditsStart === null || input.chapter) return confidence;
  const end = Math.min(
    input.creditsEnd ?? Number.POSITIVE_INFINITY,
    creditsStart + START_CONFIRM_S,
  );
  const confirmed = input.reads.some(
    (r) => r.cue === 1 && r.t >= creditsStart - READ_REACH_S && r.t <= end + READ_REACH_S,
  );
  return confirmed ? confidence : Math.min(confidence, UNREAD_CAP);
}
