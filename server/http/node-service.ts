/**
 * EndcueService on the default engines: a CreditsStore, a JobQueue and the media source
 * guards. Answers "when do the credits start" from the store when the result matches the
 * media's current fingerprint and model version, else reports/starts the analysis.
 */
import { nextInSeries } from '../catalog/series.js';
import type { Title, TitleInput } from '../catalog/title.js';
import { isEndcueError, isUnavailable } from '../errors.js';
import {
  checkSourceSyntax,
  isUrlSource,
  resolveSource,
  type SourceDeps,
  type SourcePolicy,
} from '../media/sources.js';
import type { ModelVersionProvider } from '../queue/analyze.js';
import type { JobQueue } from '../queue/types.js';
import { currentIntro, seasonJobId, seasonOf } from '../series/season-key.js';
import type { CreditsStore, ManualOverride, StoredResult } from '../store/types.js';
import { creditsAnswer } from './answer.js';
import { type EndcueMetrics, labelKey, renderGauge } from './metrics.js';
import type {
  CreditsLookup,
  EndcueService,
  HealthReport,
  NextTitle,
  TitleListPage,
  TitleListQuery,
  TitleView,
} from './service.js';
import { listItems, pageTitles } from './title-list.js';

export interface NodeServiceOptions {
  store: CreditsStore;
  queue: JobQueue;
  policy: SourcePolicy;
  metrics: EndcueMetrics;
  sourceDeps?: SourceDeps;
  modelVersion?: ModelVersionProvider;
  /** How long a measured fingerprint is trusted (0 = measure on every ask). */
  fingerprintTtlMs?: number;
  /** What the player gets as `next.src` (default: the title's src as registered). */
  publicSrc?: (title: Title) => string;
  /** Seconds suggested to pollers. */
  retryAfterQueuedS?: number;
  retryAfterRunningS?: number;
}

interface FingerprintEntry {
  src: string;
  at: number;
  value: Promise<string>;
}

/** A ready answer, valid while the store has not changed and the fingerprint is fresh. */
interface MemoEntry {
  generation: number;
  until: number;
  modelVersion: string | undefined;
  lookup: CreditsLookup;
  /** URL media: served while its fingerprint is re-measured in the background. */
  remote: boolean;
}

const HIT = { outcome: 'hit' };
const HIT_KEY = labelKey(HIT);

export class NodeEndcueService implements EndcueService {
  private readonly fingerprints = new Map<string, FingerprintEntry>();
  private readonly memo = new Map<string, MemoEntry>();
  private readonly ttl: number;

  constructor(private readonly options: NodeServiceOptions) {
    this.ttl = options.fingerprintTtlMs ?? 5000;
  }

  /** Current media fingerprint, measured at most once per TTL (concurrent asks share it). */
  private fingerprint(title: Title): Promise<string> {
    const now = Date.now();
    const cached = this.fingerprints.get(title.id);
    if (cached && cached.src === title.src && now - cached.at < this.ttl) return cached.value;
    const value = resolveSource(title.src, this.options.policy, this.options.sourceDeps).then(
      (source) => source.fingerprint,
    );
    value.catch(() => {}); // callers handle it; keep the cached rejection quiet
    this.fingerprints.set(title.id, { src: title.src, at: now, value });
    if (this.fingerprints.size > 100_000) this.fingerprints.clear();
    return value;
  }

  private async next(title: Title): Promise<NextTitle | undefined> {
    if (title.series === undefined) return undefined;
    return this.nextOf(title, await this.options.store.seriesTitles(title.series));
  }

  private nextOf(title: Title, seriesTitles: readonly Title[]): NextTitle | undefined {
    const next = nextInSeries(title, seriesTitles);
    if (!next) return undefined;
    const src = this.options.publicSrc ? this.options.publicSrc(next) : next.src;
    return { titleId: next.id, src, ...(next.title !== undefined ? { title: next.title } : {}) };
  }

  /** A ready answer: the stored result or override, the next episode and the season's intro. */
  private async ready(
    title: Title,
    stored: StoredResult | undefined,
    override: ManualOverride | undefined,
    fingerprint: string | undefined,
  ): Promise<CreditsLookup> {
    const { store } = this.options;
    const seriesTitles = title.series === undefined ? [] : await store.seriesTitles(title.series);
    const next = this.nextOf(title, seriesTitles);
    const intro =
      title.series === undefined
        ? currentIntro(title, seriesTitles, undefined)
        : currentIntro(title, seriesTitles, await store.getIntro(title.id), fingerprint);
    if (intro.introReason === 'pending') this.askForSeason(title);
    const base = creditsAnswer(title.id, stored, override, intro);
    return { status: 'ready', credits: next ? { ...base, next } : base };
  }

