/**
 * The zero-config job queue: runs analyses in this process, at most `concurrency` at once,
 * and keeps every job in the SQLite `jobs` table so that queued and running jobs survive a
 * crash or restart. Retryable errors (EndcueError.retryable) are retried with exponential
 * backoff; bad media fails at once.
 *
 * Several processes may share one data dir (`endcue scan` while `endcue serve` runs): each
 * running job names its owner (queue instance, host, pid) and the owner renews a heartbeat.
 * A job goes back to the queue only when its owner is gone: a dead pid on this host, or no
 * heartbeat for `leaseMs` (the only sign available for another host).
 *
 * A run's writes (progress, outcome, retry, re-queue) are conditional on the job still being
 * that run's: running, owned by this instance, at the same attempt. An owner that stalled
 * past its lease and was taken over finds its writes dropped (a 'lost' event) and its run
 * aborted at its next heartbeat; the job row only ever shows the new owner's run.
 *
 * The jobs table's rows and statements are in local-jobs.ts; owners and their liveness in
 * owners.ts.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { EndcueError } from '../errors.js';
import type { SqliteDb } from '../store/sqlite.js';
import { asEndcueError } from './job-error.js';
import {
  type Claim,
  type JobRow,
  type JobStatements,
  jobStatements,
  type OwnerRow,
  snapshot,
} from './local-jobs.js';
import { type JobOwner, otherOwnerAlive } from './owners.js';

import type {
  EnqueueResult,
  JobCounts,
  JobHandler,
  JobQueue,
  JobSnapshot,
  LostOutcome,
  QueueEvent,
} from './types.js';

export interface LocalQueueOptions {
  db: SqliteDb;
  handler: JobHandler;
  concurrency: number;
  /** Total runs allowed for retryable errors (default 4). */
  maxAttempts?: number;
  /** First retry delay; doubles each time (default 2 s), capped at `retryMaxMs`. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Finished jobs kept for GET /v1/jobs (default 500). */
  keepFinished?: number;
  /** How long stop() waits for aborted jobs to settle (default 10 s). */
  stopTimeoutMs?: number;
  /**
   * A running job whose owner sent no heartbeat for this long is taken to be orphaned
   * (default 60 s); owners on this host are also checked by pid, at once.
   */
  leaseMs?: number;
  /** How often running jobs' heartbeats are renewed and orphans looked for (default 10 s). */
  heartbeatMs?: number;
  onEvent?: (event: QueueEvent) => void;
  now?: () => number;
}

interface Running {
  controller: AbortController;
  /** The claim this run holds: the job's `attempts` when it was claimed. */
  attempt: number;
  done: Promise<void>;
  progress: number;
  phase: string | null;
  lastSaved: number;
}

export class LocalJobQueue implements JobQueue {
  private readonly db: SqliteDb;
  private readonly handler: JobHandler;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly retryBaseMs: number;
  private readonly retryMaxMs: number;
  private readonly keepFinished: number;
  private readonly stopTimeoutMs: number;
  private readonly onEvent: (event: QueueEvent) => void;
  private readonly now: () => number;
  private readonly leaseMs: number;
  private readonly heartbeatMs: number;
  /** This instance, as written on the jobs it runs. */
  readonly owner: JobOwner;
  private readonly running = new Map<number, Running>();
  /** Job id -> the run's claim and error JSON, for outcomes that could not be written (disk full). */
  private readonly stranded = new Map<number, { attempt: number; error: string }>();
  private started = false;
  private stopping = false;
  private wakeTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private readonly sql: JobStatements;

  constructor(options: LocalQueueOptions) {
    this.db = options.db;
    this.handler = options.handler;
    this.concurrency = Math.max(1, options.concurrency);
    this.maxAttempts = options.maxAttempts ?? 4;
    this.retryBaseMs = options.retryBaseMs ?? 2000;
    this.retryMaxMs = options.retryMaxMs ?? 5 * 60_000;
    this.keepFinished = options.keepFinished ?? 500;
    this.stopTimeoutMs = options.stopTimeoutMs ?? 10_000;
    this.onEvent = options.onEvent ?? (() => {});
    this.now = options.now ?? Date.now;
    this.leaseMs = options.leaseMs ?? 60_000;
    this.heartbeatMs = Math.max(10, options.heartbeatMs ?? Math.min(10_000, this.leaseMs / 3));
    this.owner = { id: randomUUID(), host: hostname(), pid: process.pid };
    this.sql = jobStatements(this.db);
  }

