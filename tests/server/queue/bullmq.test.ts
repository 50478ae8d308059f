/**
 * The BullMQ queue in one process against a real Redis (ENDCUE_TEST_REDIS_URL/REDIS_URL;
 * .ci/run starts one). Cross-process behaviour is in tests/scale/workers.test.ts.
 */
import { Redis } from 'ioredis';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EndcueError } from '../../../server/errors.js';
import {
  BullJobQueue,
  jobIdFor,
  stalledIntervalFor,
  startBullWorker,
} from '../../../server/queue/bullmq.js';
import { seriesAwareHandler } from '../../../server/queue/season-job.js';
import type { JobHandler, JobSnapshot } from '../../../server/queue/types.js';
import { parseSeasonJobId, seasonJobId } from '../../../server/series/season-key.js';
import { SqliteCreditsStore } from '../../../server/store/sqlite.js';
import { waitFor } from '../http/fakes.js';

const base = process.env.ENDCUE_TEST_REDIS_URL || process.env.REDIS_URL;
if (!base) {
  console.warn(
    'tests/server/queue/bullmq.test.ts: skipped, REDIS_URL is not set (.ci/run sets it)',
  );
}
const redisUrl = `${(base ?? '').replace(/\/\d*$/, '')}/7`;

const closers: (() => Promise<unknown>)[] = [];
// Only where Redis is there: without it the pure checks below must still run and pass.
beforeEach(async () => {
  if (!base) return;
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  await redis.quit();
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
});

function queue(options: { maxAttempts?: number } = {}): BullJobQueue {
  const q = new BullJobQueue({ redisUrl, retryBaseMs: 20, ...options });
  closers.push(() => q.stop());
  return q;
}

function worker(handler: JobHandler, concurrency = 2) {
  const w = startBullWorker({ redisUrl, handler, concurrency });
  closers.push(() => w.close());
  return w;
}

describe('stalled-job checks', () => {
  it('come often enough that a dead worker job is back within its lock time + 5 s', () => {
    expect(stalledIntervalFor(30_000)).toBe(5000);
    expect(stalledIntervalFor(3000)).toBe(500);
    expect(stalledIntervalFor(600_000)).toBe(5000);
    expect(stalledIntervalFor(100)).toBe(250);
  });
});

describe.skipIf(!base)('BullJobQueue + startBullWorker', () => {
  it('a worker looks for stalled jobs every 5 s with the default 30 s lock', () => {
    const w = worker({ run: async () => {} });
    expect(w.worker.opts).toMatchObject({ lockDuration: 30_000, stalledInterval: 5000 });
  });

  it('single-flight per title across queue instances, and a new run once finished', async () => {
    const [a, b] = [queue(), queue()];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).enqueue('t1')),
    );
    expect(new Set(results.map((r) => r.job.id))).toEqual(new Set([jobIdFor('t1')]));
    expect(results.filter((r) => r.created).length).toBeGreaterThanOrEqual(1);
    expect(await a.counts()).toMatchObject({ queued: 1, running: 0 });
    expect((await b.active('t1'))?.state).toBe('queued');

    const runs: string[] = [];
    worker({ run: async (job) => void runs.push(job.titleId) });
    await a.idle();
    expect(runs).toEqual(['t1']);
    expect(await a.active('t1')).toBeUndefined();
    expect(await a.counts()).toMatchObject({ done: 1, queued: 0 });

    const again = await b.enqueue('t1', { force: true });
    expect(again).toMatchObject({ created: true, job: { force: true } });
    await a.idle();
    expect(runs).toEqual(['t1', 't1']);
  });

  it("runs a season's job after its episodes' (issue 22): one job per season, named without ':'", async () => {
    const store = new SqliteCreditsStore(':memory:');
    closers.push(() => store.close());
    for (const id of ['e1', 'e2']) {
      await store.putTitle(
        { id, src: `${id}.mp4`, series: 'Show: the series', season: 1 },
        'admin',
      );
    }
    const order: string[] = [];
    const seasonRuns: string[][] = [];
    const enqueuer = queue();
    const handler = seriesAwareHandler({
      store,
      analysis: { run: async (job) => void order.push(job.titleId) },
      season: {
        run: async (job) => {
          order.push(job.titleId);
          const season = parseSeasonJobId(job.titleId);
          seasonRuns.push((await store.seriesTitles(season?.series ?? '')).map((t) => t.id));
        },
      },
      queue: () => enqueuer,
    });
    await enqueuer.enqueue('e1');
    await enqueuer.enqueue('e2');
    worker(handler, 1);
    await waitFor(async () => ((await enqueuer.counts()).done >= 3 ? true : undefined));
    await enqueuer.idle();
    const seasonId = seasonJobId({ series: 'Show: the series', season: 1 });
    expect(order.slice(0, 2)).toEqual(['e1', 'e2']);
    expect(order.slice(2).every((id) => id === seasonId)).toBe(true); // after both episodes
    expect(seasonRuns.at(-1)?.sort()).toEqual(['e1', 'e2']);
    expect(jobIdFor(seasonId)).not.toContain(':');
  });

  it('retries retryable errors with backoff, then fails for good and calls failed() once', async () => {
    const q = queue({ maxAttempts: 3 });
    let runs = 0;
    const failed: [JobSnapshot, EndcueError][] = [];
    worker({
      run: async () => {
        runs++;
        throw new EndcueError('timeout', 'ffmpeg stalled', { hint: 'try later' });
      },
      failed: async (job, error) => void failed.push([job, error]),
    });
    await q.enqueue('slow');
    await q.idle();
    expect(runs).toBe(3);
    expect(failed).toHaveLength(1);
    expect(failed[0]?.[1].code).toBe('timeout');
    const [job] = await q.list();
    expect(job).toMatchObject({
      titleId: 'slow',
      state: 'failed',
      error: { code: 'timeout', message: 'ffmpeg stalled', hint: 'try later', retryable: true },
    });
  });

  it('does not retry bad media', async () => {
    const q = queue({ maxAttempts: 4 });
    let runs = 0;
    let failedCalls = 0;
    worker({
      run: async () => {
        runs++;
        throw new EndcueError('not-a-video', 'x.mp4 has no video stream', { retryable: false });
      },
      failed: async () => void failedCalls++,
    });
    await q.enqueue('bad');
    await q.idle();
    expect(runs).toBe(1);
    expect(failedCalls).toBe(1);
    expect((await q.list())[0]?.error?.code).toBe('not-a-video');
  });

  it('reports progress while running, and a closing worker puts its job back', async () => {
    const q = queue();
    let release: () => void = () => {};
    const w = worker({
      run: (_job, { signal, progress }) =>
        new Promise<void>((resolve, reject) => {
          progress(0.4, 'coarse');
          release = resolve;
          signal.addEventListener('abort', () => reject(signal.reason), { once: true });
        }),
    });
    await q.enqueue('p');
    const running = await waitFor(async () => {
      const job = await q.active('p');
      return job?.state === 'running' && job.progress > 0 ? job : undefined;
    });
    expect(running).toMatchObject({ progress: 0.4, phase: 'coarse', attempts: 1 });
    expect(await q.metricsText()).toMatch(/endcue_queue_depth\{state="active"\} 1/);

    await w.close();
    expect(await q.active('p')).toMatchObject({ state: 'queued' });

    const runs: string[] = [];
    worker({ run: async (job) => void runs.push(job.titleId) });
    await q.idle();
    expect(runs).toEqual(['p']);
    release();
  });
});