  /**
   * The title's season has changed since its job last ran (or it never ran): queue it (one
   * per season). Normally the episode's own analysis queued it already; this covers a title
   * added to an analysed season, results from before series analysis, a lost job.
   */
  private askForSeason(title: Title): void {
    const season = seasonOf(title);
    if (!season) return;
    this.options.queue.enqueue(seasonJobId(season)).catch(() => {
      // The next ask tries again; the answer says 'pending' meanwhile.
    });
  }

  private pending(status: 'queued' | 'running', progress: number): CreditsLookup {
    const retryAfter =
      status === 'running'
        ? (this.options.retryAfterRunningS ?? 2)
        : (this.options.retryAfterQueuedS ?? 5);
    return { status, progress, retryAfter };
  }

  async credits(
    titleId: string,
    options: { mayEnqueue?: () => boolean } = {},
  ): Promise<CreditsLookup> {
    const { store, metrics } = this.options;
    // Hot path: a known answer, nothing written since, media checked within the TTL.
    const generation = store.generation?.();
    const memo = this.memo.get(titleId);
    if (memo && generation !== undefined && memo.generation === generation) {
      const modelVersion = await this.options.modelVersion?.();
      if (modelVersion === memo.modelVersion) {
        if (Date.now() < memo.until) {
          metrics.creditsLookups.incKey(HIT_KEY);
          return memo.lookup;
        }
        // URL media: re-measure in the background and answer with what is known, so a
        // slow or stalled media host never holds up the player (a HEAD can take 10 s).
        if (memo.remote) {
          this.revalidate(titleId, options, generation);
          metrics.creditsLookups.incKey(HIT_KEY);
          return memo.lookup;
        }
      }
    }
    return this.fresh(titleId, options, memo, generation);
  }

  private readonly revalidating = new Set<string>();

  private revalidate(
    titleId: string,
    options: { mayEnqueue?: () => boolean },
    generation: number,
  ): void {
    if (this.revalidating.has(titleId)) return;
    this.revalidating.add(titleId);
    void this.fresh(titleId, options, this.memo.get(titleId), generation)
      .then((lookup) => {
        // Changed media (now queued) or a permanent failure: the next ask sees it.
        const keep =
          lookup.status === 'ready' || (lookup.status === 'failed' && lookup.error.retryable);
        if (!keep) this.memo.delete(titleId);
      })
      .catch(() => this.memo.delete(titleId))
      .finally(() => this.revalidating.delete(titleId));
  }

  private async fresh(
    titleId: string,
    options: { mayEnqueue?: () => boolean },
    memo: MemoEntry | undefined,
    generation: number | undefined,
  ): Promise<CreditsLookup> {
    const { store } = this.options;
    const lookup = await this.lookup(titleId, options);
    // A media host that is briefly unreachable should not take a known answer away.
    if (
      lookup.status === 'failed' &&
      lookup.error.retryable &&
      memo &&
      memo.generation === generation
    ) {
      return memo.lookup;
    }
    if (
      lookup.status === 'ready' &&
      generation !== undefined &&
      generation === store.generation?.()
    ) {
      const measured = this.fingerprints.get(titleId);
      if (this.memo.size > 100_000) this.memo.clear();
      this.memo.set(titleId, {
        generation,
        until: (measured?.at ?? 0) + this.ttl,
        modelVersion: await this.options.modelVersion?.(),
        lookup,
        remote: measured !== undefined && isUrlSource(measured.src),
      });
    }
    return lookup;
  }

  private async lookup(
    titleId: string,
    options: { mayEnqueue?: () => boolean },
  ): Promise<CreditsLookup> {
    const { store, queue, metrics } = this.options;
    const title = await store.getTitle(titleId);
    if (!title) return { status: 'unknown-title' };
    const override = await store.getOverride(titleId);

    let fingerprint: string;
    try {
      fingerprint = await this.fingerprint(title);
    } catch (error) {
      if (override) return this.ready(title, undefined, override, undefined);
      if (!isEndcueError(error) || isUnavailable(error)) throw error;
      metrics.creditsLookups.inc({ outcome: 'error' });
      return { status: 'failed', error: error.toJSON() };
    }
    const modelVersion = await this.options.modelVersion?.();
    const stored = await store.getResult(titleId, fingerprint, modelVersion);
    if (stored || override) {
      metrics.creditsLookups.inc(HIT);
      return this.ready(title, stored, override, fingerprint);
    }

    const active = await queue.active(titleId);
    if (active) {
      metrics.creditsLookups.inc({ outcome: 'miss' });
      return this.pending(active.state === 'running' ? 'running' : 'queued', active.progress);
    }
    const failure = await store.getFailure(titleId, fingerprint);
    if (failure) {
      metrics.creditsLookups.inc({ outcome: 'error' });
      return { status: 'failed', error: failure.error };
    }
    // Nothing queued or running, and no answer read. A job that finished since those reads
    // (here or in a worker process, behind the read cache) wrote its result or failure
    // before the queue marked it finished: ask the store again, past its read cache, before
    // queueing another run, so polling never re-runs finished work.
    store.forget?.(titleId);
    const [landed, failed] = await Promise.all([
      store.getResult(titleId, fingerprint, modelVersion),
      store.getFailure(titleId, fingerprint),
    ]);
    if (landed) {
      metrics.creditsLookups.inc(HIT);
      return this.ready(title, landed, undefined, fingerprint);
    }
    if (failed) {
      metrics.creditsLookups.inc({ outcome: 'error' });
      return { status: 'failed', error: failed.error };
    }
    if (options.mayEnqueue && !options.mayEnqueue()) return { status: 'throttled', retryAfter: 60 };
    const { job } = await queue.enqueue(titleId);
    metrics.creditsLookups.inc({ outcome: 'miss' });
    return this.pending(job.state === 'running' ? 'running' : 'queued', job.progress);
  }

