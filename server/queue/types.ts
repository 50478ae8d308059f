/**
 * The analysis job queue's contract. The default (local.ts) runs jobs in-process and keeps
 * them in SQLite; a BullMQ/Redis queue (issue 8) can implement the same interface and reuse
 * the same JobHandler (analyze.ts). Web-standard types only.
 */
import type { EndcueError } from '../errors.js';
import type { StoredError } from '../store/types.js';

export type JobState = 'queued' | 'running' | 'done' | 'failed';

export interface JobSnapshot {
  id: string;
  titleId: string;
  state: JobState;
  /** Runs started so far (1 while the first run is going). */
  attempts: number;
  /** 0..1 */
  progress: number;
  phase: string | null;
  /** Last error (kept while a retry waits). */
  error: StoredError | null;
  force: boolean;
  createdAt: number;
  updatedAt: number;
  /** Not before this time (ms epoch): backoff after a retryable error. */
  runAfter: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface EnqueueResult {
  job: JobSnapshot;
  /** false when an active job for the title already existed (single-flight). */
  created: boolean;
}

export type JobCounts = Record<JobState, number>;

export interface JobQueue {
  /** Single-flight per title: returns the active job when there is one. */
  enqueue(titleId: string, options?: { force?: boolean }): Promise<EnqueueResult>;
  /** The queued or running job of a title, if any. */
  active(titleId: string): Promise<JobSnapshot | undefined>;
  /** Newest first: active jobs, then recent finished ones. */
  list(limit?: number): Promise<JobSnapshot[]>;
  counts(): Promise<JobCounts>;
  start(): Promise<void>;
  /** Stops taking jobs, aborts running ones and puts them back in the queue. */
  stop(): Promise<void>;
  /** Extra Prometheus text for /metrics (queue depth, worker throughput), if the queue has it. */
  metricsText?(): Promise<string>;
}

export interface JobContext {
  signal: AbortSignal;
  /** fraction 0..1, phase a short word ('probe', 'coarse'...). */
  progress(fraction: number, phase?: string): void;
  /**
   * false once this run no longer holds its job: another process took it over after this
   * one missed its lease. Left out by queues that cannot tell (taken as true).
   */
  owned?(): boolean;
}

/** The work itself; queues call it and decide on retries from EndcueError.retryable. */
export interface JobHandler {
  run(job: JobSnapshot, context: JobContext): Promise<void>;
  /** Called once when a job fails for good (not retryable, or out of attempts). */
  failed?(job: JobSnapshot, error: EndcueError): Promise<void>;
}

export type QueueEvent =
  | { type: 'started'; job: JobSnapshot }
  | { type: 'done'; job: JobSnapshot; durationMs: number }
  | { type: 'retry'; job: JobSnapshot; error: EndcueError; delayMs: number }
  | { type: 'failed'; job: JobSnapshot; error: EndcueError; durationMs: number }
  | { type: 'requeued'; job: JobSnapshot }
  /**
   * A run's outcome was dropped: another process took the job over (this one missed its
   * heartbeat lease), so the job row shows that process's run. `job` is as this run began.
   */
  | { type: 'lost'; job: JobSnapshot; outcome: LostOutcome; error?: EndcueError };

/** What a run that lost its job had to write. */
export type LostOutcome = 'done' | 'failed' | 'retry' | 'requeued';
