/**
 * `--min-confidence` for the exports (`endcue export`, `scan --sidecars`): a detected start
 * the stored answer is less sure of than this is left out of the sidecars and chapters, so
 * a media server does not skip story as credits; the plugin's `minConfidence` does the same
 * for the card. A start set by hand always stays. PURE.
 */
import { EndcueError } from '../errors.js';
import type { CreditsAnswer } from '../http/service.js';

/** The flag's value: a number from 0 to 1 (0.8, not 80). */
export function parseMinConfidence(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new EndcueError('invalid-input', `--min-confidence ${value}: not a number from 0 to 1`, {
      hint: 'Use a confidence such as 0.8: starts reported below it are left out of the exports.',
    });
  }
  return n;
}

/** A detected start the exports left out, and how sure of it the answer was. */
export interface LeftOutStart {
  creditsStart: number;
  confidence: number;
}

/**
 * The answer as the exports mark it: below `min`, no credits (a programme chapter, and the
 * intro, if any), and `leftOut` says which start was dropped.
 */
export function trustedAnswer(
  answer: CreditsAnswer,
  min: number,
): { answer: CreditsAnswer; leftOut?: LeftOutStart } {
  const { creditsStart, confidence } = answer;
  if (creditsStart === null || answer.source === 'manual' || confidence >= min) return { answer };
  return {
    answer: {
      ...answer,
      creditsStart: null,
      creditsEnd: null,
      segments: answer.segments.filter((s) => s.kind === 'intro'),
    },
    leftOut: { creditsStart, confidence },
  };
}
