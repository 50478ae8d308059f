/**
 * `endcue scan <catalog-or-folder>`: analyse a whole library (issue 8). Registers the
 * titles (a catalog file, or every video under a folder), skips those already analysed
 * for the same media fingerprint and model, queues the rest and follows them to the end
 * with an overall progress bar; then a report of titles done/skipped/failed with reasons.
 * Production mode (REDIS_URL): jobs go to Redis and `endcue worker` processes run them.
 * Zero-config mode: this process runs them itself. It may share the data dir with a running
 * `endcue serve`: each process runs only the jobs it claimed (see queue/local.ts), and both
 * pick queued ones.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { Command } from 'commander';
import { destination, pino } from 'pino';
import { episodeFromPath } from '../catalog/episode-names.js';
import { loadCatalogFile } from '../catalog/load.js';
import { compareEpisodes } from '../catalog/series.js';
import { TITLE_ID_PATTERN, type Title } from '../catalog/title.js';
import { loadConfig, type ServerConfig } from '../config.js';
import type { Detector } from '../detector/types.js';
import { EndcueError, isEndcueError } from '../errors.js';
import { parseMinConfidence } from '../export/confidence.js';
import { type ExportEntry, exportSidecars, formatExportReport } from '../export/library.js';
import { logQueueEvents, modelVersionFromMetadata } from '../http/start.js';
import { isInside, resolveSource, type SourcePolicy } from '../media/sources.js';
import { createAnalysisHandler, type ModelVersionProvider } from '../queue/analyze.js';
import { BullJobQueue } from '../queue/bullmq.js';
import { startJobDetector } from '../queue/job-detector.js';
import { LocalJobQueue } from '../queue/local.js';
import { withSeasons } from '../queue/season-job.js';
import type { JobQueue } from '../queue/types.js';
import {
  currentIntro,
  type IntroState,
  type SeasonRef,
  seasonJobId,
  seasonMembers,
  seasonOf,
} from '../series/season-key.js';
import { openStore } from '../store/open.js';
import { openDatabase, SqliteCreditsStore } from '../store/sqlite.js';
import type { CreditsStore } from '../store/types.js';
import { clockTime } from './formats.js';
import { flagsToConfig } from './serve.js';
import { detectorFromModule } from './worker.js';

export const VIDEO_EXTENSIONS = new Set([
  '.mp4',
  '.m4v',
  '.mkv',
  '.mov',
  '.webm',
  '.avi',
  '.ts',
  '.m3u8',
]);

/** A stable title id from a path under the folder: separators and odd characters -> '_'. */
export function titleIdFromPath(relative: string): string {
  const id = relative
    .replace(/\.[^./\\]+$/, '')
    .replace(/[^A-Za-z0-9._-]+/g, '_')
    .replace(/^[._]+/, '');
  return (id || 'title').slice(0, 128);
}

async function walk(dir: string, out: string[] = []): Promise<string[]> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) await walk(full, out);
    else if (entry.isFile() && VIDEO_EXTENSIONS.has(path.extname(entry.name).toLowerCase()))
      out.push(full);
  }
  return out;
}

/**
 * Titles from a catalog file or a folder. A folder's files get ids from their paths and
 * srcs relative to the media root that holds them (the folder itself becomes one if no
 * configured root does).
 */
