/**
 * The season job (issue 22): after an episode's own analysis, its season is analysed as one
 * (server/series/season.ts) and every episode's intro stored with the season's key. The job
 * runs in the same queue as analyses, named by seasonJobId (single-flight per season), so
 * episodes arriving one by one re-run their season and a season job queued behind its
 * episodes' analyses runs once for all of them.
 *
 * Episodes are fingerprinted through the store's fingerprint cache, so adding an episode
 * decodes only that one. A season whose members all have an intro for this key and media
 * is skipped (each finished episode asks for its season again).
 *
 * With a detector (`detect`), an episode whose stored credits start lies before its shared
 * end music is detected again with the credits bounded by the music (series/closing.ts
 * musicBound), and that re-run is stored beside the music for the answer (http/answer.ts),
 * so the API answers as `endcue detect --series` does.
 *
 * URL episodes (allow-listed http(s), HLS) are fingerprinted through the egress proxy the
 * analysis reads them through (`httpProxy`): every connection ffmpeg makes, redirects and
 * playlist entries included, is held to the source policy. Without one they are not read at
 * all (stored `unreadable`, the reason logged): ffmpeg would fetch them unchecked.
 */
import type { Title } from '../catalog/title.js';
import type { Detector } from '../detector/types.js';
import {
  ENVIRONMENT_ERROR_CODES,
  type EndcueError,
  isEndcueError,
  isUnavailable,
} from '../errors.js';
import { resolveSource, type SourceDeps, type SourcePolicy } from '../media/sources.js';
import { musicBound } from '../series/closing.js';
import type { Intro } from '../series/intro.js';
import { analyzeSeason, type SeasonDeps } from '../series/season.js';
import {
  parseSeasonJobId,
  type SeasonRef,
  seasonJobId,
  seasonKey,
  seasonMembers,
  seasonOf,
} from '../series/season-key.js';
import type { BoundedCredits, CreditsStore, StoredIntro, StoredResult } from '../store/types.js';
import type { JobHandler, JobQueue, JobSnapshot } from './types.js';

export interface SeasonJobDeps {
  store: CreditsStore;
  policy: SourcePolicy;
  sourceDeps?: SourceDeps;
  /** The season analysis (tests pass a fake); default analyzeSeason. */
  analyze?: typeof analyzeSeason;
  /** Passed on to the analysis (windows, ffmpeg binaries). */
  season?: Omit<SeasonDeps, 'cache' | 'signal' | 'httpProxy'>;
  /**
   * The credits detector, for the re-run bounded by the shared end music; none: the stored
   * starts are only weighed by the music (as before).
   */
  detect?: Detector;
  /**
   * The egress proxy (egress-proxy.ts) URL episodes are fingerprinted through; none: they
   * are stored `unreadable` and the reason logged (the owner starts one where hosts are
   * allowed: job-detector.ts).
   */
  httpProxy?: string;
  log?: { warn(obj: object, msg: string): void };
}

/** Why a URL episode is not fingerprinted when there is no egress proxy (logged). */
export const NO_EGRESS_PROXY =
  'season analysis: URL episode not fingerprinted: no egress proxy holds ffmpeg to the source policy here';

interface Member {
  title: Title;
  input: string;
  fingerprint: string;
  kind: 'file' | 'url';
  /** Its single-title result for this media; none: not analysed yet (its analysis queues the season again). */
  result: StoredResult | undefined;
  /** What the season's last job stored for it, whatever members and media that was for. */
  previous: StoredIntro | undefined;
}

/** The result a bounded re-run is for and the bound it runs with. */
interface BoundNeed {
  from: BoundedCredits['from'];
  bound: number;
}

/** What an episode's intro row keeps of its bounded re-run: the run, its failure, or nothing. */
type BoundedOutcome = Pick<StoredIntro, 'bounded' | 'boundedFailure'>;

