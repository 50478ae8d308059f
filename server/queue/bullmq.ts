/**
 * Production queue (issue 8): analysis jobs in Redis through BullMQ, chosen when REDIS_URL
 * is set. API servers hold a BullJobQueue (enqueue and read only); `endcue worker`
 * processes run startBullWorker() with the same JobHandler as the local queue.
 * - single-flight: the job id is derived from the title id, so one active job per title
 *   across every server (a finished job is removed before a new run of the same title);
 * - retries: BullMQ attempts + exponential backoff for retryable EndcueErrors, none for
 *   bad media (UnrecoverableError); handler.failed runs once, on the final failure;
 * - stalled jobs: a worker that dies loses its lock; another worker's stalled check puts
 *   the job back in the queue (lockDurationMs / stalledIntervalMs);
 * - progress: job.updateProgress({fraction, phase}), throttled.
 */
import {
  DelayedError,
  type Job,
  type JobType,
  MetricsTime,
  Queue,
  UnrecoverableError,
  WaitingError,
  Worker,
} from 'bullmq';
import { Redis } from 'ioredis';
import { guarded, isRedisOutage, type Outages } from '../dependencies.js';
import { EndcueError, isUnavailable } from '../errors.js';
import type { StoredError } from '../store/types.js';
import { asEndcueError } from './job-error.js';
import type {
  EnqueueResult,
  JobCounts,
  JobHandler,
  JobQueue,
  JobSnapshot,
  JobState,
  QueueEvent,
} from './types.js';

export const QUEUE_NAME = 'endcue-analyze';

interface JobData {
  titleId: string;
  force: boolean;
}

interface JobProgressValue {
  fraction: number;
  phase: string | null;
}

type BullJob = Job<JobData, void, string>;

/** Title ids are [A-Za-z0-9._-]: safe in a BullMQ custom id (no ':', not an integer). */
export const jobIdFor = (titleId: string): string => `title-${titleId}`;

/** One ioredis connection as BullMQ wants it (blocking commands must not time out). */
export function redisConnection(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, lazyConnect: false });
  // Connection errors surface through commands; keep the process alive while reconnecting.
  redis.on('error', () => {});
  return redis;
}

/**
 * The API servers' connection: no blocking commands, so it fails fast instead of queueing
 * commands while Redis is away (offline queue off, bounded command and connect times) and
 * reconnects at most 1 s apart once Redis is back.
 */
export function queueConnection(url: string): Redis {
  const redis = new Redis(url, {
    lazyConnect: false,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: 2000,
    connectTimeout: 2000,
    retryStrategy: (times) => Math.min(100 * times, 1000),
  });
  redis.on('error', () => {});
  return redis;
}

const ACTIVE_TYPES: JobType[] = ['active', 'waiting', 'prioritized', 'delayed'];

function stateOf(type: string): JobState {
  switch (type) {
    case 'active':
      return 'running';
    case 'completed':
      return 'done';
    case 'failed':
      return 'failed';
    default:
      return 'queued';
  }
}

/** failedReason holds StoredError JSON when we threw it; anything else is wrapped. */
function storedErrorOf(reason: string | undefined): StoredError | null {
  if (!reason) return null;
  try {
    const parsed = JSON.parse(reason) as StoredError;
    if (parsed && typeof parsed.code === 'string') return parsed;
  } catch {
    // not ours: a stalled-job or Redis error message
  }
  return { code: 'internal', message: reason, retryable: true };
}

export function snapshotOf(job: BullJob, type: string): JobSnapshot {
  const progress = job.progress as JobProgressValue | number | undefined;
  const fraction =
    typeof progress === 'number' ? progress : typeof progress === 'object' ? progress.fraction : 0;
  const state = stateOf(type);
  return {
    id: String(job.id),
    titleId: job.data.titleId,
    state,
    attempts: job.attemptsStarted ?? job.attemptsMade,
    progress: state === 'done' ? 1 : Number.isFinite(fraction) ? fraction : 0,
    phase: typeof progress === 'object' && progress ? progress.phase : null,
    error: storedErrorOf(job.failedReason),
    force: job.data.force === true,
    createdAt: job.timestamp,
    updatedAt: job.finishedOn ?? job.processedOn ?? job.timestamp,
    runAfter: job.timestamp + (job.delay ?? 0),
    startedAt: job.processedOn ?? null,
    finishedAt: job.finishedOn ?? null,
  };
}

