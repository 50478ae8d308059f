/**
 * Node wiring: config -> SQLite store + local queue + catalog watcher + Hono app on a
 * socket. `startServer()` is what `endcue serve`, the demo and browser tests use in-process.
 * The real detector (TF.js) runs in a worker thread started on the first analysis, so the
 * server starts fast, tests never load it, and inference never stalls HTTP requests.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { serve } from '@hono/node-server';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { type Logger, pino } from 'pino';
import type { Title } from '../catalog/title.js';
import { type CatalogWatcher, watchCatalog } from '../catalog/watch.js';
import { loadConfig, PROJECT_ROOT, type ServerConfig } from '../config.js';
import { Outages } from '../dependencies.js';
import type { Detector } from '../detector/types.js';
import { ENVIRONMENT_ERROR_CODES } from '../errors.js';
import type { WindowOptions } from '../fingerprint/windows.js';
import type { SourceDeps, SourcePolicy } from '../media/sources.js';
import { createAnalysisHandler, type ModelVersionProvider } from '../queue/analyze.js';
import { BullJobQueue } from '../queue/bullmq.js';
import { startJobDetector, startSourceProxy } from '../queue/job-detector.js';
import { LocalJobQueue } from '../queue/local.js';
import { withSeasons } from '../queue/season-job.js';
import type { JobQueue, QueueEvent } from '../queue/types.js';
import { mountReview } from '../review/routes.js';
import type { analyzeSeason } from '../series/season.js';
import { openStore } from '../store/open.js';
import { openDatabase, SqliteCreditsStore } from '../store/sqlite.js';
import type { CreditsStore } from '../store/types.js';
import { createApp } from './app.js';
import { EndcueMetrics } from './metrics.js';
import { adminAuth } from './middleware/auth.js';
import { clientAddressResolver } from './middleware/trust-proxy.js';
import { checkModelFiles } from './model-preflight.js';
import { NodeEndcueService } from './node-service.js';

export interface StartOptions extends Partial<ServerConfig> {
  /** Default: the real detector (server/detector/detect.ts) in a worker thread, started on first use. */
  detector?: Detector;
  /**
   * The model version results are keyed by. Default with the real detector: the `version`
   * in model/credits-classifier/metadata.json (re-read when it changes); with an injected
   * detector: whatever each DetectionResult says.
   */
  modelVersion?: ModelVersionProvider;
  /** Model folder checked at start when no detector is given (default: the shipped one the real detector loads). */
  modelDir?: string;
  /** Titles to register as catalog titles at start (in addition to the catalog file). */
  titles?: Title[];
  /** Env to read ENDCUE_* from; default {} (programmatic use is explicit). */
  env?: NodeJS.ProcessEnv;
  /** A pino logger, or false for none. Default: pino at config.logLevel. */
  logger?: Logger | false;
  sourceDeps?: SourceDeps;
  /** What players get as `next.src` (default: src as registered). */
  publicSrc?: (title: Title) => string;
  /** Mount extra routes on the same app (demo page, media files...). */
  configureApp?: (app: OpenAPIHono) => void;
  /** The season analysis season jobs run (default server/series/season.ts; tests pass a fake). */
  analyzeSeason?: typeof analyzeSeason;
  /**
   * Which audio season jobs fingerprint (default windows.ts: the first and last 25%, at most
   * 10 min). Short titles need more: the demo's 72-96 s episodes have their theme at 4-34 s.
   */
  seasonWindows?: WindowOptions;
}

export interface RunningServer {
  /** http://host:port, no trailing slash. */
  url: string;
  port: number;
  config: ServerConfig;
  app: OpenAPIHono;
  /** SQLite by default; PostgreSQL when DATABASE_URL is set. */
  store: CreditsStore;
  /** In-process by default; BullMQ (enqueue and read only) when REDIS_URL is set. */
  queue: JobQueue & { idle(pollMs?: number): Promise<void> };
  metrics: EndcueMetrics;
  logger: Logger;
  /** Re-reads the catalog file now (it is also watched). */
  reloadCatalog(): Promise<void>;
  /** Graceful: stop accepting, re-queue running jobs, close the DB. Idempotent. */
  close(): Promise<void>;
}

const DETECTOR_MODULE = '../detector/detect.js';
const MODEL_METADATA = path.join(PROJECT_ROOT, 'model', 'credits-classifier', 'metadata.json');

/** The real detector, imported on first call (TF.js is heavy). */
export function lazyDetector(): Detector {
  let loaded: Promise<Detector> | undefined;
  return async (source, options) => {
    loaded ??= (import(/* @vite-ignore */ DETECTOR_MODULE) as Promise<{ detect: Detector }>).then(
      (module) => module.detect,
    );
    return (await loaded)(source, options);
  };
}

