/**
 * Re-deciding a title from the per-frame samples `npm run eval` cached for it
 * (.cache/eval/runs/<modelVersion>/<title>.json), as `npm run eval -- --replay` does: the
 * threshold calibrated on the samples (storyThreshold), then decideCredits with any options
 * given. The samples are those the live run took, its fine pass placed by the options it
 * ran with.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type DecideOptions,
  type Decision,
  decideCredits,
  type ScoredSample,
  storyThreshold,
} from '../server/detector/decide.js';
import { EVAL_CACHE } from './titles.js';

export interface CachedRun {
  samples: ScoredSample[];
  from: number;
  duration: number;
  /** The text check's readings (time and cue), where the run made any (runs since 2026-12-06). */
  reads?: Array<{ t: number; cue: -1 | 0 | 1 }>;
}

/** How the per-title threshold is calibrated (storyThreshold's options). */
export interface Calibration {
  /** Calibrate whole titles too (from = 0). */
  always?: boolean;
  quantile?: number;
  max?: number;
}

/** The decision on a cached run; `decide.threshold`, when given, replaces the calibrated one. */
export function replayDecision(
  cached: CachedRun,
  decide: Partial<Omit<DecideOptions, 'duration' | 'from'>> = {},
  calibration: Calibration = {},
): Decision {
  return decideCredits(cached.samples, {
    threshold: storyThreshold(cached.samples, {
      from: cached.from,
      duration: cached.duration,
      ...calibration,
    }),
    ...decide,
    duration: cached.duration,
    from: cached.from,
  });
}

/** The shipped model's version (model/credits-classifier/metadata.json). */
export function latestModelVersion(): string {
  const meta = path.resolve(EVAL_CACHE, '../../model/credits-classifier/metadata.json');
  return (JSON.parse(readFileSync(meta, 'utf8')) as { version: string }).version;
}

/** Where `npm run eval` caches its runs for a model (runs without the text check apart). */
export function runsDir(modelVersion = latestModelVersion(), noText = false): string {
  return path.join(EVAL_CACHE, 'runs', modelVersion + (noText ? '-no-text' : ''));
}

/** The cached run of a title, or null when there is none. */
export function readCachedRun(dir: string, title: string): CachedRun | null {
  const file = path.join(dir, `${title}.json`);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as CachedRun;
}