export interface BullQueueOptions {
  redisUrl: string;
  /** Redis key prefix (default 'endcue'): separate deployments or tests on one Redis. */
  prefix?: string;
  /** Total runs allowed for retryable errors (default 4). */
  maxAttempts?: number;
  /** First retry delay, doubling each time (default 2 s). */
  retryBaseMs?: number;
  /** Finished jobs kept for GET /v1/jobs (default 500 each of done and failed). */
  keepFinished?: number;
  /** Where Redis outages are noted (one log line when one starts and ends). */
  outages?: Outages;
}

/** The API servers' side: enqueue and read. Runs no job itself. */
export class BullJobQueue implements JobQueue {
  readonly queue: Queue<JobData, void, string>;
  private readonly connection: Redis;
  private readonly options: Required<Omit<BullQueueOptions, 'redisUrl' | 'outages'>>;
  private readonly outages: Outages | undefined;

  constructor(options: BullQueueOptions) {
    this.options = {
      prefix: options.prefix ?? 'endcue',
      maxAttempts: options.maxAttempts ?? 4,
      retryBaseMs: options.retryBaseMs ?? 2000,
      keepFinished: options.keepFinished ?? 500,
    };
    this.outages = options.outages;
    this.connection = queueConnection(options.redisUrl);
    this.queue = new Queue<JobData, void, string>(QUEUE_NAME, {
      connection: this.connection,
      prefix: this.options.prefix,
    });
    this.queue.on('error', () => {});
  }

  /** Runs queue work; an unreachable Redis becomes queue-unavailable. */
  private guard<T>(work: () => Promise<T>): Promise<T> {
    return guarded('redis', this.outages, (error) => this.isOutage(error), work);
  }

  private isOutage(error: unknown): boolean {
    return this.connection.status !== 'ready' || isRedisOutage(error);
  }

  enqueue(titleId: string, options: { force?: boolean } = {}): Promise<EnqueueResult> {
    return this.guard(() => this.add(titleId, options));
  }

  private async add(titleId: string, options: { force?: boolean }): Promise<EnqueueResult> {
    const id = jobIdFor(titleId);
    const existing = (await this.queue.getJob(id)) as BullJob | undefined;
    if (existing) {
      const type = await existing.getState();
      if (stateOf(type) === 'queued' || stateOf(type) === 'running') {
        if (options.force && type !== 'active' && !existing.data.force) {
          await existing.updateData({ ...existing.data, force: true });
        }
        return { job: snapshotOf(existing, type), created: false };
      }
      // Finished: make room for a new run. If it fails, someone else is re-adding it now.
      await existing.remove().catch(() => {});
    }
    const before = Date.now();
    const job = (await this.queue.add(
      'analyze',
      { titleId, force: options.force === true },
      {
        jobId: id,
        attempts: this.options.maxAttempts,
        backoff: { type: 'exponential', delay: this.options.retryBaseMs },
        removeOnComplete: { count: this.options.keepFinished },
        removeOnFail: { count: this.options.keepFinished },
      },
    )) as BullJob;
    // With an existing id BullMQ returns that job instead of adding one (single-flight).
    const created = job.timestamp >= before && job.data.force === (options.force === true);
    return { job: snapshotOf(job, await job.getState()), created };
  }

  active(titleId: string): Promise<JobSnapshot | undefined> {
    return this.guard(() => this.activeJob(titleId));
  }

  private async activeJob(titleId: string): Promise<JobSnapshot | undefined> {
    const job = (await this.queue.getJob(jobIdFor(titleId))) as BullJob | undefined;
    if (!job) return undefined;
    const snapshot = snapshotOf(job, await job.getState());
    return snapshot.state === 'queued' || snapshot.state === 'running' ? snapshot : undefined;
  }

  list(limit = 100): Promise<JobSnapshot[]> {
    return this.guard(() => this.jobs(limit));
  }

  private async jobs(limit: number): Promise<JobSnapshot[]> {
    const out: JobSnapshot[] = [];
    for (const type of [...ACTIVE_TYPES, 'completed', 'failed'] as JobType[]) {
      if (out.length >= limit) break;
      const jobs = (await this.queue.getJobs([type], 0, limit - out.length - 1)) as BullJob[];
      for (const job of jobs) if (job) out.push(snapshotOf(job, type));
    }
    return out.slice(0, limit);
  }

