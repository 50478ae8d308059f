/**
 * Production mode across processes (issue 8): 2 `endcue worker` processes and 2 API
 * servers on one Redis + one PostgreSQL. Workers run the fast stand-in detector
 * (tests/scale/fake-detector.ts via ENDCUE_DETECTOR_MODULE): the TF.js detector is far too
 * slow for 20 titles on CI's 2 cores, and what is tested here is the queue and the store.
 * Needs ENDCUE_TEST_REDIS_URL/REDIS_URL and ENDCUE_TEST_DATABASE_URL/DATABASE_URL (.ci/run
 * starts both on loopback); skipped with a message otherwise.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Title } from '../../server/catalog/title.js';
import { type RunningServer, startServer } from '../../server/http/start.js';
import { type TempMedia, tempMedia, waitFor } from '../server/http/fakes.js';
import { detect, modelVersion } from './fake-detector.js';
import {
  type DetectLogLine,
  FAKE_DETECTOR,
  isolatedServices,
  type Services,
  spawnWorker,
  testDatabaseUrl,
  testRedisUrl,
  type WorkerProcess,
} from './helpers.js';

const available = Boolean(testRedisUrl() && testDatabaseUrl());
if (!available) {
  console.warn(
    'tests/scale/workers.test.ts: skipped, needs REDIS_URL and DATABASE_URL (or ENDCUE_TEST_*); .ci/run starts both',
  );
}

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

function library(media: TempMedia, count: number): Title[] {
  return Array.from({ length: count }, (_, i) => {
    const id = `ep${String(i + 1).padStart(2, '0')}`;
    // Generated "media": the stand-in detector reads where the credits start from it.
    media.write(`${id}.mp4`, `credits=${(1200 + i * 7.5).toFixed(1)} duration=${1300 + i * 8}`);
    return { id, src: `${id}.mp4`, series: 'show', episode: i + 1 };
  });
}

function readLog(file: string): DetectLogLine[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as DetectLogLine);
}

async function apiServer(
  services: Services,
  media: TempMedia,
  titles: Title[],
): Promise<RunningServer> {
  const server = await startServer({
    port: 0,
    redisUrl: services.redisUrl,
    databaseUrl: services.databaseUrl,
    dataDir: media.dataDir,
    mediaRoots: [media.root],
    titles,
    fingerprintTtlMs: 0,
    enqueueRatePerMinute: 10_000,
    modelVersion: () => modelVersion,
    logger: false,
  });
  cleanups.push(() => server.close());
  return server;
}

async function worker(
  services: Services,
  media: TempMedia,
  log: string,
  extra: NodeJS.ProcessEnv = {},
): Promise<WorkerProcess> {
  const process = await spawnWorker({
    REDIS_URL: services.redisUrl,
    DATABASE_URL: services.databaseUrl,
    ENDCUE_MEDIA_ROOTS: media.root,
    ENDCUE_DATA_DIR: media.dataDir,
    ENDCUE_DETECTOR_MODULE: FAKE_DETECTOR,
    ENDCUE_FAKE_DETECT_LOG: log,
    ENDCUE_CONCURRENCY: '2',
    // Long enough that a busy CI machine never makes a live worker look dead.
    ENDCUE_WORKER_LOCK_MS: '10000',
    ...extra,
  });
  cleanups.push(async () => {
    if (process.child.exitCode === null && process.child.signalCode === null)
      process.child.kill('SIGKILL');
  });
  return process;
}

/** Asks until every title has an answer (200); returns the bodies by id. */
async function answers(
  servers: RunningServer[],
  titles: Title[],
  timeoutMs: number,
): Promise<Map<string, Record<string, unknown>>> {
  const found = new Map<string, Record<string, unknown>>();
  const until = Date.now() + timeoutMs;
  while (found.size < titles.length) {
    if (Date.now() > until) throw new Error(`answers: ${found.size}/${titles.length} in time`);
    await Promise.all(
      titles
        .filter((title) => !found.has(title.id))
        .flatMap((title, i) =>
          // Every title is asked by both servers at once: single-flight must hold across them.
          servers.map(async (server, s) => {
            const response = await fetch(`${server.url}/v1/titles/${title.id}/credits`);
            const body = (await response.json()) as Record<string, unknown>;
            if (response.status === 200) found.set(title.id, body);
            else
              expect([202], `title ${title.id} via server ${s} (${i})`).toContain(response.status);
          }),
        ),
    );
    if (found.size < titles.length) await new Promise((r) => setTimeout(r, 100));
  }
  return found;
}

const comparable = (body: Record<string, unknown>) => ({
  titleId: body.titleId,
  creditsStart: body.creditsStart,
  creditsEnd: body.creditsEnd,
  segments: body.segments,
  confidence: body.confidence,
  duration: body.duration,
  modelVersion: body.modelVersion,
  source: body.source,
  next: body.next,
});