export async function libraryTitles(
  target: string,
  mediaRoots: readonly string[],
): Promise<{ titles: Title[]; mediaRoots: string[] }> {
  const absolute = path.resolve(target);
  const info = await stat(absolute).catch(() => undefined);
  if (!info) {
    throw new EndcueError('not-found', `${target} does not exist`, {
      hint: 'Give a catalog file (JSON/YAML) or a folder of videos.',
    });
  }
  if (info.isFile())
    return { titles: await loadCatalogFile(absolute), mediaRoots: [...mediaRoots] };
  const root = mediaRoots.find((candidate) => isInside(candidate, absolute)) ?? absolute;
  const files = (await walk(absolute)).sort();
  const seen = new Map<string, number>();
  const titles = files.map((file) => {
    const relative = path.relative(root, file);
    // From the media root, not the folder: scanning a parent later finds the same ids.
    let id = titleIdFromPath(relative);
    const n = seen.get(id) ?? 0;
    seen.set(id, n + 1);
    if (n > 0) id = `${id.slice(0, 120)}_${n + 1}`; // same name, other extension
    if (!TITLE_ID_PATTERN.test(id)) id = `title_${seen.size}`;
    return { id, src: relative.split(path.sep).join('/') };
  });
  return {
    titles: withEpisodeNames(titles),
    mediaRoots: mediaRoots.includes(root) ? [...mediaRoots] : [...mediaRoots, root],
  };
}

/**
 * Series, season and episode from each title's path (`Show/Season 1/...`, `S01E02`:
 * catalog/episode-names.ts); episodes without a number are numbered in file order, after the
 * numbered ones of their season.
 */
export function withEpisodeNames(titles: readonly Title[]): Title[] {
  const highest = new Map<string, number>();
  const named = titles.map((title) => ({ title, name: episodeFromPath(title.src) }));
  for (const { name } of named) {
    if (name?.episode === undefined) continue;
    const season = JSON.stringify([name.series, name.season]);
    highest.set(season, Math.max(highest.get(season) ?? 0, name.episode));
  }
  return named.map(({ title, name }) => {
    if (!name) return title;
    const season = JSON.stringify([name.series, name.season]);
    let episode = name.episode;
    if (episode === undefined) {
      episode = (highest.get(season) ?? 0) + 1;
      highest.set(season, episode);
    }
    return { ...title, series: name.series, season: name.season, episode };
  });
}

export type ScanOutcome = 'done' | 'skipped' | 'failed';

export interface ScanEntry {
  titleId: string;
  outcome: ScanOutcome;
  /** For failures: the EndcueError line (code, message, hint). */
  reason?: string;
}

export interface ScanReport {
  entries: ScanEntry[];
  done: number;
  skipped: number;
  failed: number;
  /** The seasons among the titles, with each episode's intro (when the scan waited). */
  seasons?: SeasonReport[];
}

export interface SeasonReport {
  series: string;
  season: number | null;
  /** Episodes with an intro. */
  intros: number;
  episodes: Array<{ titleId: string } & IntroState>;
}

export interface ScanOptions {
  titles: readonly Title[];
  store: CreditsStore;
  queue: JobQueue;
  policy: SourcePolicy;
  modelVersion?: ModelVersionProvider;
  /** Re-analyse even when a result exists. */
  force?: boolean;
  /** Return after queueing (outcomes of queued titles are then 'done' = queued). */
  wait?: boolean;
  pollMs?: number;
  /** Called as titles finish: (finished, total to analyse, running). */
  onProgress?: (finished: number, total: number, running: number) => void;
}

function reasonOf(error: { code: string; message: string; hint?: string }): string {
  return `${error.code}: ${error.message}${error.hint ? ` (${error.hint})` : ''}`;
}