  async title(titleId: string): Promise<TitleView | undefined> {
    const record = await this.options.store.getTitle(titleId);
    if (!record) return undefined;
    const { origin: _origin, updatedAt: _updatedAt, ...title } = record;
    const next = await this.next(title);
    return next ? { ...title, next } : title;
  }

  async putTitle(titleId: string, input: TitleInput): Promise<{ title: Title; created: boolean }> {
    checkSourceSyntax(input.src, this.options.policy);
    const existed = (await this.options.store.getTitle(titleId)) !== undefined;
    const record = await this.options.store.putTitle({ ...input, id: titleId }, 'admin');
    this.fingerprints.delete(titleId);
    const { origin: _origin, updatedAt: _updatedAt, ...title } = record;
    return { title, created: !existed };
  }

  async deleteTitle(titleId: string): Promise<boolean> {
    this.fingerprints.delete(titleId);
    return this.options.store.deleteTitle(titleId);
  }

  async analyze(titleId: string) {
    if (!(await this.options.store.getTitle(titleId))) return undefined;
    this.fingerprints.delete(titleId);
    await this.options.store.clearFailures(titleId);
    return this.options.queue.enqueue(titleId, { force: true });
  }

  async putOverride(titleId: string, input: Parameters<CreditsStore['putOverride']>[1]) {
    if (!(await this.options.store.getTitle(titleId))) return undefined;
    return this.options.store.putOverride(titleId, input);
  }

  async deleteOverride(titleId: string): Promise<boolean | undefined> {
    if (!(await this.options.store.getTitle(titleId))) return undefined;
    return this.options.store.deleteOverride(titleId);
  }

  async listTitles(query: TitleListQuery): Promise<TitleListPage> {
    const { store, queue } = this.options;
    const items = listItems(await store.titleSummaries(query.series));
    // Titles with no answer yet: queued or running, or not asked for.
    await Promise.all(
      items
        .filter((item) => item.status === 'not-analysed' || item.status === 'failed')
        .map(async (item) => {
          const job = await queue.active(item.id);
          if (job?.state === 'queued' || job?.state === 'running') {
            item.status = job.state;
            delete item.error;
          }
        }),
    );
    return pageTitles(items, query);
  }

  async jobs(limit = 100) {
    const [counts, jobs] = await Promise.all([
      this.options.queue.counts(),
      this.options.queue.list(limit),
    ]);
    return { counts, jobs };
  }

  async health(): Promise<HealthReport> {
    const checks: Record<string, string> = {};
    let ok = true;
    try {
      await this.options.store.ping();
      checks.store = 'ok';
    } catch (error) {
      ok = false;
      checks.store = error instanceof Error ? error.message : String(error);
    }
    try {
      const counts = await this.options.queue.counts();
      checks.queue = `queued=${counts.queued} running=${counts.running}`;
    } catch (error) {
      ok = false;
      checks.queue = error instanceof Error ? error.message : String(error);
    }
    return { ok, checks };
  }

  async metricsText(): Promise<string> {
    const { queue } = this.options;
    let up = 1;
    let text = '';
    try {
      const [counts, extra] = await Promise.all([queue.counts(), queue.metricsText?.()]);
      const gauge = renderGauge(
        'endcue_jobs',
        'Analysis jobs in the queue table, by state.',
        Object.entries(counts).map(([state, n]) => [{ state }, n]),
      );
      text = extra ? `${gauge}\n${extra}` : gauge;
    } catch (error) {
      // The HTTP metrics still answer while the queue's store is unreachable.
      if (!isUnavailable(error)) throw error;
      up = 0;
    }
    const queueUp = renderGauge(
      'endcue_queue_up',
      'Whether the job queue answered this scrape (0 while Redis or its store is unreachable).',
      [[{}, up]],
    );
    return text ? `${text}\n${queueUp}` : queueUp;
  }
}
