/**
 * The analysis job: resolve the title's source (guards + fingerprint), skip if a result
 * for this exact media and model exists (unless forced), run the detector, store the
 * result. Permanent failures are stored per media fingerprint so the API answers 422
 * until the media changes or someone forces a re-analysis; environment failures (no
 * ffmpeg, no model...) only until the next server or worker start (clearEnvironmentFailures).
 */
import type { Detector } from '../detector/types.js';
import { EndcueError } from '../errors.js';
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
}

export function createAnalysisHandler(deps: AnalysisDeps): JobHandler {
  // Fingerprint measured by the latest run of each job, so a final failure is stored
  // against the media that failed.
  const fingerprints = new Map<string, string>();
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
      const title = await deps.store.getTitle(job.titleId);
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
        const existing = await deps.store.getResult(job.titleId, source.fingerprint, expected);
        if (existing) return; // already analysed (a duplicate ask, or a resumed job)
      }
      signal.throwIfAborted();
      const result = await deps.detector(source.input, {
        signal,
        onProgress: (p) => progress(p.fraction, p.phase),
      });
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
        return;
      }
      if (expected !== undefined && result.modelVersion !== expected) {
        deps.log?.warn(
          { titleId: job.titleId, expected, got: result.modelVersion },
          'detector model version differs from the configured one; stored under the configured one',
        );
      }
      await deps.store.putResult({
        titleId: job.titleId,
        fingerprint: source.fingerprint,
        modelVersion: expected ?? result.modelVersion,
        result,
        createdAt: Date.now(),
      });
      fingerprints.delete(job.id);
    },
    async failed(job, error) {
      let fingerprint = fingerprints.get(job.id);
      fingerprints.delete(job.id);
      if (fingerprint === undefined) {
        const title = await deps.store.getTitle(job.titleId);
        if (!title) return;
        try {
          fingerprint = (await resolveSource(title.src, deps.policy, deps.sourceDeps)).fingerprint;
        } catch {
          return; // the read path re-checks the source and reports that error itself
        }
      }
      await deps.store.putFailure({
        titleId: job.titleId,
        fingerprint,
        error: error.toJSON(),
        createdAt: Date.now(),
      });
    },
  };
}
