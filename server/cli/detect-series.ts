/**
 * `endcue detect EP1 EP2 ... --series`: the files as one season, in the order given (issue 22).
 * Each episode's credits come from its own detection, as without --series; then the season's
 * audio fingerprints give each its intro and its shared end music, which weighs (never moves)
 * the credits start (server/series/closing.ts). I/O; the printing is formats.ts's.
 *
 * One bad episode does not stop the season: its detection error is its answer (exit code 1),
 * and its siblings are still analysed together.
 */
import type { DetectorOptions } from '../detector/detector-options.js';
import type { DetectionResult, DetectProgress } from '../detector/types.js';
import { type EndcueError, isEndcueError } from '../errors.js';
import { combineCredits } from '../series/closing.js';
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
  const detections: (DetectionResult | { error: ErrorJson })[] = [];
  for (const [i, file] of files.entries()) {
    const onProgress = options.onProgress;
    try {
      const { result } = await runDetection(file, {
        ...options.detector,
        ...(options.signal ? { signal: options.signal } : {}),
        ...(onProgress
          ? {
              onProgress: (p: DetectProgress) =>
                onProgress({ phase: p.phase, fraction: (i + p.fraction) / (files.length + 1) }),
            }
          : {}),
      });
      detections.push(result);
    } catch (error) {
      if (options.signal?.aborted || !isEndcueError(error)) throw error;
      detections.push({ error: error.toJSON() });
    }
  }
  const season = await analyzeSeason(
    files.map((path) => ({ path })),
    { ...options.season, ...(options.signal ? { signal: options.signal } : {}) },
  );
  options.onProgress?.({ phase: 'done', fraction: 1 });
  return files.map((file, i): SeasonFileAnswer => {
    const detection = detections[i] as DetectionResult | { error: ErrorJson };
    const answer = season[i];
    const intro = answer ? answer.intro : null;
    const introReason = answer ? answer.introReason : 'unreadable';
    const endMusic = answer ? answer.closing : null;
    if ('error' in detection) {
      return { file, error: detection.error, intro, introReason, endMusic };
    }
    const combined = combineCredits(detection, endMusic, detection.duration);
    return {
      file,
      result: detection,
      intro,
      introReason,
      endMusic,
      seriesConfidence: combined.confidence,
      endMusicEvidence: combined.evidence,
    };
  });
}

type ErrorJson = ReturnType<EndcueError['toJSON']>;
