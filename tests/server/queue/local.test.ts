import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EndcueError } from '../../../server/errors.js';
import { LocalJobQueue } from '../../../server/queue/local.js';
import type { JobHandler, QueueEvent } from '../../../server/queue/types.js';
import { openDatabase, type SqliteDb } from '../../../server/store/sqlite.js';
import { type TempMedia, tempMedia, waitFor } from '../http/fakes.js';

let media: TempMedia | undefined;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  media?.cleanup();
  media = undefined;
});

/** A handler that records calls and can be held open, failed, or made to throw. */
function recordingHandler(
  behaviour: (titleId: string, attempt: number) => Promise<void> = async () => {},
) {
  const calls: string[] = [];
  let running = 0;
  let maxRunning = 0;
  const failed: [string, string][] = [];
  const handler: JobHandler = {
    async run(job, { progress }) {
      calls.push(job.titleId);
      running++;
      maxRunning = Math.max(maxRunning, running);
      try {
        progress(0.25, 'coarse');
        await behaviour(job.titleId, calls.filter((id) => id === job.titleId).length);
      } finally {
        running--;
      }
    },
    async failed(job, error) {
      failed.push([job.titleId, error.code]);
    },
  };
  return { handler, calls, failed, maxRunning: () => maxRunning };
}

function makeQueue(
  db: SqliteDb,
  handler: JobHandler,
  extra: Partial<ConstructorParameters<typeof LocalJobQueue>[0]> = {},
) {
  const queue = new LocalJobQueue({ db, handler, concurrency: 2, retryBaseMs: 1, ...extra });
  cleanups.push(() => queue.stop());
  return queue;
}

function memoryDb(): SqliteDb {
  const db = openDatabase(':memory:');
  cleanups.push(() => {
    db.close();
  });
  return db;
}

