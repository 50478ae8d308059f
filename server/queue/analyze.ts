/**
 * The analysis job: resolve the title's source (guards + fingerprint), skip if a result
 * for this exact media and model exists (unless forced), run the detector, store the
 * result. Permanent failures are stored per media fingerprint so the API answers 422
 * until the media changes or someone forces a re-analysis; environment failures (no
 * ffmpeg, no model...) only until the next server or worker start (clearEnvironmentFailures).
 *
 * Store outages (storage-unavailable: PostgreSQL away) do not fail the job: each store call
 * is retried with backoff (up to 2 s apart) for `outagePatienceMs`, and a result the
 * detector produced is kept, so only its save is retried, never the analysis. A job still
 * waiting when the patience runs out ends with the storage-unavailable error, which the
 * queue takes as "put it back" rather than a failure (bullmq.ts).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { DetectionResult, Detector } from '../detector/types.js';
import { EndcueError, isUnavailable } from '../errors.js';
import { resolveSource, type SourceDeps, type SourcePolicy } from '../media/sources.js';
import type { CreditsStore } from '../store/types.js';
import type { JobHandler } from './types.js';

/** The model version results should be keyed by now; undefined = whatever the detector says. */
export type ModelVersionProvider = () => string | undefined | Promise<string | undefined>;

export interface AnalysisDeps {
  store: CreditsStore;
  detector: Detector;
  policy: SourcePolicy;
  sourceDeps?: SourceDeps;
  modelVersion?: ModelVersionProvider;
  log?: { warn(obj: object, msg: string): void };
  /** How long one run waits for an unreachable store (default OUTAGE_PATIENCE_MS). */
  outagePatienceMs?: number;
}

/** Default wait for an unreachable store within one run: outages of minutes are ridden out. */
export const OUTAGE_PATIENCE_MS = 10 * 60_000;

/** Runs a store call, retrying it with backoff while the store is unavailable. */
async function patiently<T>(
  work: () => Promise<T>,
  patienceMs: number,
  signal?: AbortSignal,
): Promise<T> {
  const until = Date.now() + patienceMs;
  for (let delay = 250; ; delay = Math.min(delay * 2, 2000)) {
    try {
      return await work();
    } catch (error) {
      if (!isUnavailable(error) || Date.now() + delay > until) throw error;
      await sleep(delay, undefined, signal ? { signal } : {}).catch(() => {
        throw signal?.reason ?? error;
      });
    }
  }
}

export function createAnalysisHandler(deps: AnalysisDeps): JobHandler {
  // Fingerprint measured by the latest run of each job, so a final failure is stored
  // against the media that failed.
  const fingerprints = new Map<string, string>();
  // Results the detector produced whose save has not succeeded yet, by job run (id and
  // creation time): a later run of the same job saves this instead of analysing again.
  const unsaved = new Map<string, { fingerprint: string; result: DetectionResult }>();
  const patience = deps.outagePatienceMs ?? OUTAGE_PATIENCE_MS;
  /** Whether the title's media still has this fingerprint (false when that can't be told). */
  async function sameMedia(titleId: string, fingerprint: string): Promise<boolean> {
    const title = await deps.store.getTitle(titleId);
    if (!title) return false;
    try {
      return (
        (await resolveSource(title.src, deps.policy, deps.sourceDeps)).fingerprint === fingerprint
      );
    } catch {
      return false;
    }
  }
  return {
    async run(job, { signal, progress, owned }) {
      const title = await patiently(() => deps.store.getTitle(job.titleId), patience, signal);
      if (!title) {
        throw new EndcueError('not-found', `Title ${job.titleId} no longer exists`, {
          hint: 'It was removed from the catalog while queued.',
        });
      }
      progress(0, 'probe');
      // Playlists too: ffmpeg will fetch whatever an HLS playlist names.
      const source = await resolveSource(title.src, deps.policy, deps.sourceDeps, {
        checkPlaylists: true,
      });
      fingerprints.set(job.id, source.fingerprint);
      const expected = await deps.modelVersion?.();
      if (!job.force) {
        deps.store.forget?.(job.titleId); // another worker's result, past the read cache
        const existing = await patiently(
          () => deps.store.getResult(job.titleId, source.fingerprint, expected),
          patience,
          signal,
        );
        if (existing) {
          unsaved.delete(`${job.id}@${job.createdAt}`);
          return; // already analysed (a duplicate ask, or a resumed job)
        }
      }
      signal.throwIfAborted();
      const run = `${job.id}@${job.createdAt}`;
      const kept = unsaved.get(run);
      const result =
        kept?.fingerprint === source.fingerprint
          ? kept.result // analysed already; only its save failed
          : await deps.detector(source.input, {
              signal,
              onProgress: (p) => progress(p.fraction, p.phase),
            });
      unsaved.set(run, { fingerprint: source.fingerprint, result });
      // This run lost its job (its process stalled past the queue's lease; another one runs
      // it now). Its result is still good for the media it measured, and serves sooner,
      // unless the media changed meanwhile: then storing it would drop the new owner's
      // result for the new media (putResult keeps one media per title), so it is not stored.
      if (owned?.() === false && !(await sameMedia(job.titleId, source.fingerprint))) {
        deps.log?.warn(
          { titleId: job.titleId },
          'analysis taken over by another process and the media changed since: result not stored',
        );
        fingerprints.delete(job.id);
        unsaved.delete(run);
        return;
      }
      if (expected !== undefined && result.modelVersion !== expected) {
        deps.log?.warn(
          { titleId: job.titleId, expected, got: result.modelVersion },
          'detector model version differs from the configured one; stored under the configured one',
        );
      }
      await patiently(
        () =>
          deps.store.putResult({
            titleId: job.titleId,
            fingerprint: source.fingerprint,
            modelVersion: expected ?? result.modelVersion,
            result,
            createdAt: Date.now(),
          }),
        patience,
        signal,
      );
      unsaved.delete(run);
      fingerprints.delete(job.id);
    },
    async failed(job, error) {
      let fingerprint = fingerprints.get(job.id);
      fingerprints.delete(job.id);
      unsaved.delete(`${job.id}@${job.createdAt}`);
      if (fingerprint === undefined) {
        const title = await patiently(() => deps.store.getTitle(job.titleId), patience);
        if (!title) return;
        try {
          fingerprint = (await resolveSource(title.src, deps.policy, deps.sourceDeps)).fingerprint;
        } catch {
          return; // the read path re-checks the source and reports that error itself
        }
      }
      const failure = {
        titleId: job.titleId,
        fingerprint,
        error: error.toJSON(),
        createdAt: Date.now(),
      };
      await patiently(() => deps.store.putFailure(failure), patience);
    },
  };
}