  async enqueue(titleId: string, options: { force?: boolean } = {}): Promise<EnqueueResult> {
    const result = this.db
      .transaction((): EnqueueResult => {
        const existing = this.sql.active.get(titleId);
        if (existing) {
          if (options.force && existing.state === 'queued' && existing.force === 0) {
            this.sql.setForce.run(existing.id);
            existing.force = 1;
          }
          return { job: this.withLiveProgress(existing), created: false };
        }
        const now = this.now();
        const info = this.sql.insert.run(titleId, options.force ? 1 : 0, now, now, now);
        const row = this.sql.byId.get(Number(info.lastInsertRowid)) as JobRow;
        return { job: snapshot(row), created: true };
      })
      .immediate(); // another process may enqueue the same title at the same moment
    if (result.created) queueMicrotask(() => this.pump());
    return result;
  }

  async active(titleId: string): Promise<JobSnapshot | undefined> {
    const row = this.sql.active.get(titleId);
    return row ? this.withLiveProgress(row) : undefined;
  }

  async list(limit = 100): Promise<JobSnapshot[]> {
    return this.sql.list.all(limit).map((row) => this.withLiveProgress(row));
  }

  async counts(): Promise<JobCounts> {
    const counts: JobCounts = { queued: 0, running: 0, done: 0, failed: 0 };
    for (const { state, n } of this.sql.counts.all()) counts[state] = n;
    return counts;
  }

  /**
   * Resumes what a dead process left (its running jobs were interrupted: run them again);
   * jobs that a live process runs are left to it.
   */
  async start(): Promise<void> {
    if (this.started) return;
    this.recoverOrphans();
    this.started = true;
    this.stopping = false;
    this.heartbeatTimer = setInterval(() => this.tick(), this.heartbeatMs);
    this.heartbeatTimer.unref();
    this.pump();
  }

  /**
   * Puts back in the queue the running jobs that no live owner runs: owned by nobody (rows
   * from before owners were recorded), by a dead pid on this host, by an owner silent for
   * `leaseMs`, or by this instance but no longer running here. Returns how many.
   */
  recoverOrphans(): number {
    return this.db
      .transaction((): number => {
        let recovered = 0;
        for (const row of this.sql.runningOwners.all()) {
          if (this.ownerAlive(row)) continue;
          recovered += this.sql.requeue.run(this.now(), row.id).changes;
        }
        return recovered;
      })
      .immediate();
  }

  private ownerAlive(row: OwnerRow): boolean {
    // Stranded jobs (outcome not written) are re-queued by requeueStranded, with their error.
    if (row.owner_id === this.owner.id)
      return this.running.has(row.id) || this.stranded.has(row.id);
    return otherOwnerAlive(row, this.owner, this.now(), this.leaseMs);
  }

  /** Renews this instance's leases, takes over orphans, and picks up jobs other processes queued. */
  private tick(): void {
    if (!this.started || this.stopping) return;
    try {
      this.sql.heartbeat.run(this.now(), this.owner.id);
      this.abortLostRuns();
      this.recoverOrphans();
    } catch {
      // The table can't be written now: the next tick tries again.
    }
    this.pump();
  }