/** Reads the shipped model's version without loading TF.js; re-reads when the file changes. */
export function modelVersionFromMetadata(file: string = MODEL_METADATA): ModelVersionProvider {
  let cache: { mtimeMs: number; version: string | undefined } | undefined;
  return () => {
    if (!existsSync(file)) return undefined;
    const { mtimeMs } = statSync(file);
    if (cache?.mtimeMs !== mtimeMs) {
      let version: string | undefined;
      try {
        const meta = JSON.parse(readFileSync(file, 'utf8')) as { version?: unknown };
        version = typeof meta.version === 'string' ? meta.version : undefined;
      } catch {
        version = undefined;
      }
      cache = { mtimeMs, version };
    }
    return cache.version;
  };
}

/**
 * Forgets failures caused by this machine's setup (missing ffmpeg or model...): a restart
 * is when an operator's fix takes effect, so those titles are analysed again on the next ask
 * instead of answering 422 until someone forces it. Media failures are kept.
 */
export async function clearEnvironmentFailures(
  store: CreditsStore,
  logger: Pick<Logger, 'info'>,
): Promise<void> {
  const cleared = await store.clearFailuresWithCodes(ENVIRONMENT_ERROR_CODES);
  if (cleared > 0) {
    logger.info(
      { cleared },
      'cleared stored environment failures; those titles will be re-analysed',
    );
  }
}

/** Logs queue events and counts them in the metrics (local queue and `endcue worker`). */
export function logQueueEvents(
  logger: Logger,
  metrics?: EndcueMetrics,
): (event: QueueEvent) => void {
  return (event) => {
    const base = { jobId: event.job.id, titleId: event.job.titleId, attempt: event.job.attempts };
    switch (event.type) {
      case 'started':
        logger.info(base, 'analysis started');
        break;
      case 'done':
        metrics?.jobsFinished.inc({ outcome: 'done' });
        metrics?.jobDuration.observe(event.durationMs / 1000);
        logger.info({ ...base, ms: event.durationMs }, 'analysis done');
        break;
      case 'retry':
        metrics?.jobRetries.inc();
        logger.warn(
          { ...base, err: event.error.toJSON(), delayMs: event.delayMs },
          'analysis failed; will retry',
        );
        break;
      case 'failed':
        metrics?.jobsFinished.inc({ outcome: 'failed' });
        metrics?.jobDuration.observe(event.durationMs / 1000);
        logger.warn({ ...base, err: event.error.toJSON() }, 'analysis failed');
        break;
      case 'requeued':
        logger.info(base, 'analysis interrupted by shutdown; re-queued');
        break;
      case 'lost':
        logger.warn(
          {
            ...base,
            outcome: event.outcome,
            ...(event.error ? { err: event.error.toJSON() } : {}),
          },
          'analysis outcome dropped: another process took the job over after this one missed its lease',
        );
        break;
    }
  };
}

