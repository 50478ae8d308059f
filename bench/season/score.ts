/**
 * Scores a method's answers on the generated season against its truth (issue 22). Pure.
 *
 * Intro errors are measured on the episodes that have an intro and got one; an episode with
 * an intro that got none is a miss, and one without an intro that got one is a false intro.
 * Credits errors are signed (positive: late) on the episodes that got a start.
 */

export interface Span {
  start: number;
  end: number;
}

export interface EpisodeTruth {
  intro: Span | null;
  creditsStart: number;
}

export interface EpisodeAnswer {
  intro: Span | null;
  creditsStart: number | null;
}

export interface ErrorStats {
  /** Episodes the errors were measured on. */
  count: number;
  mean: number;
  max: number;
  /** How many were within `tolerance`. */
  within: number;
  tolerance: number;
}

export interface SeasonScore {
  introStart: ErrorStats;
  introEnd: ErrorStats;
  /** Episodes with an intro that got none. */
  introMissed: number;
  /** Episodes without an intro: how many got none (right), and how many there are. */
  noIntroRight: number;
  noIntroTotal: number;
  /** Episodes without an intro that got one. */
  falseIntros: number;
  credits: ErrorStats;
  /** Signed credits errors per episode (null: no start given). */
  creditsSigned: (number | null)[];
  creditsMissed: number;
}

export const INTRO_TOLERANCE = 1;
export const CREDITS_TOLERANCE = 2;

export function scoreSeason(
  truth: readonly EpisodeTruth[],
  answers: readonly EpisodeAnswer[],
): SeasonScore {
  if (truth.length !== answers.length) {
    throw new RangeError(`scoreSeason: ${truth.length} truths but ${answers.length} answers`);
  }
  const starts: number[] = [];
  const ends: number[] = [];
  let introMissed = 0;
  let noIntroRight = 0;
  let noIntroTotal = 0;
  let falseIntros = 0;
  const creditsSigned: (number | null)[] = [];
  truth.forEach((t, i) => {
    const a = answers[i] as EpisodeAnswer;
    if (t.intro && a.intro) {
      starts.push(Math.abs(a.intro.start - t.intro.start));
      ends.push(Math.abs(a.intro.end - t.intro.end));
    } else if (t.intro) {
      introMissed++;
    } else {
      noIntroTotal++;
      if (a.intro) falseIntros++;
      else noIntroRight++;
    }
    creditsSigned.push(a.creditsStart === null ? null : a.creditsStart - t.creditsStart);
  });
  const credits = creditsSigned.filter((e): e is number => e !== null).map(Math.abs);
  return {
    introStart: stats(starts, INTRO_TOLERANCE),
    introEnd: stats(ends, INTRO_TOLERANCE),
    introMissed,
    noIntroRight,
    noIntroTotal,
    falseIntros,
    credits: stats(credits, CREDITS_TOLERANCE),
    creditsSigned,
    creditsMissed: creditsSigned.filter((e) => e === null).length,
  };
}

function stats(errors: readonly number[], tolerance: number): ErrorStats {
  const count = errors.length;
  return {
    count,
    mean: count ? errors.reduce((s, e) => s + e, 0) / count : 0,
    max: count ? Math.max(...errors) : 0,
    within: errors.filter((e) => e <= tolerance).length,
    tolerance,
  };
}