  /**
   * Runs whose job another process took over (this instance stalled past its lease) are
   * aborted: their outcome would be dropped anyway, and the job now runs elsewhere.
   */
  private abortLostRuns(): void {
    if (this.running.size === 0) return;
    const held = new Map(this.sql.owned.all(this.owner.id).map((row) => [row.id, row.attempts]));
    for (const [id, entry] of this.running) {
      if (held.get(id) === entry.attempt || entry.controller.signal.aborted) continue;
      entry.controller.abort(
        new EndcueError('timeout', `Job ${id} was taken over by another process`, {
          hint: 'This process missed its heartbeat lease; the job runs elsewhere now.',
        }),
      );
    }
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    this.stopping = true;
    clearTimeout(this.wakeTimer);
    clearInterval(this.heartbeatTimer);
    const settling = [...this.running.values()].map((job) => {
      job.controller.abort(
        new EndcueError('timeout', 'The server is shutting down', {
          hint: 'The job is re-queued.',
        }),
      );
      return job.done;
    });
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.allSettled(settling),
      new Promise((resolve) => {
        timer = setTimeout(resolve, this.stopTimeoutMs);
      }),
    ]);
    clearTimeout(timer);
    // Whatever of ours did not settle in time is still 'running' in the table: back to the
    // queue. Other processes' jobs are theirs. (If the table can't be written now, the next
    // start() here, or another process once our pid is gone, re-queues them.)
    try {
      this.sql.requeueOwn.run(this.now(), this.owner.id);
    } catch {
      // disk full or read-only: see above
    }
    this.started = false;
  }

  /** Resolves when nothing is queued or running (tests, batch runs). */
  async idle(pollMs = 10): Promise<void> {
    for (;;) {
      const counts = await this.counts();
      if (counts.queued === 0 && counts.running === 0 && this.running.size === 0) return;
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  private withLiveProgress(row: JobRow): JobSnapshot {
    const job = snapshot(row);
    const live = this.running.get(row.id);
    return live ? { ...job, progress: live.progress, phase: live.phase } : job;
  }

  private pump(): void {
    if (!this.started || this.stopping) return;
    try {
      this.requeueStranded();
      while (this.running.size < this.concurrency) {
        const row = this.claimNext();
        if (!row) break;
        this.run(row);
      }
      this.scheduleWake();
    } catch {
      // The table can't be written (disk full, I/O error): try again later, don't crash.
      this.wakeLater(this.retryBaseMs);
    }
  }

  /** Jobs whose outcome could not be written go back to the queue once the table takes writes. */
  private requeueStranded(): void {
    for (const [id, { attempt, error }] of this.stranded) {
      // 0 changes: another process took the job over meanwhile; it is theirs now.
      this.sql.retry.run(error, this.now(), this.now(), id, this.owner.id, attempt);
      this.stranded.delete(id);
    }
  }

  private wakeLater(delayMs: number): void {
    clearTimeout(this.wakeTimer);
    this.wakeTimer = setTimeout(() => this.pump(), Math.max(10, delayMs));
    this.wakeTimer.unref();
  }

  private claimNext(): JobRow | undefined {
    // IMMEDIATE: take the write lock before reading, so two processes never claim one job.
    return this.db
      .transaction((): JobRow | undefined => {
        const row = this.sql.next.get(this.now());
        if (!row) return undefined;
        const now = this.now();
        const { id, host, pid } = this.owner;
        if (this.sql.claim.run(now, now, id, host, pid, now, row.id).changes === 0)
          return undefined;
        return this.sql.byId.get(row.id);
      })
      .immediate();
  }

  /** Wakes up for the earliest delayed retry. */
  private scheduleWake(): void {
    clearTimeout(this.wakeTimer);
    if (this.stranded.size > 0) {
      this.wakeLater(this.retryBaseMs);
      return;
    }
    if (this.running.size >= this.concurrency) return;
    const at = this.sql.nextWake.get()?.at;
    if (at === null || at === undefined) return;
    const delay = Math.max(0, at - this.now());
    this.wakeTimer = setTimeout(() => this.pump(), Math.min(delay, 2 ** 31 - 1));
    this.wakeTimer.unref();
  }

  private run(row: JobRow): void {
    const controller = new AbortController();
    const claim: Claim = [row.id, this.owner.id, row.attempts];
    const entry: Running = {
      controller,
      attempt: row.attempts,
      done: Promise.resolve(),
      progress: 0,
      phase: null,
      lastSaved: 0,
    };
    this.running.set(row.id, entry);
    const job = snapshot(row);
    const startedAt = this.now();
    this.onEvent({ type: 'started', job });
    const progress = (fraction: number, phase?: string): void => {
      const clamped = Math.min(1, Math.max(0, Number.isFinite(fraction) ? fraction : 0));
      const phaseChanged = phase !== undefined && phase !== entry.phase;
      entry.progress = clamped;
      if (phase !== undefined) entry.phase = phase;
      // Progress lives in memory; the table gets it now and then (restart shows roughly where).
      if (phaseChanged || this.now() - entry.lastSaved > 1000) {
        entry.lastSaved = this.now();
        try {
          if (this.running.get(row.id) === entry)
            this.sql.progress.run(clamped, entry.phase, entry.lastSaved, ...claim);
        } catch {
          // best effort: progress is also kept in memory
        }
      }
    };
    const owned = (): boolean => {
      try {
        return this.sql.claimed.get(...claim) !== undefined;
      } catch {
        return true; // can't tell now; the outcome write is guarded anyway
      }
    };
    entry.done = (async () => {
      try {
        try {
          await this.handler.run(job, { signal: controller.signal, progress, owned });
          if (this.sql.finish.run('done', null, 1, this.now(), this.now(), ...claim).changes === 0)
            this.lost(job, 'done');
          else
            this.onEvent({
              type: 'done',
              job: this.current(row.id, job),
              durationMs: this.now() - startedAt,
            });
        } catch (thrown) {
          await this.settleFailure(claim, job, thrown, controller.signal, startedAt);
        }
      } catch (storage) {
        // The outcome (result, failure or retry) could not be written, e.g. the disk is
        // full: run the job again once writes work, rather than crash or leave it 'running'.
        const error = asEndcueError(storage);
        this.stranded.set(row.id, { attempt: row.attempts, error: JSON.stringify(error.toJSON()) });
        this.onEvent({ type: 'retry', job, error, delayMs: this.retryBaseMs });
      } finally {
        // This instance may have claimed the job again since (after losing it): keep that run.
        if (this.running.get(row.id) === entry) this.running.delete(row.id);
        try {
          this.sql.prune.run(this.keepFinished);
        } catch {
          // pruning waits for the next job
        }
        if (!this.stopping) this.pump();
      }
    })();
  }

  private async settleFailure(
    claim: Claim,
    job: JobSnapshot,
    thrown: unknown,
    signal: AbortSignal,
    startedAt: number,
  ): Promise<void> {
    const [id] = claim;
    if (this.stopping && signal.aborted) {
      if (this.sql.requeueRun.run(this.now(), ...claim).changes === 0) this.lost(job, 'requeued');
      else this.onEvent({ type: 'requeued', job: this.current(id, job) });
      return;
    }
    const error = asEndcueError(thrown);
    const stored = JSON.stringify(error.toJSON());
    if (error.retryable && job.attempts < this.maxAttempts) {
      const delayMs = Math.min(this.retryMaxMs, this.retryBaseMs * 2 ** (job.attempts - 1));
      if (this.sql.retry.run(stored, this.now() + delayMs, this.now(), ...claim).changes === 0)
        this.lost(job, 'retry', error);
      else this.onEvent({ type: 'retry', job: this.current(id, job), error, delayMs });
      return;
    }
    const progress = this.running.get(id)?.progress ?? 0;
    if (
      this.sql.finish.run('failed', stored, progress, this.now(), this.now(), ...claim).changes ===
      0
    ) {
      // Not ours to report: the new owner's run decides whether a failure is stored.
      this.lost(job, 'failed', error);
      return;
    }
    const failedJob = this.current(id, job);
    try {
      await this.handler.failed?.(failedJob, error);
    } finally {
      this.onEvent({ type: 'failed', job: failedJob, error, durationMs: this.now() - startedAt });
    }
  }

  /** A run's outcome that was not written because the job is no longer this run's. */
  private lost(job: JobSnapshot, outcome: LostOutcome, error?: EndcueError): void {
    this.onEvent({ type: 'lost', job, outcome, ...(error ? { error } : {}) });
  }

  private current(id: number, fallback: JobSnapshot): JobSnapshot {
    const row = this.sql.byId.get(id);
    return row ? snapshot(row) : fallback;
  }
}