export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const {
    detector,
    modelDir,
    modelVersion,
    titles,
    env = {},
    logger: loggerOption,
    sourceDeps,
    publicSrc,
    configureApp,
    analyzeSeason: seasonAnalysis,
    seasonWindows,
    ...overrides
  } = options;
  const config = loadConfig(overrides, env);
  // The real detector loads the model lazily: check its files now, so a broken model
  // stops the start with a clear error instead of failing (and being stored) per title.
  if (!detector) checkModelFiles(modelDir ?? path.dirname(MODEL_METADATA));
  const logger =
    loggerOption === false
      ? pino({ level: 'silent' })
      : (loggerOption ?? pino({ level: config.logLevel, name: 'endcue' }));

  // PostgreSQL and Redis outages: one warning when each starts and ends.
  const outages = new Outages(logger);
  const store = await openStore(config, outages);
  const policy: SourcePolicy = {
    mediaRoots: config.mediaRoots,
    allowedHosts: config.allowedHosts,
    allowPrivateNetworks: config.allowPrivateNetworks,
  };
  const metrics = new EndcueMetrics();
  const versionOf = modelVersion ?? (detector ? undefined : modelVersionFromMetadata());
  // Model inference is synchronous CPU work: off the event loop, reads stay fast meanwhile.
  const ownDetector = detector
    ? undefined
    : await startJobDetector({
        policy,
        textCheck: config.textCheck,
        ...(sourceDeps?.lookup ? { lookup: sourceDeps.lookup } : {}),
        log: logger,
      });
  // Season jobs fingerprint URL episodes through the detector's egress proxy; a server given
  // its own detector (tests, a stand-in) starts one for them where hosts are allowed.
  const seasonProxy = ownDetector
    ? undefined
    : await startSourceProxy({
        policy,
        ...(sourceDeps?.lookup ? { lookup: sourceDeps.lookup } : {}),
        log: logger,
      });
  const seasonHttpProxy = ownDetector?.httpProxy ?? seasonProxy?.url;
  // Each analysed episode of a series queues its season's job (issue 22) in the same queue.
  let seasonQueue: JobQueue | undefined;
  const handler = withSeasons(
    createAnalysisHandler({
      store,
      detector: detector ?? (ownDetector?.detector as Detector),
      policy,
      ...(sourceDeps ? { sourceDeps } : {}),
      ...(versionOf ? { modelVersion: versionOf } : {}),
      log: logger,
    }),
    {
      store,
      policy,
      ...(sourceDeps ? { sourceDeps } : {}),
      ...(seasonAnalysis ? { analyze: seasonAnalysis } : {}),
      ...(seasonWindows ? { season: { windows: seasonWindows } } : {}),
      // A start before the shared end music is detected again, bounded by it.
      detect: detector ?? (ownDetector?.detector as Detector),
      ...(seasonHttpProxy ? { httpProxy: seasonHttpProxy } : {}),
      log: logger,
    },
    () => seasonQueue,
  );
  // PostgreSQL store without Redis: the local queue keeps its jobs table in SQLite still.
  const jobsDb =
    !config.redisUrl && !(store instanceof SqliteCreditsStore)
      ? openDatabase(config.dataDir)
      : undefined;
  // Production mode: workers (`endcue worker`) run the jobs; this server only enqueues.
  const queue: RunningServer['queue'] = config.redisUrl
    ? new BullJobQueue({
        redisUrl: config.redisUrl,
        maxAttempts: config.maxAttempts,
        retryBaseMs: config.retryBaseMs,
        outages,
      })
    : new LocalJobQueue({
        db: jobsDb ?? (store as SqliteCreditsStore).db,
        handler,
        concurrency: config.concurrency,
        maxAttempts: config.maxAttempts,
        retryBaseMs: config.retryBaseMs,
        onEvent: logQueueEvents(logger, metrics),
      });

  seasonQueue = queue;

  let watcher: CatalogWatcher | undefined;
  try {
    await clearEnvironmentFailures(store, logger);
    if (titles?.length) await store.syncCatalog(titles);
    if (config.catalog) watcher = await watchCatalog(config.catalog, store, logger);
  } catch (error) {
    await queue.stop();
    await seasonProxy?.close();
    await store.close();
    jobsDb?.close();
    throw error;
  }

  const service = new NodeEndcueService({
    store,
    queue,
    policy,
    metrics,
    fingerprintTtlMs: config.fingerprintTtlMs,
    ...(sourceDeps ? { sourceDeps } : {}),
    ...(versionOf ? { modelVersion: versionOf } : {}),
    ...(publicSrc ? { publicSrc } : {}),
  });
  const clientAddress = clientAddressResolver(config.trustProxy);
  const app = createApp({
    service,
    ...(config.adminKey ? { adminKey: config.adminKey } : {}),
    cors: config.cors,
    maxBodyBytes: config.maxBodyBytes,
    enqueueRatePerMinute: config.enqueueRatePerMinute,
    resultMaxAgeS: config.resultMaxAgeS,
    metrics,
    clientKey: (c) => {
      let peer: string | undefined;
      try {
        peer = getConnInfo(c).remote.address;
      } catch {
        peer = undefined; // not a socket (app.request in tests)
      }
      return clientAddress(peer, c.req.header('x-forwarded-for')) ?? 'unknown';
    },
    logger,
    configure: (app) => {
      // The review page and its thumbnails (ffmpeg, files: Node only, so not in app.ts).
      mountReview(app, {
        titleSrc: async (id) => (await store.getTitle(id))?.src,
        policy,
        ...(sourceDeps ? { sourceDeps } : {}),
        auth: adminAuth(config.adminKey),
        ...(config.adminKey ? { adminKey: config.adminKey } : {}),
        ...(ownDetector?.httpProxy ? { httpProxy: ownDetector.httpProxy } : {}),
        cacheDir: path.join(config.dataDir, 'thumbs'),
      });
      configureApp?.(app);
    },
  });

  await queue.start();

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const s = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
      resolve(s),
    );
    s.once('error', reject);
  });
  const { port } = server.address() as AddressInfo;
  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  const url = `http://${hostForUrl === '0.0.0.0' ? '127.0.0.1' : hostForUrl}:${port}`;
  logger.info(
    {
      url,
      dataDir: config.dataDir,
      mediaRoots: config.mediaRoots,
      admin: Boolean(config.adminKey),
    },
    'endcue server listening',
  );

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      watcher?.close();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      if ('closeIdleConnections' in server) server.closeIdleConnections();
      await queue.stop();
      await ownDetector?.close();
      await seasonProxy?.close();
      if ('closeAllConnections' in server) server.closeAllConnections();
      await serverClosed;
      await store.close();
      jobsDb?.close();
      logger.info('endcue server stopped');
    })();
    return closing;
  };

  return {
    url,
    port,
    config,
    app,
    store,
    queue,
    metrics,
    logger,
    reloadCatalog: async () => watcher?.reload(),
    close,
  };
}