describe.skipIf(!available)('production mode: workers and API servers as processes', () => {
  it('2 workers + 2 API servers analyse 20 titles exactly once each, same answers as one process', async () => {
    const media = tempMedia();
    cleanups.push(async () => media.cleanup());
    const services = await isolatedServices(5);
    cleanups.push(() => services.cleanup());
    const titles = library(media, 20);
    const log = path.join(media.dir, 'detect.log');
    writeFileSync(log, '');

    const workers = await Promise.all([worker(services, media, log), worker(services, media, log)]);
    const servers = [
      await apiServer(services, media, titles),
      await apiServer(services, media, titles),
    ];
    const distributed = await answers(servers, titles, 90_000);

    const runs = readLog(log);
    const done = runs.filter((line) => line.event === 'done');
    const starts = runs.filter((line) => line.event === 'start');
    expect(done).toHaveLength(20);
    expect(starts).toHaveLength(20);
    expect(new Set(done.map((line) => path.basename(line.file))).size).toBe(20);
    // Both worker processes took part, and only they ran the detector.
    expect(new Set(done.map((line) => line.pid))).toEqual(new Set(workers.map((w) => w.pid)));

    // /metrics on an API server shows the Redis queue and the workers. A worker stores the
    // result before BullMQ marks its job completed, so the last answer can be readable a
    // moment before the queue counts it: wait for the count, briefly.
    const metrics = await vi.waitFor(
      async () => {
        const text = await (await fetch(`${servers[0]?.url}/metrics`)).text();
        expect(text).toMatch(/endcue_queue_depth\{state="completed"\} 20/);
        return text;
      },
      { timeout: 10_000, interval: 200 },
    );
    expect(metrics).toMatch(/endcue_workers 2/);
    // One job per title: a request that finds no job reads the store again past its cache
    // before queueing, so a title whose job just finished is never queued again (issue 23).
    const finished = Number(/endcue_worker_jobs_total\{outcome="done"\} (\d+)/.exec(metrics)?.[1]);
    expect(finished).toBe(20);

    for (const w of workers) expect(await w.stop()).toBe(0);

    // The same titles through the zero-config single-process mode.
    const single = await startServer({
      port: 0,
      dataDir: path.join(media.dir, 'single'),
      mediaRoots: [media.root],
      titles,
      detector: detect,
      modelVersion: () => modelVersion,
      enqueueRatePerMinute: 10_000,
      logger: false,
    });
    cleanups.push(() => single.close());
    const local = await answers([single], titles, 60_000);
    for (const title of titles) {
      expect(comparable(distributed.get(title.id) ?? {})).toEqual(
        comparable(local.get(title.id) ?? {}),
      );
    }
    expect(comparable(distributed.get('ep03') ?? {})).toMatchObject({
      creditsStart: 1215,
      source: 'detected',
      next: { titleId: 'ep04' },
    });
  }, 180_000);

  it('a worker killed mid-job: the other worker finishes the job', async () => {
    const media = tempMedia();
    cleanups.push(async () => media.cleanup());
    const services = await isolatedServices(6);
    cleanups.push(() => services.cleanup());
    media.write('long.mp4', 'credits=3000.0 duration=3300 ms=3000');
    const titles: Title[] = [{ id: 'long', src: 'long.mp4' }];
    const log = path.join(media.dir, 'detect.log');
    writeFileSync(log, '');

    // A short lock: the killed worker's job is taken over within ~3 s.
    const quick = { ENDCUE_WORKER_LOCK_MS: '3000' };
    const workers = await Promise.all([
      worker(services, media, log, quick),
      worker(services, media, log, quick),
    ]);
    const [server] = [await apiServer(services, media, titles)];
    const asked = await fetch(`${server?.url}/v1/titles/long/credits`);
    expect(asked.status).toBe(202);
    const started = await waitFor(
      () => readLog(log).find((line) => line.event === 'start'),
      30_000,
    );
    const first = workers.find((w) => w.pid === started.pid) as WorkerProcess;
    const second = workers.find((w) => w.pid !== started.pid) as WorkerProcess;
    first.child.kill('SIGKILL'); // no goodbye: its lock just expires

    const answer = await answers(server ? [server] : [], titles, 60_000);
    expect(answer.get('long')).toMatchObject({ creditsStart: 3000, source: 'detected' });
    const runs = readLog(log);
    expect(runs.filter((line) => line.event === 'start').map((line) => line.pid)).toEqual([
      first.pid,
      second.pid,
    ]);
    expect(runs.filter((line) => line.event === 'done').map((line) => line.pid)).toEqual([
      second.pid,
    ]);
    expect(await second.stop()).toBe(0);
  }, 120_000);
});