export function createSeasonHandler(deps: SeasonJobDeps): JobHandler {
  const analyze = deps.analyze ?? analyzeSeason;
  return {
    async run(job, { signal, progress }) {
      const season = parseSeasonJobId(job.titleId) as SeasonRef;
      const members = seasonMembers(season, await deps.store.seriesTitles(season.series));
      if (members.length === 0) return; // the series was removed while queued
      const key = seasonKey(members);
      progress(0, 'fingerprint');
      const resolved: Member[] = [];
      for (const title of members) {
        const source = await memberSource(deps, title);
        if (source)
          resolved.push({ title, ...source, ...(await storedFor(deps.store, title, source)) });
      }
      if (!job.force && upToDate(deps, resolved, key)) return;
      signal.throwIfAborted();
      // URL episodes are read through the egress proxy, or not at all: without it ffmpeg
      // would fetch them (and whatever they redirect to) unchecked.
      const readable = resolved.filter((m) => m.kind === 'file' || deps.httpProxy);
      for (const m of resolved) {
        if (!readable.includes(m)) deps.log?.warn({ titleId: m.title.id }, NO_EGRESS_PROXY);
      }
      const answers = await analyze(
        readable.map((m) => ({ path: m.input, key: m.fingerprint })),
        {
          ...deps.season,
          ...(deps.httpProxy ? { httpProxy: deps.httpProxy } : {}),
          cache: deps.store.fingerprintCache(),
          signal,
        },
      );
      // Why an episode has no fingerprints (no audio, unreadable, an ffmpeg without
      // chromaprint and what to install): the answer says the reason, the log the whole line.
      readable.forEach((m, i) => {
        const message = answers[i]?.message;
        if (message)
          deps.log?.warn({ titleId: m.title.id, reason: answers[i]?.introReason }, message);
      });
      // Starts before the shared end music: the detector again, bounded by it.
      const bounded = new Map<string, BoundedOutcome>();
      for (const [i, m] of readable.entries()) {
        const closing = answers[i]?.closing ?? null;
        bounded.set(m.title.id, await boundedRun(deps, m, closing, job.force, signal));
      }
      const now = Date.now();
      const intros: StoredIntro[] = resolved.map((m) => {
        const answer = answers[readable.indexOf(m)];
        const base = {
          titleId: m.title.id,
          fingerprint: m.fingerprint,
          seasonKey: key,
          createdAt: now,
        };
        if (!answer) return { ...base, intro: null, reason: 'unreadable' };
        return {
          ...base,
          intro: answer.intro,
          reason: answer.intro ? null : answer.introReason,
          closing: answer.closing ?? null,
          ...bounded.get(m.title.id),
        };
      });
      signal.throwIfAborted();
      await deps.store.putIntros(intros);
      progress(1, 'stored');
    },
  };
}

/** The member's source as its analysis resolves it; undefined (logged) when it cannot be read. */
async function memberSource(deps: SeasonJobDeps, title: Title) {
  try {
    // As the analysis does: redirects followed by hand and HLS playlists' entries
    // checked before ffmpeg opens the source (the proxy then checks what it fetches).
    return await resolveSource(title.src, deps.policy, deps.sourceDeps, { checkPlaylists: true });
  } catch (error) {
    if (isUnavailable(error)) throw error;
    // Its own analysis reports why (the credits answer is a 422 for it).
    deps.log?.warn(
      { titleId: title.id },
      'season analysis: episode left out, its source cannot be read',
    );
    return undefined;
  }
}

/** What is stored about a member, read once per job (another process may have written it). */
async function storedFor(
  store: CreditsStore,
  title: Title,
  source: { fingerprint: string },
): Promise<Pick<Member, 'result' | 'previous'>> {
  store.forget?.(title.id);
  return {
    result: await store.getResult(title.id, source.fingerprint),
    previous: await store.getIntro(title.id),
  };
}

/**
 * Whether every member already has an intro for this season key and its current media, and
 * (with a detector) a bounded re-run for its current result wherever one is needed.
 */
function upToDate(deps: SeasonJobDeps, members: readonly Member[], key: string): boolean {
  return members.every(({ previous, ...member }) => {
    if (previous?.seasonKey !== key || previous.fingerprint !== member.fingerprint) return false;
    if (!deps.detect || !previous.closing) return true;
    const needed = boundNeeded(member.result, previous.closing);
    return !needed || storedOutcome({ ...member, previous }, needed) !== undefined;
  });
}

/** The stored result and the bound its start needs, or null when it needs none. */
function boundNeeded(stored: StoredResult | undefined, closing: Intro): BoundNeed | null {
  if (!stored) return null;
  const bound = musicBound(stored.result, closing, stored.result.duration);
  if (bound === null) return null;
  return {
    from: { creditsStart: stored.result.creditsStart, modelVersion: stored.modelVersion },
    bound,
  };
}

/**
 * The re-run (or its failure) the last season job stored for this very media, result and
 * bound: a new episode changes the season key but mostly not the end music, and the re-run
 * is the expensive part of the job.
 */