describe('LocalJobQueue', () => {
  it('is single-flight per title: 50 concurrent enqueues make one job and one run', async () => {
    const { handler, calls } = recordingHandler(
      () => new Promise((resolve) => setTimeout(resolve, 20)),
    );
    const queue = makeQueue(memoryDb(), handler);
    await queue.start();
    const results = await Promise.all(Array.from({ length: 50 }, () => queue.enqueue('a')));
    expect(new Set(results.map((r) => r.job.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    await queue.idle();
    expect(calls).toEqual(['a']);
    expect((await queue.counts()).done).toBe(1);
  });

  it('runs at most `concurrency` jobs at once', async () => {
    const { handler, calls, maxRunning } = recordingHandler(
      () => new Promise((resolve) => setTimeout(resolve, 15)),
    );
    const queue = makeQueue(memoryDb(), handler, { concurrency: 2 });
    await queue.start();
    await Promise.all(['a', 'b', 'c', 'd', 'e'].map((id) => queue.enqueue(id)));
    await queue.idle();
    expect(calls.sort()).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(maxRunning()).toBe(2);
  });

  it('retries retryable errors with growing backoff, then succeeds', async () => {
    const events: QueueEvent[] = [];
    const { handler, calls } = recordingHandler(async (_id, attempt) => {
      if (attempt < 3) throw new EndcueError('ffmpeg-failed', 'ffmpeg was killed');
    });
    const queue = makeQueue(memoryDb(), handler, {
      onEvent: (e) => events.push(e),
      maxAttempts: 4,
    });
    await queue.start();
    await queue.enqueue('a');
    await queue.idle();
    expect(calls).toEqual(['a', 'a', 'a']);
    const delays = events.flatMap((e) => (e.type === 'retry' ? [e.delayMs] : []));
    expect(delays).toEqual([1, 2]);
    const [job] = await queue.list();
    expect(job).toMatchObject({ state: 'done', attempts: 3 });
  });

  it('does not retry bad media, and reports the failure once', async () => {
    const { handler, calls, failed } = recordingHandler(async () => {
      throw new EndcueError('not-a-video', 'a.mp4 is a text file');
    });
    const queue = makeQueue(memoryDb(), handler);
    await queue.start();
    await queue.enqueue('a');
    await queue.idle();
    expect(calls).toEqual(['a']);
    expect(failed).toEqual([['a', 'not-a-video']]);
    const [job] = await queue.list();
    expect(job).toMatchObject({
      state: 'failed',
      attempts: 1,
      error: { code: 'not-a-video', retryable: false },
    });
  });

  it('gives up on retryable errors after maxAttempts; unknown throws count as retryable internal errors', async () => {
    const { handler, calls, failed } = recordingHandler(async () => {
      throw new TypeError('boom');
    });
    const queue = makeQueue(memoryDb(), handler, { maxAttempts: 3 });
    await queue.start();
    await queue.enqueue('a');
    await queue.idle();
    expect(calls).toHaveLength(3);
    expect(failed).toEqual([['a', 'internal']]);
  });

  it('resumes queued jobs and re-runs jobs that were running when the process died', async () => {
    media = tempMedia();
    const file = path.join(media.dataDir, 'endcue.db');
    // First "process": enqueues two jobs, one of them is running when it dies (no stop()).
    const first = openDatabase(media.dataDir);
    const dead = new LocalJobQueue({
      db: first,
      handler: recordingHandler().handler,
      concurrency: 1,
    });
    await dead.enqueue('queued-one');
    await dead.enqueue('was-running');
    first
      .prepare("UPDATE jobs SET state = 'running', attempts = 1 WHERE title_id = 'was-running'")
      .run();
    first.close();

    const second = openDatabase(file);
    cleanups.push(() => {
      second.close();
    });
    const { handler, calls } = recordingHandler();
    const queue = makeQueue(second, handler);
    expect(await queue.counts()).toMatchObject({ queued: 1, running: 1 });
    await queue.start();
    await queue.idle();
    expect(calls.sort()).toEqual(['queued-one', 'was-running']);
    expect(await queue.counts()).toMatchObject({ queued: 0, running: 0, done: 2 });
  });

  it('stop() aborts running jobs and puts them back in the queue', async () => {
    media = tempMedia();
    const db = openDatabase(media.dataDir);
    cleanups.push(() => {
      db.close();
    });
    const handler: JobHandler = {
      run: (_job, { signal }) =>
        new Promise((_resolve, reject) =>
          signal.addEventListener('abort', () => reject(signal.reason)),
        ),
    };
    const queue = new LocalJobQueue({ db, handler, concurrency: 1 });
    await queue.start();
    await queue.enqueue('a');
    await waitFor(async () => ((await queue.active('a'))?.state === 'running' ? true : undefined));
    await queue.stop();
    expect(await queue.active('a')).toMatchObject({ state: 'queued', attempts: 1 });
  });

  it('reports live progress and phase for the running job', async () => {
    let release: () => void = () => {};
    const handler: JobHandler = {
      run: (_job, { progress }) =>
        new Promise((resolve) => {
          progress(0.4, 'fine');
          release = () => resolve();
        }),
    };
    const queue = makeQueue(memoryDb(), handler);
    await queue.start();
    await queue.enqueue('a');
    const active = await waitFor(async () => {
      const job = await queue.active('a');
      return job?.progress === 0.4 ? job : undefined;
    });
    expect(active).toMatchObject({ state: 'running', phase: 'fine' });
    release();
    await queue.idle();
  });

  it('marks a forced request on an already queued job instead of adding another', async () => {
    const queue = makeQueue(memoryDb(), recordingHandler().handler);
    const first = await queue.enqueue('a');
    const forced = await queue.enqueue('a', { force: true });
    expect(forced.created).toBe(false);
    expect(forced.job).toMatchObject({ id: first.job.id, force: true });
  });
});

const ROOT = path.resolve(import.meta.dirname, '../../..');

/** A second process on `dataDir` whose queue runs (and holds) a job for `titleId`. */
function holdJobInChild(dataDir: string, titleId: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'hold-job-child.ts'),
      dataDir,
      titleId,
      '50',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    let err = '';
    child.stderr?.on('data', (d: Buffer) => {
      err += d.toString();
    });
    child.stdout?.on('data', (d: Buffer) => {
      if (d.toString().includes('running')) resolve(child);
    });
    child.on('exit', (code) => reject(new Error(`child exited ${code}: ${err}`)));
  });
}

interface OwnedRow {
  state: string;
  attempts: number;
  owner_pid: number | null;
  heartbeat_at: number | null;
}

