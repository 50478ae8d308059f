/**
 * `endcue worker`: a production-mode analysis worker (issue 8). Takes jobs from Redis
 * (REDIS_URL, BullMQ), runs the detector with its own inference backend and concurrency,
 * and writes results to the shared store (DATABASE_URL, or the SQLite data dir when every
 * process is on one machine). Run as many as you like, on any number of machines.
 *
 * Test hook: ENDCUE_DETECTOR_MODULE=<file> loads `detect` (and optional `modelVersion`)
 * from that module instead of the TF.js detector, so multi-process tests and the queue
 * benchmark can run a fast stand-in on 2 CPU cores.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Command } from 'commander';
import { type Logger, pino } from 'pino';
import { loadConfig, type ServerConfig } from '../config.js';
import { Outages } from '../dependencies.js';
import type { Detector } from '../detector/types.js';
import { EndcueError } from '../errors.js';
import {
  clearEnvironmentFailures,
  logQueueEvents,
  modelVersionFromMetadata,
} from '../http/start.js';
import type { SourcePolicy } from '../media/sources.js';
import { createAnalysisHandler, type ModelVersionProvider } from '../queue/analyze.js';
import { BullJobQueue, type BullWorker, startBullWorker } from '../queue/bullmq.js';
import { startJobDetector, startSourceProxy } from '../queue/job-detector.js';
import { withSeasons } from '../queue/season-job.js';
import { openStore } from '../store/open.js';
import type { CreditsStore } from '../store/types.js';
import { flagsToConfig, logLevelOption } from './serve.js';

export interface WorkerOptions {
  config: ServerConfig;
  logger: Logger;
  /** Default: the real detector (or ENDCUE_DETECTOR_MODULE's). */
  detector?: Detector;
  modelVersion?: ModelVersionProvider;
  /** Lock time after which a dead worker's job is taken by another (default 30 s). */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

export interface RunningWorker {
  store: CreditsStore;
  worker: BullWorker;
  close(): Promise<void>;
}

/** Loads a stand-in detector module (test hook): exports `detect`, maybe `modelVersion`. */
export async function detectorFromModule(
  file: string,
): Promise<{ detector: Detector; modelVersion?: ModelVersionProvider }> {
  const module = (await import(pathToFileURL(path.resolve(file)).href)) as {
    detect?: Detector;
    modelVersion?: string;
  };
  if (typeof module.detect !== 'function') {
    throw new EndcueError('invalid-input', `${file} exports no detect() function`, {
      hint: 'ENDCUE_DETECTOR_MODULE must name a module exporting `detect(source, options)`.',
    });
  }
  const version = module.modelVersion;
  return { detector: module.detect, ...(version ? { modelVersion: () => version } : {}) };
}