function storedOutcome(member: Member, needed: BoundNeed): BoundedOutcome | undefined {
  const { previous, result } = member;
  if (!previous || !result || previous.fingerprint !== member.fingerprint) return undefined;
  const run = previous.bounded;
  if (run && sameFrom(run.from, needed.from) && boundOf(run, previous, result) === needed.bound) {
    return { bounded: run };
  }
  const failure = previous.boundedFailure;
  if (failure && sameFrom(failure.from, needed.from) && failure.bound === needed.bound) {
    return { boundedFailure: failure };
  }
  return undefined;
}

/** The bound a stored re-run ran with; one stored without it ran with its row's music. */
function boundOf(run: BoundedCredits, row: StoredIntro, result: StoredResult): number | null {
  if (run.bound !== undefined) return run.bound;
  return row.closing ? musicBound(result.result, row.closing, result.result.duration) : null;
}

function sameFrom(a: BoundedCredits['from'], b: BoundedCredits['from']): boolean {
  return a.creditsStart === b.creditsStart && a.modelVersion === b.modelVersion;
}

/**
 * The detector re-run with the credits bounded by the shared end music, for a member whose
 * stored start lies before it; nothing when none is needed. A failure on the media itself is
 * kept so later jobs do not retry it; a transient one is tried again by the next job. Either
 * way the stored start stands, weighed by the music.
 */
async function boundedRun(
  deps: SeasonJobDeps,
  member: Member,
  closing: Intro | null,
  force: boolean,
  signal: AbortSignal,
): Promise<BoundedOutcome> {
  if (!deps.detect || !closing) return {};
  const needed = boundNeeded(member.result, closing);
  if (!needed) return {};
  const kept = force ? undefined : storedOutcome(member, needed);
  if (kept) return kept;
  try {
    const result = await deps.detect(member.input, { signal, notBefore: needed.bound });
    return {
      bounded: {
        ...needed,
        creditsStart: result.creditsStart,
        creditsEnd: result.creditsEnd,
        segments: result.segments,
        confidence: result.confidence,
      },
    };
  } catch (error) {
    if (signal.aborted || !isEndcueError(error)) throw error;
    deps.log?.warn(
      { titleId: member.title.id, err: error.message },
      'season analysis: the credits re-run bounded by the end music failed; the start stands',
    );
    if (!mediaFault(error)) return {};
    return { boundedFailure: { ...needed, error: error.toJSON(), createdAt: Date.now() } };
  }
}

/**
 * A failure the same media will fail with again: not a transient one (network, a killed
 * ffmpeg) nor this machine's setup (ffmpeg or the model missing), which an operator may fix.
 */
function mediaFault(error: EndcueError): boolean {
  return !error.retryable && !ENVIRONMENT_ERROR_CODES.includes(error.code);
}

export interface SeriesHandlerDeps {
  store: CreditsStore;
  /** Runs a title's own analysis (analyze.ts). */
  analysis: JobHandler;
  /** Runs a season job (createSeasonHandler). */
  season: JobHandler;
  /** Where the season job goes once an episode is analysed (late-bound: the queue takes the handler). */
  queue: () => JobQueue | undefined;
  log?: { warn(obj: object, msg: string): void };
}

/**
 * One handler for the queue: season jobs to the season handler, titles to the analysis,
 * and after a title of a series is analysed (or found analysed), its season's job.
 */
export function seriesAwareHandler(deps: SeriesHandlerDeps): JobHandler {
  return {
    async run(job: JobSnapshot, context) {
      if (parseSeasonJobId(job.titleId)) return deps.season.run(job, context);
      await deps.analysis.run(job, context);
      const title = await deps.store.getTitle(job.titleId);
      const season = title && seasonOf(title);
      const queue = deps.queue();
      if (!season || !queue) return;
      // A failed enqueue costs only the intro's freshness: the next read asks again.
      await queue.enqueue(seasonJobId(season)).catch((error: unknown) => {
        deps.log?.warn(
          { titleId: job.titleId, err: String(error) },
          'season analysis not queued after the episode',
        );
      });
    },
    async failed(job, error) {
      const handler = parseSeasonJobId(job.titleId) ? deps.season : deps.analysis;
      await handler.failed?.(job, error);
    },
  };
}

/** The analysis handler with seasons: what `serve`, `worker` and `scan` give their queues. */
export function withSeasons(
  analysis: JobHandler,
  deps: SeasonJobDeps,
  queue: () => JobQueue | undefined,
): JobHandler {
  return seriesAwareHandler({
    store: deps.store,
    analysis,
    season: createSeasonHandler(deps),
    queue,
    ...(deps.log ? { log: deps.log } : {}),
  });
}