  counts(): Promise<JobCounts> {
    return this.guard(async () => {
      const raw = await this.queue.getJobCounts(...ACTIVE_TYPES, 'completed', 'failed');
      const counts: JobCounts = { queued: 0, running: 0, done: 0, failed: 0 };
      for (const [type, n] of Object.entries(raw)) counts[stateOf(type)] += n;
      return counts;
    });
  }

  /** Prometheus text: queue depth by BullMQ state, live workers, throughput per minute. */
  metricsText(): Promise<string> {
    return this.guard(() => this.metrics());
  }

  private async metrics(): Promise<string> {
    const raw = await this.queue.getJobCounts(...ACTIVE_TYPES, 'completed', 'failed');
    const [workers, completed, failed] = await Promise.all([
      this.queue.getWorkersCount(),
      this.queue.getMetrics('completed', 0, 4),
      this.queue.getMetrics('failed', 0, 4),
    ]);
    // Stored points are whole minutes, newest first; the minute in progress is count - prevCount.
    const perMinute = (metrics: { data: number[]; meta: { count: number; prevCount: number } }) =>
      (metrics.meta.count -
        metrics.meta.prevCount +
        metrics.data.slice(0, 4).reduce((a, n) => a + n, 0)) /
      (1 + Math.min(4, metrics.data.length));
    return [
      '# HELP endcue_queue_depth Analysis jobs in Redis (BullMQ), by state.',
      '# TYPE endcue_queue_depth gauge',
      ...Object.entries(raw).map(([type, n]) => `endcue_queue_depth{state="${type}"} ${n}`),
      '# HELP endcue_workers Worker processes connected to the queue.',
      '# TYPE endcue_workers gauge',
      `endcue_workers ${workers}`,
      '# HELP endcue_worker_throughput_per_minute Jobs finished per minute by all workers (up to the last 5 minutes; rate() of endcue_worker_jobs_total is exact).',
      '# TYPE endcue_worker_throughput_per_minute gauge',
      `endcue_worker_throughput_per_minute{outcome="done"} ${perMinute(completed)}`,
      `endcue_worker_throughput_per_minute{outcome="failed"} ${perMinute(failed)}`,
      '# HELP endcue_worker_jobs_total Jobs finished by all workers since metrics began.',
      '# TYPE endcue_worker_jobs_total counter',
      `endcue_worker_jobs_total{outcome="done"} ${completed.meta.count}`,
      `endcue_worker_jobs_total{outcome="failed"} ${failed.meta.count}`,
    ].join('\n');
  }

  async start(): Promise<void> {
    await this.queue.waitUntilReady();
  }

  /** Jobs belong to Redis and the workers: stopping an API server only disconnects. */
  async stop(): Promise<void> {
    await this.queue.close().catch(() => {});
    this.connection.disconnect();
  }