describe('LocalJobQueue beside another process on the same data dir', () => {
  it("leaves a live process's running job alone (start, ticks, stop), and takes it over once that process dies", async () => {
    media = tempMedia();
    const child = await holdJobInChild(media.dataDir, 'held');
    const db = openDatabase(media.dataDir);
    cleanups.push(() => {
      db.close();
    });
    const row = () =>
      db
        .prepare<[], OwnedRow>(
          "SELECT state, attempts, owner_pid, heartbeat_at FROM jobs WHERE title_id = 'held'",
        )
        .get();
    expect(row()).toMatchObject({ state: 'running', attempts: 1, owner_pid: child.pid });

    // What `endcue scan` does beside `endcue serve`: start a queue, enqueue, stop.
    const scanning = recordingHandler();
    const scan = makeQueue(db, scanning.handler, { heartbeatMs: 20 });
    await scan.start();
    expect((await scan.enqueue('held')).created).toBe(false);
    expect(scanning.calls).toEqual([]);
    expect(row()).toMatchObject({ state: 'running', attempts: 1 });
    // Let both sides tick a few times: the child's heartbeat moves on, ours looks for orphans.
    const firstBeat = row()?.heartbeat_at ?? 0;
    await waitFor(() => ((row()?.heartbeat_at ?? 0) > firstBeat + 100 ? true : undefined));
    expect(scanning.calls).toEqual([]);
    await scan.stop();
    expect(row()).toMatchObject({ state: 'running', attempts: 1 });
    expect(scanning.calls).toEqual([]);

    // The owner dies: a running queue on the same data dir runs its job again.
    const serving = recordingHandler();
    const serve = makeQueue(db, serving.handler, { heartbeatMs: 20 });
    await serve.start();
    expect(serving.calls).toEqual([]);
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    await waitFor(() => (row()?.state === 'done' ? true : undefined));
    expect(serving.calls).toEqual(['held']);
    expect(row()).toMatchObject({ attempts: 2, owner_pid: process.pid });
  });

  it('re-queues only orphans: no owner, a dead pid here, or a lease run out elsewhere', async () => {
    let now = 1_000_000;
    const db = memoryDb();
    const seed = makeQueue(db, recordingHandler().handler);
    for (const id of ['legacy', 'dead-pid', 'live-here', 'remote-fresh', 'remote-stale'])
      await seed.enqueue(id);
    const deadPid = spawnSync(process.execPath, ['-e', '']).pid;
    const own = db.prepare<[string | null, string | null, number | null, number | null, string]>(
      `UPDATE jobs SET state = 'running', attempts = 1, owner_id = ?, owner_host = ?,
         owner_pid = ?, heartbeat_at = ? WHERE title_id = ?`,
    );
    own.run(null, null, null, null, 'legacy');
    own.run('gone', hostname(), deadPid, now, 'dead-pid');
    own.run('here', hostname(), process.pid, now - 5_000, 'live-here');
    own.run('far', 'some-other-host', 1, now - 5_000, 'remote-fresh');
    own.run('far', 'some-other-host', 1, now - 60_001, 'remote-stale');
    const queue = makeQueue(db, recordingHandler().handler, { leaseMs: 60_000, now: () => now });
    const states = () =>
      Object.fromEntries(
        db
          .prepare<[], { title_id: string; state: string }>('SELECT title_id, state FROM jobs')
          .all()
          .map((r) => [r.title_id, r.state]),
      );
    expect(queue.recoverOrphans()).toBe(3);
    expect(states()).toEqual({
      legacy: 'queued',
      'dead-pid': 'queued',
      'live-here': 'running',
      'remote-fresh': 'running',
      'remote-stale': 'queued',
    });
    // Silent for longer than the lease: even a pid that is alive here no longer holds it.
    now += 60_000;
    expect(queue.recoverOrphans()).toBe(2);
    expect(states()).toMatchObject({ 'live-here': 'queued', 'remote-fresh': 'queued' });
  });
});

/** A handler whose runs are settled by the test (or rejected when their signal aborts). */
function gatedHandler() {
  const runs: {
    attempt: number;
    signal: AbortSignal;
    progress(fraction: number, phase?: string): void;
    owned(): boolean | undefined;
    settle(error?: Error): void;
  }[] = [];
  const failed: string[] = [];
  const handler: JobHandler = {
    run: (job, { signal, progress, owned }) =>
      new Promise<void>((resolve, reject) => {
        progress(0.5, `run ${job.attempts}`);
        signal.addEventListener('abort', () => reject(signal.reason));
        runs.push({
          attempt: job.attempts,
          signal,
          progress,
          owned: () => owned?.(),
          settle: (error) => (error ? reject(error) : resolve()),
        });
      }),
    async failed(job, error) {
      failed.push(`${job.attempts}:${error.code}`);
    },
  };
  return { handler, runs, failed };
}

interface JobRowView {
  state: string;
  attempts: number;
  owner_id: string | null;
  phase: string | null;
  error: string | null;
}

/**
 * Two queues on one data dir: A runs a job, stalls past its lease (as B's clock sees it),
 * and B takes the job over and runs it. Both runs are held open until the test settles them.
 */