export async function startWorker(options: WorkerOptions): Promise<RunningWorker> {
  const { config, logger } = options;
  if (!config.redisUrl) {
    throw new EndcueError('invalid-input', 'endcue worker needs REDIS_URL', {
      hint: 'Set REDIS_URL=redis://host:6379 (the same for servers and workers). Without Redis, `endcue serve` runs analyses itself.',
    });
  }
  const store = await openStore(config, new Outages(logger));
  try {
    // A worker restart is when a fix to this machine's ffmpeg or model takes effect.
    await clearEnvironmentFailures(store, logger);
  } catch (error) {
    await store.close();
    throw error;
  }
  const policy: SourcePolicy = {
    mediaRoots: config.mediaRoots,
    allowedHosts: config.allowedHosts,
    allowPrivateNetworks: config.allowPrivateNetworks,
  };
  const versionOf =
    options.modelVersion ?? (options.detector ? undefined : modelVersionFromMetadata());
  // Inference off the event loop: BullMQ renews the job's lock from it (a blocked loop
  // would make a live worker look dead and its job run twice).
  const ownDetector = options.detector
    ? undefined
    : await startJobDetector({ policy, textCheck: config.textCheck, log: logger });
  // Season jobs fingerprint URL episodes through the detector's egress proxy, or their own.
  const seasonProxy = ownDetector ? undefined : await startSourceProxy({ policy, log: logger });
  const seasonHttpProxy = ownDetector?.httpProxy ?? seasonProxy?.url;
  // A finished episode queues its season's job (issue 22) on the same Redis queue.
  const seasonQueue = new BullJobQueue({
    redisUrl: config.redisUrl,
    maxAttempts: config.maxAttempts,
    retryBaseMs: config.retryBaseMs,
  });
  const handler = withSeasons(
    createAnalysisHandler({
      store,
      detector: options.detector ?? (ownDetector?.detector as Detector),
      policy,
      ...(versionOf ? { modelVersion: versionOf } : {}),
      log: logger,
    }),
    {
      store,
      policy,
      // A start before the shared end music is detected again, bounded by it.
      detect: options.detector ?? (ownDetector?.detector as Detector),
      ...(seasonHttpProxy ? { httpProxy: seasonHttpProxy } : {}),
      log: logger,
    },
    () => seasonQueue,
  );
  const worker = startBullWorker({
    redisUrl: config.redisUrl,
    handler,
    concurrency: config.concurrency,
    ...(options.lockDurationMs ? { lockDurationMs: options.lockDurationMs } : {}),
    ...(options.stalledIntervalMs ? { stalledIntervalMs: options.stalledIntervalMs } : {}),
    onEvent: logQueueEvents(logger),
  });
  await worker.worker.waitUntilReady();
  let closing: Promise<void> | undefined;
  return {
    store,
    worker,
    close: () => {
      closing ??= (async () => {
        await worker.close();
        await seasonQueue.stop();
        await ownDetector?.close();
        await seasonProxy?.close();
        await store.close();
      })();
      return closing;
    },
  };
}

interface WorkerFlags {
  concurrency?: string;
  dataDir?: string;
  mediaRoot?: string[];
  allowedHost?: string[];
  allowPrivateNetworks?: boolean;
  logLevel?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];
const positiveMs = (value: string | undefined): number | undefined =>
  value && Number(value) > 0 ? Number(value) : undefined;

export function workerCommand(): Command {
  return new Command('worker')
    .description(
      'Run analyses from the Redis queue (production mode: REDIS_URL, and DATABASE_URL for a shared store).',
    )
    .option('--concurrency <n>', 'analyses at once in this process (env ENDCUE_CONCURRENCY)')
    .option('--data-dir <dir>', 'SQLite data dir when DATABASE_URL is unset (env ENDCUE_DATA_DIR)')
    .option('--media-root <dir>', 'media root, repeatable (env ENDCUE_MEDIA_ROOTS)', collect)
    .option('--allowed-host <host>', 'host URL sources may use (env ENDCUE_ALLOWED_HOSTS)', collect)
    .option('--allow-private-networks', 'allow URL sources on private addresses')
    .addOption(logLevelOption())
    .addHelpText(
      'after',
      '\nThe backend is the best available: @tensorflow/tfjs-node-gpu (install it on GPU machines), tfjs-node, then wasm.\nENDCUE_WORKER_LOCK_MS: how long a dead worker keeps its job before another takes it (default 30000).',
    )
    .action(async (flags: WorkerFlags) => {
      const config = loadConfig(flagsToConfig(flags), process.env);
      const logger = pino({ level: config.logLevel, name: 'endcue-worker' });
      const module = process.env.ENDCUE_DETECTOR_MODULE;
      const standIn = module ? await detectorFromModule(module) : undefined;
      if (module) logger.warn({ module }, 'using a stand-in detector (ENDCUE_DETECTOR_MODULE)');
      const lockDurationMs = positiveMs(process.env.ENDCUE_WORKER_LOCK_MS);
      const running = await startWorker({
        config,
        logger,
        ...(standIn ?? {}),
        ...(lockDurationMs ? { lockDurationMs } : {}),
      });
      process.stdout.write(
        `EndCue worker ${process.pid}: concurrency ${config.concurrency}, store ${config.databaseUrl ? 'postgres' : config.dataDir}\n`,
      );
      let stopping = false;
      const stop = (signal: string) => {
        if (stopping) process.exit(1);
        stopping = true;
        logger.info({ signal }, 'worker shutting down; running jobs go back to the queue');
        running.close().then(
          () => process.exit(0),
          (error: unknown) => {
            logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
}
