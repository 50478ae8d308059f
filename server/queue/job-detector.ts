/**
 * The detector a job runner owns (`endcue serve`'s local queue, `endcue worker`): the
 * shipped model in a thread of its own and, where titles may be URLs, an egress proxy that
 * holds every connection ffmpeg makes to the source policy (egress-proxy.ts).
 */
import { type ThreadedDetector, threadedDetector } from '../detector/thread.js';
import { type EgressProxy, startEgressProxy } from '../media/egress-proxy.js';
import type { LookupAll, SourcePolicy } from '../media/sources.js';

export interface JobDetectorOptions {
  policy: SourcePolicy;
  /** false: no text check (ENDCUE_TEXT_CHECK=off). */
  textCheck: boolean;
  /** DNS for the egress check (tests pass a fake). */
  lookup?: LookupAll;
  log?: { warn(obj: object, msg: string): void };
}

export interface JobDetector {
  detector: ThreadedDetector;
  /** The egress proxy's URL (none when no host is allowed: titles are files only). */
  httpProxy: string | undefined;
  close(): Promise<void>;
}

/**
 * The egress proxy ffmpeg reads URL sources through, its refusals logged; none when no host
 * is allowed (titles are files only). startJobDetector starts one for its detector and the
 * season job's fingerprinting; a runner given its own detector (tests, a stand-in) starts
 * one with this for the season job.
 */
export async function startSourceProxy(
  options: Pick<JobDetectorOptions, 'policy' | 'lookup' | 'log'>,
): Promise<EgressProxy | undefined> {
  const { policy, log } = options;
  if (policy.allowedHosts.length === 0) return undefined;
  return startEgressProxy(policy, {
    ...(options.lookup ? { lookup: options.lookup } : {}),
    onRefused: (target, reason) =>
      log?.warn(
        { target, reason },
        'egress refused: ffmpeg asked for a source the policy does not allow',
      ),
  });
}

export async function startJobDetector(options: JobDetectorOptions): Promise<JobDetector> {
  const proxy = await startSourceProxy(options);
  const detector = threadedDetector(undefined, {
    readText: options.textCheck,
    ...(proxy ? { httpProxy: proxy.url } : {}),
  });
  return {
    detector,
    httpProxy: proxy?.url,
    close: async () => {
      await detector.close();
      await proxy?.close();
    },
  };
}