/** Registers, filters, queues and follows a library. */
export async function scanLibrary(options: ScanOptions): Promise<ScanReport> {
  const { store, queue, policy } = options;
  const entries: ScanEntry[] = [];
  const pending = new Map<string, string>(); // titleId -> fingerprint
  const model = await options.modelVersion?.();
  for (const title of options.titles) {
    const existing = await store.getTitle(title.id);
    // A folder's titles carry series, season and episode from their paths: stored too.
    const renamed =
      existing !== undefined &&
      title.series !== undefined &&
      (existing.series !== title.series ||
        existing.season !== title.season ||
        existing.episode !== title.episode);
    if (!existing || existing.src !== title.src || renamed) {
      const name = title.title ?? existing?.title;
      await store.putTitle({ ...title, ...(name !== undefined ? { title: name } : {}) }, 'admin');
    }
    let fingerprint: string;
    try {
      fingerprint = (await resolveSource(title.src, policy)).fingerprint;
    } catch (error) {
      const reason = isEndcueError(error) ? reasonOf(error) : String(error);
      entries.push({ titleId: title.id, outcome: 'failed', reason });
      continue;
    }
    if (!options.force && (await store.getResult(title.id, fingerprint, model))) {
      entries.push({ titleId: title.id, outcome: 'skipped' });
      continue;
    }
    if (!options.force) {
      // Bad media stays bad until the file changes (or --force): report it, don't re-run it.
      const known = await store.getFailure(title.id, fingerprint);
      if (known && !known.error.retryable) {
        entries.push({ titleId: title.id, outcome: 'failed', reason: reasonOf(known.error) });
        continue;
      }
    }
    if (options.force) await store.clearFailures(title.id);
    await queue.enqueue(title.id, options.force ? { force: true } : {});
    pending.set(title.id, fingerprint);
  }
  const total = pending.size;
  options.onProgress?.(0, total, 0);
  if (options.wait !== false) {
    while (pending.size > 0) {
      let running = 0;
      for (const [titleId, fingerprint] of pending) {
        const job = await queue.active(titleId);
        if (job) {
          if (job.state === 'running') running++;
          continue;
        }
        pending.delete(titleId);
        if (await store.getResult(titleId, fingerprint, model)) {
          entries.push({ titleId, outcome: 'done' });
        } else {
          const failure = await store.getFailure(titleId, fingerprint);
          entries.push({
            titleId,
            outcome: 'failed',
            reason: failure ? reasonOf(failure.error) : 'no result was stored (see the worker log)',
          });
        }
      }
      options.onProgress?.(total - pending.size, total, running);
      if (pending.size > 0) await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
    }
  } else {
    for (const titleId of pending.keys()) entries.push({ titleId, outcome: 'done' });
  }
  const seasons = await scanSeasons(options, options.wait !== false);
  const count = (outcome: ScanOutcome) => entries.filter((e) => e.outcome === outcome).length;
  return {
    entries,
    done: count('done'),
    skipped: count('skipped'),
    failed: count('failed'),
    ...(seasons.length > 0 ? { seasons } : {}),
  };
}

/**
 * The seasons among the scanned titles, each analysed as one (issue 22): their season jobs
 * are queued (a season already analysed for its members is skipped by the job) and, when
 * waiting, followed to the end and read back.
 */
async function scanSeasons(options: ScanOptions, wait: boolean): Promise<SeasonReport[]> {
  const { store, queue } = options;
  const refs = new Map<string, SeasonRef>();
  for (const title of options.titles) {
    const stored = await store.getTitle(title.id);
    const season = stored && seasonOf(stored);
    if (season) refs.set(seasonJobId(season), season);
  }
  for (const id of refs.keys()) await queue.enqueue(id, options.force ? { force: true } : {});
  if (!wait) return [];
  for (const id of refs.keys()) {
    while (await queue.active(id)) await new Promise((r) => setTimeout(r, options.pollMs ?? 500));
  }
  const reports: SeasonReport[] = [];
  for (const ref of refs.values()) {
    const titles = await store.seriesTitles(ref.series);
    const members = seasonMembers(ref, titles).sort(compareEpisodes);
    const episodes = [];
    for (const title of members) {
      store.forget?.(title.id);
      const state = currentIntro(title, titles, await store.getIntro(title.id));
      episodes.push({ titleId: title.id, intro: state.intro, introReason: state.introReason });
    }
    reports.push({
      series: ref.series,
      season: ref.season,
      intros: episodes.filter((e) => e.intro !== null).length,
      episodes,
    });
  }
  return reports;
}

