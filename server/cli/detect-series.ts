/**
 * `endcue detect EP1 EP2 ... --series`: the files as one season, in the order given (issue 22).
 * Each episode's credits come from its own detection, as without --series; then the season's
 * audio fingerprints give each its intro and its shared end music, which weighs the credits
 * start (server/series/closing.ts). A start well before the shared music is looked for again
 * with the detector bounded by it (notBefore); a start that re-run finds inside the music is
 * the answer ('bounded-by-music'), the single-title start staying in `singleCreditsStart`.
 * I/O; the printing is formats.ts's.
 *
 * One bad episode does not stop the season: its detection error is its answer (exit code 1),
 * and its siblings are still analysed together.
 */
import type { DetectorOptions } from '../detector/detector-options.js';
import type { DetectionResult, DetectProgress } from '../detector/types.js';
import { type EndcueError, isEndcueError } from '../errors.js';
import { boundedCredits, musicBound } from '../series/closing.js';
import { analyzeSeason, type SeasonDeps } from '../series/season.js';
import type { SeasonFileAnswer } from './formats.js';

export interface SeriesOptions {
  detector: DetectorOptions;
  signal?: AbortSignal;
  /** Overall progress over the whole season, 0..1. */
  onProgress?: (progress: DetectProgress) => void;
  /** Passed to analyzeSeason (windows, a cache; tests). */
  season?: SeasonDeps;
}

/** Every file's detection, intro and end music, in the order given. */
export async function detectSeries(
  files: readonly string[],
  options: SeriesOptions,
): Promise<SeasonFileAnswer[]> {
  // Imported here: the detector loads TF.js (as detect.ts does).
  const { runDetection } = await import('../detector/detect.js');
  const onProgress = options.onProgress;
  /**
   * One detection; its progress is the i-th of files + 1 equal parts of the whole (the last:
   * the season). A bounded re-run (`notBefore`) reports none: it comes after the season's part.
   */
  const detectOne = async (file: string, i: number, notBefore?: number) => {
    const { result } = await runDetection(file, {
      ...options.detector,
      ...(notBefore !== undefined ? { notBefore } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
      ...(onProgress && notBefore === undefined
        ? {
            onProgress: (p: DetectProgress) =>
              onProgress({ phase: p.phase, fraction: (i + p.fraction) / (files.length + 1) }),
          }
        : {}),
    });
    return result;
  };
  const detections: (DetectionResult | { error: ErrorJson })[] = [];
  for (const [i, file] of files.entries()) {
    try {
      detections.push(await detectOne(file, i));
    } catch (error) {
      if (options.signal?.aborted || !isEndcueError(error)) throw error;
      detections.push({ error: error.toJSON() });
    }
  }
  const season = await analyzeSeason(
    files.map((path) => ({ path })),
    { ...options.season, ...(options.signal ? { signal: options.signal } : {}) },
  );
  const answers: SeasonFileAnswer[] = [];
  for (const [i, file] of files.entries()) {
    const detection = detections[i] as DetectionResult | { error: ErrorJson };
    const answer = season[i];
    const intro = answer ? answer.intro : null;
    const introReason = answer ? answer.introReason : 'unreadable';
    const endMusic = answer ? answer.closing : null;
    if ('error' in detection) {
      answers.push({ file, error: detection.error, intro, introReason, endMusic });
      continue;
    }
    // A start well before the shared end music: the detector again, bounded by the music.
    const bound = musicBound(detection, endMusic, detection.duration);
    let rerun: DetectionResult | null = null;
    if (bound !== null) {
      try {
        rerun = await detectOne(file, i, bound);
      } catch (error) {
        // The single-title answer stands (it was read once already).
        if (options.signal?.aborted || !isEndcueError(error)) throw error;
      }
    }
    const combined = boundedCredits(detection, rerun, endMusic, detection.duration);
    const bounded = combined.evidence === 'bounded-by-music' && rerun !== null;
    answers.push({
      file,
      result: bounded ? (rerun as DetectionResult) : detection,
      singleCreditsStart: detection.creditsStart,
      intro,
      introReason,
      endMusic,
      seriesConfidence: combined.confidence,
      endMusicEvidence: combined.evidence,
    });
  }
  options.onProgress?.({ phase: 'done', fraction: 1 });
  return answers;
}

type ErrorJson = ReturnType<EndcueError['toJSON']>;
