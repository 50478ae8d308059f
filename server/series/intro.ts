/**
 * A season's intros from what its episodes share (issue 22). Pure.
 *
 * Each pair of episodes is aligned (align.ts); an episode's candidates are its side of every
 * run it shares with a sibling. Candidates that overlap are one stretch of audio seen by
 * several siblings; the intro is the stretch the most siblings share (ties: the length
 * closest to the season's usual shared length, then the earliest), as the union of what
 * they saw (less the most outlying quarter of edges when three or more siblings saw it), so an
 * episode whose intro was cut short elsewhere keeps its whole intro.
 * Where the story starts (a cold open) does not matter: the run starts where the theme does.
 */
import type { AudioFingerprint } from '../fingerprint/types.js';
import { type AlignOptions, type SharedRun, sharedRuns } from './align.js';

export interface Intro {
  /** Seconds from the start of the file. */
  start: number;
  end: number;
  /** Share of the siblings with audio that share this stretch (0..1]. */
  confidence: number;
}

/**
 * Why an episode has no intro: alone in its season, no audio, nothing shared with a sibling,
 * an ffmpeg that cannot fingerprint ('ffmpeg-missing'), or a file ffmpeg could not read;
 * the API adds 'not-a-series' (no `series` in the catalog) and 'pending' (its season's
 * analysis has not run since the season last changed).
 */
export type IntroReason =
  | 'not-a-series'
  | 'pending'
  | 'no-siblings'
  | 'no-audio'
  | 'nothing-shared'
  | 'ffmpeg-missing'
  | 'unreadable';

export type IntroAnswer =
  | { intro: Intro; reason?: undefined }
  | { intro: null; reason: IntroReason };

/** The runs episodes `a` and `b` (indexes into the season) share. */
export interface PairRuns {
  a: number;
  b: number;
  runs: readonly SharedRun[];
}

/** Every pair of the season's opening fingerprints aligned; null entries (no audio) are skipped. */
export function alignSeason(
  openings: readonly (AudioFingerprint | null)[],
  options: AlignOptions = {},
): PairRuns[] {
  const pairs: PairRuns[] = [];
  for (let a = 0; a < openings.length; a++) {
    for (let b = a + 1; b < openings.length; b++) {
      const fa = openings[a];
      const fb = openings[b];
      if (fa && fb) pairs.push({ a, b, runs: sharedRuns(fa, fb, options) });
    }
  }
  return pairs;
}

/** Each episode's intro (or why it has none), in the order of `openings`. */
export function seasonIntros(
  openings: readonly (AudioFingerprint | null)[],
  options: AlignOptions = {},
): IntroAnswer[] {
  const withAudio = openings.map((fingerprint) => fingerprint !== null);
  return agreeIntros(withAudio, alignSeason(openings, options));
}

interface Candidate {
  start: number;
  end: number;
  sibling: number;
}

/** Each episode's intro from the pairs' runs; `withAudio[i]` says whether episode i could be aligned. */
export function agreeIntros(
  withAudio: readonly boolean[],
  pairs: readonly PairRuns[],
): IntroAnswer[] {
  const siblingsWithAudio = withAudio.filter(Boolean).length - 1;
  const usual = usualLength(pairs);
  return withAudio.map((hasAudio, episode): IntroAnswer => {
    if (!hasAudio) return { intro: null, reason: 'no-audio' };
    if (siblingsWithAudio < 1) return { intro: null, reason: 'no-siblings' };
    const groups = groupCandidates(candidatesOf(episode, pairs));
    const best = pickGroup(groups, usual);
    if (!best) return { intro: null, reason: 'nothing-shared' };
    const siblings = new Set(best.map((c) => c.sibling)).size;
    return {
      intro: {
        start: outerEdge(best.map((c) => c.start)),
        end: -outerEdge(best.map((c) => -c.end)),
        confidence: siblings / siblingsWithAudio,
      },
    };
  });
}

/**
 * The earliest of `edges`, less the most outlying: one pair's run can run on ~1 s past the
 * theme by chance (items near its edge describe 2.7 s of audio, some of it the story), and
 * the plain union takes the worst of them. With three or more siblings' edges the earliest
 * quarter (at least one) is left out. A sibling with the intro cut short moves the other
 * edge, which the union still keeps whole.
 */
function outerEdge(edges: readonly number[]): number {
  const sorted = [...edges].sort((x, y) => x - y);
  const skip = sorted.length >= 3 ? Math.max(1, Math.floor(sorted.length / 4)) : 0;
  return sorted[skip] as number;
}

function candidatesOf(episode: number, pairs: readonly PairRuns[]): Candidate[] {
  const found: Candidate[] = [];
  for (const pair of pairs) {
    if (pair.a !== episode && pair.b !== episode) continue;
    const mine = pair.a === episode;
    for (const run of pair.runs) {
      found.push(
        mine
          ? { start: run.aStart, end: run.aEnd, sibling: pair.b }
          : { start: run.bStart, end: run.bEnd, sibling: pair.a },
      );
    }
  }
  return found.sort((x, y) => x.start - y.start);
}

/** Candidates (sorted by start) chained while each overlaps the group so far by half of itself. */
function groupCandidates(candidates: readonly Candidate[]): Candidate[][] {
  const groups: Candidate[][] = [];
  let current: Candidate[] = [];
  let end = Number.NEGATIVE_INFINITY;
  for (const c of candidates) {
    const overlap = Math.min(end, c.end) - c.start;
    if (current.length > 0 && overlap >= 0.5 * (c.end - c.start)) {
      current.push(c);
      end = Math.max(end, c.end);
      continue;
    }
    if (current.length > 0) groups.push(current);
    current = [c];
    end = c.end;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}

/** Most siblings first, then length nearest the season's usual, then earliest. */
function pickGroup(groups: readonly Candidate[][], usual: number): Candidate[] | undefined {
  const scored = groups.map((group) => {
    const start = Math.min(...group.map((c) => c.start));
    const end = Math.max(...group.map((c) => c.end));
    const siblings = new Set(group.map((c) => c.sibling)).size;
    return { group, start, siblings, lengthMiss: Math.abs(end - start - usual) };
  });
  scored.sort(
    (x, y) => y.siblings - x.siblings || x.lengthMiss - y.lengthMiss || x.start - y.start,
  );
  return scored[0]?.group;
}

/** Median length of each pair's longest run: the season's usual shared length (0 if none). */
function usualLength(pairs: readonly PairRuns[]): number {
  const lengths = pairs
    .map((pair) => pair.runs[0])
    .filter((run): run is SharedRun => run !== undefined)
    .map((run) => run.aEnd - run.aStart)
    .sort((x, y) => x - y);
  if (lengths.length === 0) return 0;
  const mid = Math.floor(lengths.length / 2);
  return lengths.length % 2
    ? (lengths[mid] as number)
    : ((lengths[mid - 1] as number) + (lengths[mid] as number)) / 2;
}