async function takenOver(heartbeatMsA = 3_600_000) {
  media = tempMedia();
  const dbA = openDatabase(media.dataDir);
  const dbB = openDatabase(media.dataDir);
  cleanups.push(() => {
    dbA.close();
    dbB.close();
  });
  const clockB = { now: 1_000_000 };
  const a = { ...gatedHandler(), events: [] as QueueEvent[] };
  const b = { ...gatedHandler(), events: [] as QueueEvent[] };
  const common = { concurrency: 1, leaseMs: 60_000 };
  const queueA = makeQueue(dbA, a.handler, {
    ...common,
    heartbeatMs: heartbeatMsA,
    now: () => 1_000_000, // stalled: its heartbeats say nothing new
    onEvent: (e) => a.events.push(e),
  });
  const queueB = makeQueue(dbB, b.handler, {
    ...common,
    heartbeatMs: 3_600_000,
    now: () => clockB.now,
    onEvent: (e) => b.events.push(e),
  });
  await queueA.start();
  await queueA.enqueue('t');
  const runA = await waitFor(() => a.runs[0]);
  clockB.now += 60_001;
  await queueB.start(); // finds A silent past its lease: re-queues the job, claims it
  const runB = await waitFor(() => b.runs[0]);
  const row = () => dbB.prepare<[], JobRowView>('SELECT * FROM jobs').get();
  expect(row()).toMatchObject({ state: 'running', attempts: 2, owner_id: queueB.owner.id });
  /** A's run settled: the event it ended with. */
  const settledA = () => waitFor(() => a.events.find((e) => e.type !== 'started'));
  return { queueA, queueB, a, b, runA, runB, row, settledA };
}

describe('LocalJobQueue: a job taken over is not finished by its old owner', () => {
  it("drops A's completion and progress after B took over; the row shows B's run, which then fails for good", async () => {
    const { queueB, a, b, runA, runB, row, settledA } = await takenOver();
    expect([runA.owned(), runB.owned()]).toEqual([false, true]);
    runA.progress(0.9, 'late');
    runA.settle();
    const settled = await settledA(); // A's run has ended
    expect(row()).toMatchObject({
      state: 'running',
      attempts: 2,
      owner_id: queueB.owner.id,
      phase: 'run 2',
    });
    expect(settled).toMatchObject({ type: 'lost', outcome: 'done' });
    runB.settle(new EndcueError('not-a-video', 't.mp4 is a text file'));
    await waitFor(() => (row()?.state === 'failed' ? true : undefined));
    expect(JSON.parse(row()?.error ?? 'null')).toMatchObject({ code: 'not-a-video' });
    expect(b.failed).toEqual(['2:not-a-video']);
    expect(a.failed).toEqual([]);
    expect(a.events.map((e) => e.type)).toEqual(['started', 'lost']);
    expect(b.events.map((e) => e.type)).toEqual(['started', 'failed']);
  });

  it("drops A's permanent failure after B finished: no failure is reported or stored for A", async () => {
    const { a, runA, runB, row, settledA } = await takenOver();
    runB.settle();
    await waitFor(() => (row()?.state === 'done' ? true : undefined));
    runA.settle(new EndcueError('not-a-video', 't.mp4 is a text file'));
    const settled = await settledA(); // A's run has ended
    expect(row()).toMatchObject({ state: 'done', attempts: 2, error: null });
    expect(settled).toMatchObject({ type: 'lost', outcome: 'failed' });
    expect(a.failed).toEqual([]);
  });

  it("drops A's retry: B's running job is not put back in the queue, and runs once", async () => {
    const { a, b, runA, runB, row, settledA } = await takenOver();
    runA.settle(new EndcueError('ffmpeg-failed', 'ffmpeg was killed'));
    const settled = await settledA(); // A's run has ended
    expect(row()).toMatchObject({ state: 'running', attempts: 2, error: null });
    expect(settled).toMatchObject({ type: 'lost', outcome: 'retry' });
    runB.settle();
    await waitFor(() => (row()?.state === 'done' ? true : undefined));
    expect([a.runs.length, b.runs.length]).toEqual([1, 1]);
  });

  it('A stopping does not re-queue the job B now runs', async () => {
    const { queueA, queueB, runA, row, settledA } = await takenOver();
    await queueA.stop();
    expect(runA.signal.aborted).toBe(true);
    const settled = await settledA(); // A's run has ended
    expect(row()).toMatchObject({ state: 'running', attempts: 2, owner_id: queueB.owner.id });
    expect(settled).toMatchObject({ type: 'lost', outcome: 'requeued' });
  });

  it("A's next heartbeat finds the job taken over and aborts its run", async () => {
    const { queueB, runA, row, settledA } = await takenOver(20);
    expect(await settledA()).toMatchObject({ type: 'lost', outcome: 'retry' });
    expect(runA.signal.aborted).toBe(true);
    expect(String(runA.signal.reason?.message)).toMatch(/taken over/);
    expect(row()).toMatchObject({ state: 'running', attempts: 2, owner_id: queueB.owner.id });
  });
});