export function formatScanReport(report: ScanReport, waited = true): string {
  const lines = [
    `${waited ? 'done' : 'queued'} ${report.done}, skipped ${report.skipped} (already analysed), failed ${report.failed}`,
  ];
  for (const entry of report.entries) {
    if (entry.outcome === 'failed') lines.push(`  failed ${entry.titleId}: ${entry.reason}`);
  }
  for (const season of report.seasons ?? []) {
    const name =
      season.season === null ? season.series : `${season.series} season ${season.season}`;
    lines.push(`${name}: intros in ${season.intros} of ${season.episodes.length} episodes`);
    for (const episode of season.episodes) {
      lines.push(
        episode.intro
          ? `  ${episode.titleId}: intro ${clockTime(episode.intro.start)}-${clockTime(episode.intro.end)}, confidence ${episode.intro.confidence.toFixed(2)}`
          : `  ${episode.titleId}: no intro (${episode.introReason})`,
      );
    }
  }
  return `${lines.join('\n')}\n`;
}

/** The report for scripts (`scan --json`): one object, every title with its outcome. */
export function scanReportJson(report: ScanReport, waited = true): Record<string, unknown> {
  return {
    waited,
    done: report.done,
    skipped: report.skipped,
    failed: report.failed,
    titles: report.entries.map((e) => ({
      id: e.titleId,
      outcome: e.outcome,
      ...(e.reason ? { reason: e.reason } : {}),
    })),
    seasons: (report.seasons ?? []).map((season) => ({
      series: season.series,
      season: season.season,
      intros: season.intros,
      episodes: season.episodes.map((e) => ({
        id: e.titleId,
        intro: e.intro,
        introReason: e.introReason,
      })),
    })),
  };
}