  /** Resolves when nothing is queued or running anywhere (tests, batch runs). */
  async idle(pollMs = 50): Promise<void> {
    for (;;) {
      const counts = await this.counts();
      if (counts.queued === 0 && counts.running === 0) return;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }
}

export interface BullWorkerOptions {
  redisUrl: string;
  handler: JobHandler;
  /** Jobs this process runs at once. */
  concurrency: number;
  prefix?: string;
  /** A job whose worker stops renewing its lock this long is stalled (default 30 s). */
  lockDurationMs?: number;
  /** How often this worker looks for stalled jobs (default stalledIntervalFor(lock)). */
  stalledIntervalMs?: number;
  onEvent?: (event: QueueEvent) => void;
  /**
   * A job that ends because PostgreSQL or Redis is still unreachable goes back to the queue
   * this long later, without spending an attempt (default 5 s).
   */
  outageRetryMs?: number;
}

/**
 * How often to look for stalled jobs, for a lock time: a dead worker's lock expires L/2 to L
 * after its last renewal and the next check after that takes the job back, so a killed
 * worker's job is back in the queue L/2 to L + this later (15-35 s for the 30 s default).
 */
export const stalledIntervalFor = (lockDurationMs: number): number =>
  Math.max(250, Math.min(5000, Math.round(lockDurationMs / 6)));

export interface BullWorker {
  worker: Worker<JobData, void, string>;
  /** Stops taking jobs; running ones are aborted and put back in the queue. */
  close(): Promise<void>;
}

/** An `endcue worker` process's side: takes jobs from Redis and runs the handler. */
export function startBullWorker(options: BullWorkerOptions): BullWorker {
  const onEvent = options.onEvent ?? (() => {});
  const running = new Map<string, { controller: AbortController; settled: Promise<unknown> }>();
  let stopping = false;

  const processor = async (job: BullJob, token?: string): Promise<void> => {
    if (stopping) {
      // Fetched while closing: leave it to the other workers.
      await job.moveToWait(token);
      throw new WaitingError();
    }
    const controller = new AbortController();
    const id = String(job.id);
    let settle: () => void = () => {};
    running.set(id, { controller, settled: new Promise<void>((resolve) => (settle = resolve)) });
    const snapshot = snapshotOf(job, 'active');
    const startedAt = Date.now();
    onEvent({ type: 'started', job: snapshot });
    let last = { at: 0, phase: null as string | null };
    const progress = (fraction: number, phase?: string): void => {
      const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
      const nextPhase = phase ?? last.phase;
      if (nextPhase === last.phase && Date.now() - last.at < 500) return;
      last = { at: Date.now(), phase: nextPhase };
      job.updateProgress({ fraction: clamped, phase: nextPhase }).catch(() => {});
    };
    try {
      await options.handler.run(snapshot, { signal: controller.signal, progress });
      onEvent({ type: 'done', job: snapshot, durationMs: Date.now() - startedAt });
    } catch (thrown) {
      if (stopping && controller.signal.aborted) {
        // Shutdown: back to the queue without spending an attempt.
        await job.moveToWait(token);
        onEvent({ type: 'requeued', job: snapshot });
        throw new WaitingError();
      }
      const error = asEndcueError(thrown);
      if (isUnavailable(error)) {
        // A dependency is still away (the handler waited for it): not the job's fault, so
        // no attempt is spent and no failure stored; it runs again once the service is back.
        const delayMs = options.outageRetryMs ?? 5000;
        await job.moveToDelayed(Date.now() + delayMs, token);
        onEvent({ type: 'retry', job: snapshot, error, delayMs });
        throw new DelayedError();
      }
      const reason = JSON.stringify(error.toJSON());
      const maxAttempts = job.opts.attempts ?? 1;
      if (!error.retryable || job.attemptsMade + 1 >= maxAttempts) {
        const failed = { ...snapshot, state: 'failed' as const, error: error.toJSON() };
        try {
          await options.handler.failed?.(failed, error);
        } finally {
          onEvent({ type: 'failed', job: failed, error, durationMs: Date.now() - startedAt });
        }
        throw new UnrecoverableError(reason);
      }
      const delayMs = (job.opts.backoff as { delay?: number } | undefined)?.delay ?? 0;
      onEvent({
        type: 'retry',
        job: snapshot,
        error,
        delayMs: delayMs * 2 ** job.attemptsMade,
      });
      throw new Error(reason);
    } finally {
      running.delete(id);
      settle();
    }
  };

  const connection = redisConnection(options.redisUrl);
  const worker = new Worker<JobData, void, string>(QUEUE_NAME, processor, {
    connection,
    prefix: options.prefix ?? 'endcue',
    concurrency: Math.max(1, options.concurrency),
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval:
      options.stalledIntervalMs ?? stalledIntervalFor(options.lockDurationMs ?? 30_000),
    maxStalledCount: 2,
    metrics: { maxDataPoints: MetricsTime.ONE_WEEK },
  });
  worker.on('error', () => {});

  return {
    worker,
    async close() {
      stopping = true;
      // Take no more jobs (a re-queued job would come straight back to a free slot), then
      // abort and re-queue running ones: worker.close() alone would wait for them to finish.
      await worker.pause(true);
      const settling = [...running.values()].map(({ controller, settled }) => {
        controller.abort(
          new EndcueError('timeout', 'The worker is shutting down', {
            hint: 'The job is re-queued.',
          }),
        );
        return settled;
      });
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled(settling),
        new Promise((resolve) => {
          timer = setTimeout(resolve, 10_000);
        }),
      ]);
      clearTimeout(timer);
      // BullMQ's close can wait for good on a job fetch begun before Redis went away and came
      // back: give it 5 s, then drop the connection under it (the jobs were settled above).
      const closed = worker.close().then(
        () => true,
        () => true,
      );
      const within = (ms: number) =>
        Promise.race([
          closed,
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), ms);
          }),
        ]).finally(() => clearTimeout(timer));
      if (!(await within(5000))) {
        connection.disconnect();
        await within(2000);
      }
      connection.disconnect(); // BullMQ leaves a connection it was given open
    },
  };
}