interface ScanFlags {
  json?: boolean;
  sidecars?: boolean;
  force?: boolean;
  wait: boolean;
  concurrency?: string;
  minConfidence?: string;
  dataDir?: string;
  mediaRoot?: string[];
  allowedHost?: string[];
  allowPrivateNetworks?: boolean;
  progress: boolean;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

async function localEngine(
  config: ServerConfig,
  store: CreditsStore,
  policy: SourcePolicy,
  detector: Detector,
  modelVersion: ModelVersionProvider | undefined,
  httpProxy?: string,
): Promise<{ queue: LocalJobQueue; close(): void }> {
  const db = store instanceof SqliteCreditsStore ? store.db : openDatabase(config.dataDir);
  let seasonQueue: LocalJobQueue | undefined;
  const handler = withSeasons(
    createAnalysisHandler({
      store,
      detector,
      policy,
      ...(modelVersion ? { modelVersion } : {}),
    }),
    // A start before the shared end music is detected again, bounded by it.
    // URL episodes are fingerprinted through the detector's egress proxy.
    { store, policy, detect: detector, ...(httpProxy ? { httpProxy } : {}) },
    () => seasonQueue,
  );
  const queue = new LocalJobQueue({
    db,
    handler,
    concurrency: config.concurrency,
    maxAttempts: config.maxAttempts,
    retryBaseMs: config.retryBaseMs,
    onEvent: logQueueEvents(pino({ level: 'warn', name: 'endcue-scan' }, destination(2))),
  });
  seasonQueue = queue;
  await queue.start();
  return { queue, close: () => (db !== (store as SqliteCreditsStore).db ? db.close() : undefined) };
}

export function scanCommand(): Command {
  return new Command('scan')
    .description(
      'Analyse a whole library: a catalog file or a folder of videos. Skips titles already analysed (same media, same model).',
    )
    .argument('<catalog-or-folder>', 'catalog file (JSON/YAML) or folder of videos')
    .option('--force', 'analyse again even when a result exists')
    .option('--json', 'print the report as one JSON object (exit code 1 when a title failed)')
    .option(
      '--sidecars',
      'then write <name>.edl, <name>.chapters.vtt and <name>.ffmeta beside each video (as `endcue export`)',
    )
    .option(
      '--min-confidence <n>',
      'with --sidecars: mark no credits where the detected start is less sure than this (0 to 1)',
    )
    .option('--no-wait', 'queue and return (production mode: workers do the rest)')
    .option('--concurrency <n>', 'analyses at once when this process runs them (no REDIS_URL)')
    .option('--data-dir <dir>', 'SQLite data dir when DATABASE_URL is unset (env ENDCUE_DATA_DIR)')
    .option('--media-root <dir>', 'media root, repeatable (env ENDCUE_MEDIA_ROOTS)', collect)
    .option('--allowed-host <host>', 'host URL sources may use (env ENDCUE_ALLOWED_HOSTS)', collect)
    .option('--allow-private-networks', 'allow URL sources on private addresses')
    .option('--no-progress', 'no progress bar')
    .action(async (target: string, flags: ScanFlags) => {
      const minConfidence = parseMinConfidence(flags.minConfidence ?? '0');
      const config = loadConfig(flagsToConfig(flags), process.env);
      const library = await libraryTitles(target, config.mediaRoots);
      if (config.redisUrl && library.mediaRoots.length !== config.mediaRoots.length) {
        process.stderr.write(
          `note: ${target} is under no ENDCUE_MEDIA_ROOTS entry; workers must have it as a media root\n`,
        );
      }
      const policy: SourcePolicy = {
        mediaRoots: library.mediaRoots,
        allowedHosts: config.allowedHosts,
        allowPrivateNetworks: config.allowPrivateNetworks,
      };
      const module = process.env.ENDCUE_DETECTOR_MODULE;
      const standIn = module ? await detectorFromModule(module) : undefined;
      const modelVersion = standIn ? standIn.modelVersion : modelVersionFromMetadata();
      const store = await openStore(config);
      // The detector in a thread of its own, as `endcue serve` has it: closing it ends the
      // classifier and OCR threads with it (run in this thread, the OCR threads' stdout
      // pipes kept the process alive after the report).
      const ownDetector =
        config.redisUrl || standIn
          ? undefined
          : await startJobDetector({ policy, textCheck: config.textCheck });
      const engine = config.redisUrl
        ? {
            queue: new BullJobQueue({
              redisUrl: config.redisUrl,
              maxAttempts: config.maxAttempts,
              retryBaseMs: config.retryBaseMs,
            }),
            close: () => {},
          }
        : await localEngine(
            config,
            store,
            policy,
            standIn?.detector ?? (ownDetector?.detector as Detector),
            modelVersion,
            ownDetector?.httpProxy,
          );
      const bar =
        flags.progress && process.stderr.isTTY
          ? new cliProgress.SingleBar(
              {
                stream: process.stderr,
                format: 'scan [{bar}] {value}/{total} titles | {running} running | {eta_formatted}',
                hideCursor: true,
              },
              cliProgress.Presets.shades_classic,
            )
          : undefined;
      let report: ScanReport;
      let sidecars: ExportEntry[] | undefined;
      try {
        report = await scanLibrary({
          titles: library.titles,
          store,
          queue: engine.queue,
          policy,
          ...(modelVersion ? { modelVersion } : {}),
          force: flags.force === true,
          wait: flags.wait,
          onProgress: (finished, total, running) => {
            if (!bar) return;
            if (bar.getTotal() !== total) bar.start(total, finished, { running });
            bar.update(finished, { running });
          },
        });
        if (flags.sidecars && flags.wait) {
          sidecars = await exportSidecars({ titles: library.titles, store, policy, minConfidence });
        } else if (flags.sidecars) {
          process.stderr.write(
            'note: --sidecars needs the analyses done; with --no-wait, run `endcue export` once the workers are through\n',
          );
        }
      } finally {
        bar?.stop();
        await engine.queue.stop();
        await ownDetector?.close();
        engine.close();
        await store.close();
      }
      process.stdout.write(
        flags.json
          ? `${JSON.stringify({ ...scanReportJson(report, flags.wait), ...(sidecars ? { sidecars } : {}) })}\n`
          : formatScanReport(report, flags.wait) + (sidecars ? formatExportReport(sidecars) : ''),
      );
      const sidecarsFailed = sidecars?.some((entry) => entry.outcome === 'failed') ?? false;
      if (report.failed > 0 || sidecarsFailed) process.exitCode = 1;
    });
}
