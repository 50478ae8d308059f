/**
 * Production mode under faults (issue 23): an API server and a worker on a real Redis and
 * PostgreSQL (ENDCUE_TEST_REDIS_URL / ENDCUE_TEST_DATABASE_URL, as .ci/run starts them;
 * skipped without them), each reached through a proxy the test can cut, so an outage hits
 * this server and worker only. The worker runs in this process with the stand-in detector
 * (tests/scale/fake-detector.ts), so jobs take a second, not minutes.
 */
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import type { Detector } from '../../server/detector/types.js';
import { EndcueError } from '../../server/errors.js';
import { type RunningServer, startServer } from '../../server/http/start.js';
import { createAnalysisHandler } from '../../server/queue/analyze.js';
import { startBullWorker } from '../../server/queue/bullmq.js';
import type { QueueEvent } from '../../server/queue/types.js';
import { openStore } from '../../server/store/open.js';
import { detect, modelVersion } from '../scale/fake-detector.js';
import { isolatedServices, testDatabaseUrl, testRedisUrl } from '../scale/helpers.js';
import { type TempMedia, tempMedia, waitFor } from '../server/http/fakes.js';
import { type CutProxy, cutProxy } from './cut-proxy.js';

const available = Boolean(testRedisUrl() && testDatabaseUrl());
if (!available) {
  console.warn(
    'tests/reliability/production-faults.test.ts: skipped, needs ENDCUE_TEST_REDIS_URL and ENDCUE_TEST_DATABASE_URL (.ci/run starts both)',
  );
}

const KEY = 'fault-key';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => {});
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Stack {
  server: RunningServer;
  media: TempMedia;
  redis: CutProxy;
  postgres: CutProxy;
  /** Jobs started by the worker, and detector runs, per title. */
  started: Map<string, number>;
  detected: Map<string, number>;
  events: QueueEvent[];
  /** The server's log lines at warn and above, parsed. */
  log: { msg: string; dependency?: string }[];
  get(path: string): Promise<{ status: number; ms: number; body: Record<string, unknown> }>;
}

async function stack(
  redisDb: number,
  options: { patienceMs?: number; outageRetryMs?: number } = {},
): Promise<Stack> {
  const media = tempMedia();
  cleanups.push(async () => media.cleanup());
  const services = await isolatedServices(redisDb);
  cleanups.push(() => services.cleanup());
  const redis = await cutProxy(services.redisUrl);
  const postgres = await cutProxy(services.databaseUrl);
  cleanups.push(() => redis.close());
  cleanups.push(() => postgres.close());
  const redisUrl = redis.url(services.redisUrl);
  const databaseUrl = postgres.url(services.databaseUrl);

  const started = new Map<string, number>();
  const detected = new Map<string, number>();
  const events: QueueEvent[] = [];
  const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);
  const detector: Detector = async (source, detectOptions) => {
    count(detected, source.replace(/^.*\//, '').replace(/\.mp4$/, ''));
    if (source.includes('broken')) {
      throw new EndcueError('corrupt-media', `${source} is corrupt`, { hint: 'Re-encode it.' });
    }
    return detect(source, detectOptions);
  };
  const workerStore = await openStore({ databaseUrl, dataDir: media.dataDir });
  cleanups.push(() => workerStore.close());
  const worker = startBullWorker({
    redisUrl,
    concurrency: 2,
    handler: createAnalysisHandler({
      store: workerStore,
      detector,
      policy: { mediaRoots: [media.root], allowedHosts: [], allowPrivateNetworks: false },
      modelVersion: () => modelVersion,
      ...(options.patienceMs ? { outagePatienceMs: options.patienceMs } : {}),
    }),
    ...(options.outageRetryMs ? { outageRetryMs: options.outageRetryMs } : {}),
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'started') count(started, event.job.titleId);
    },
  });
  cleanups.push(() => worker.close());

  const log: Stack['log'] = [];
  const logger = pino(
    { level: 'warn' },
    { write: (line: string) => void log.push(JSON.parse(line) as Stack['log'][number]) },
  );
  const server = await startServer({
    port: 0,
    redisUrl,
    databaseUrl,
    dataDir: media.dataDir,
    mediaRoots: [media.root],
    adminKey: KEY,
    enqueueRatePerMinute: 100_000,
    modelVersion: () => modelVersion,
    logger,
  });
  cleanups.push(() => server.close());
  await worker.worker.waitUntilReady();

  return {
    server,
    media,
    redis,
    postgres,
    started,
    detected,
    events,
    log,
    async get(path) {
      const at = performance.now();
      const response = await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${KEY}` },
        signal: AbortSignal.timeout(10_000),
      });
      const text = await response.text();
      let body: Record<string, unknown> = {};
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { text };
      }
      return { status: response.status, ms: performance.now() - at, body };
    },
  };
}

async function addTitle(s: Stack, id: string, content: string): Promise<void> {
  s.media.write(`${id}.mp4`, content);
  const response = await fetch(`${s.server.url}/v1/titles/${id}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ src: `${id}.mp4` }),
  });
  expect(response.status).toBe(201);
}

describe.skipIf(!available)('production mode under faults (issue 23)', () => {
  it('a title polled at 20 req/s while its job finishes runs once; nothing is left queued', async () => {
    const s = await stack(8);
    await addTitle(s, 'polled', 'credits=50 duration=60 ms=800');
    let readyAt = 0;
    const statuses: number[] = [];
    // Two pollers, 100 ms apart each: ~20 requests a second, until 2.5 s after the answer
    // (past the 1 s read cache and the moment the job is marked completed).
    const poll = async () => {
      for (;;) {
        const { status } = await s.get('/v1/titles/polled/credits');
        statuses.push(status);
        if (status === 200 && readyAt === 0) readyAt = Date.now();
        if (readyAt > 0 && Date.now() - readyAt > 2500) return;
        if (statuses.length > 2000) throw new Error('no answer');
        await sleep(100);
      }
    };
    await Promise.all([poll(), poll()]);
    expect(new Set(statuses)).toEqual(new Set([202, 200]));
    expect(s.started.get('polled')).toBe(1);
    expect(s.detected.get('polled')).toBe(1);
    const jobs = await s.get('/v1/jobs');
    expect(jobs.body.counts).toMatchObject({ queued: 0, running: 0, done: 1 });
  });

  it('Redis away: /healthz and reads that need the queue answer 503 at once, known answers 200; back by itself', async () => {
    const s = await stack(8);
    await addTitle(s, 'known', 'credits=40 duration=50 ms=100');
    await addTitle(s, 'new', 'credits=30 duration=40 ms=100');
    await waitForStatus(s, '/v1/titles/known/credits', 200, 10_000);

    await s.redis.cut();
    const health = await s.get('/healthz');
    expect(health.status).toBe(503);
    expect(JSON.stringify(health.body.checks)).toMatch(/Redis unavailable/);
    expect(health.ms).toBeLessThan(5000);
    const queued = await s.get('/v1/titles/new/credits');
    expect(queued).toMatchObject({ status: 503, body: { error: { code: 'queue-unavailable' } } });
    expect(queued.ms).toBeLessThan(5000);
    expect((await s.get('/v1/jobs')).status).toBe(503);
    expect((await s.get('/v1/titles/known/credits')).status).toBe(200);
    const metrics = await s.get('/metrics');
    expect(metrics.status).toBe(200);
    expect(String(metrics.body.text)).toMatch(/endcue_queue_up 0/);
    const retryAfter = await fetch(`${s.server.url}/v1/titles/new/credits`);
    expect(retryAfter.headers.get('retry-after')).toBe('2');
    for (let i = 0; i < 20; i++) await s.get('/v1/titles/new/credits');

    await s.redis.restore();
    const back = performance.now();
    await waitForStatus(s, '/healthz', 200, 5000);
    expect(performance.now() - back).toBeLessThan(5000);
    await waitForStatus(s, '/v1/titles/new/credits', 200, 10_000);
    expect(s.started.get('new')).toBe(1);
    // One warning when the outage began and one when it ended, not one per request.
    expect(s.log.filter((line) => line.dependency === 'redis').map((line) => line.msg)).toEqual([
      expect.stringMatching(/^Redis unavailable/),
      'Redis available again',
    ]);
    expect(s.log.filter((line) => line.msg === 'request failed')).toEqual([]);
  });

  it('Redis away while a job runs: the job saves its result and is marked done once Redis is back, analysed once', async () => {
    const s = await stack(8);
    await addTitle(s, 'through', 'credits=21 duration=60 ms=1500');
    expect((await s.get('/v1/titles/through/credits')).status).toBe(202);
    while (!s.started.get('through')) await sleep(20);
    await s.redis.cut();
    await sleep(3000); // the analysis ends and its result is saved meanwhile
    await s.redis.restore();
    await waitForStatus(s, '/v1/titles/through/credits', 200, 15_000);
    await waitFor(async () => {
      const jobs = await s.get('/v1/jobs');
      const counts = jobs.body.counts as Record<string, number> | undefined;
      return counts?.done === 1 && counts.running === 0 && counts.queued === 0 ? true : undefined;
    }, 40_000);
    expect(s.detected.get('through')).toBe(1);
  });

  it('PostgreSQL away: reads answer 503 storage-unavailable with Retry-After, never 500; known answers 200; back by itself', async () => {
    const s = await stack(8);
    await addTitle(s, 'known', 'credits=40 duration=50 ms=100');
    await addTitle(s, 'other', 'credits=30 duration=40 ms=100');
    await waitForStatus(s, '/v1/titles/known/credits', 200, 10_000);

    await s.postgres.cut();
    const statuses = new Set<number>();
    let slowest = 0;
    for (let i = 0; i < 20; i++) {
      const answer = await s.get('/v1/titles/other/credits');
      statuses.add(answer.status);
      slowest = Math.max(slowest, answer.ms);
      expect(answer.body).toMatchObject({ error: { code: 'storage-unavailable' } });
    }
    expect([...statuses]).toEqual([503]);
    expect(slowest).toBeLessThan(5000);
    const response = await fetch(`${s.server.url}/v1/titles/other/credits`);
    expect(response.headers.get('retry-after')).toBe('2');
    // Read before the outage: still served (past the 1 s read cache).
    await sleep(1100);
    const dbg = await s.get('/v1/titles/known/credits');
    expect(dbg).toMatchObject({ status: 200 });
    const health = await s.get('/healthz');
    expect(health.status).toBe(503);
    expect(JSON.stringify(health.body.checks)).toMatch(/PostgreSQL unavailable/);

    await s.postgres.restore();
    const back = performance.now();
    await waitForStatus(s, '/healthz', 200, 5000);
    await waitForStatus(s, '/v1/titles/other/credits', 202, 5000);
    expect(performance.now() - back).toBeLessThan(5000);
    await waitForStatus(s, '/v1/titles/other/credits', 200, 10_000);
    expect(s.log.filter((line) => line.dependency === 'postgres').map((line) => line.msg)).toEqual([
      expect.stringMatching(/^PostgreSQL unavailable/),
      'PostgreSQL available again',
    ]);
    expect(s.log.filter((line) => line.msg === 'request failed')).toEqual([]);
  });

  it('PostgreSQL away while jobs run: each ends with its result, analysed once; a real failure is stored with its reason', async () => {
    const s = await stack(8);
    const ids = ['a1', 'a2', 'a3', 'a4'];
    for (const [i, id] of ids.entries()) {
      await addTitle(s, id, `credits=${40 + i} duration=60 ms=1500`);
    }
    await addTitle(s, 'broken', 'ms=100');
    for (const id of [...ids, 'broken']) {
      expect((await s.get(`/v1/titles/${id}/credits`)).status).toBe(202);
    }
    // Two jobs mid-analysis, three queued, when the database goes away for 6 s: the running
    // ones keep their results and retry the save, the others wait for the database.
    const until = Date.now() + 10_000;
    while ([...s.started.values()].reduce((a, n) => a + n, 0) < 2 && Date.now() < until) {
      await sleep(20);
    }
    await s.postgres.cut();
    await sleep(6000);
    await s.postgres.restore();

    const answers = await allAnswered(s, [...ids, 'broken'], 30_000);
    for (const [i, id] of ids.entries()) {
      expect(answers.get(id)).toMatchObject({ status: 200, body: { creditsStart: 40 + i } });
      expect(s.detected.get(id), id).toBe(1);
    }
    expect(answers.get('broken')).toMatchObject({
      status: 422,
      body: { status: 'failed', error: { code: 'corrupt-media', hint: 'Re-encode it.' } },
    });
    expect(s.detected.get('broken')).toBe(1);
    expect(s.events.filter((event) => event.type === 'failed')).toHaveLength(1);
  });

  it('a job still waiting when its patience runs out goes back to the queue, and saves the result it kept', async () => {
    const s = await stack(8, { patienceMs: 300, outageRetryMs: 500 });
    await addTitle(s, 'patient', 'credits=33 duration=60 ms=800');
    expect((await s.get('/v1/titles/patient/credits')).status).toBe(202);
    await waitForStatus(s, '/v1/titles/patient/credits', 202, 5000);
    while (!s.started.get('patient')) await sleep(20);
    await s.postgres.cut();
    await sleep(3000); // several runs of the job give up and go back to the queue meanwhile
    const retries = s.events.filter((event) => event.type === 'retry');
    expect(retries.length).toBeGreaterThanOrEqual(2);
    expect(
      retries.every(
        (event) => event.type === 'retry' && event.error.code === 'storage-unavailable',
      ),
    ).toBe(true);
    await s.postgres.restore();
    const answers = await allAnswered(s, ['patient'], 15_000);
    expect(answers.get('patient')).toMatchObject({ status: 200, body: { creditsStart: 33 } });
    expect(s.detected.get('patient')).toBe(1);
    expect(s.started.get('patient')).toBeGreaterThan(1);
    expect(s.events.filter((event) => event.type === 'failed')).toEqual([]);
  });
});

async function allAnswered(s: Stack, ids: string[], timeoutMs: number) {
  const answers = new Map<string, { status: number; body: Record<string, unknown> }>();
  const until = Date.now() + timeoutMs;
  while (answers.size < ids.length) {
    for (const id of ids.filter((id) => !answers.has(id))) {
      const answer = await s.get(`/v1/titles/${id}/credits`);
      if (answer.status === 200 || answer.status === 422) answers.set(id, answer);
    }
    if (Date.now() > until) throw new Error(`answered ${[...answers.keys()]} of ${ids} in time`);
    await sleep(100);
  }
  return answers;
}

async function waitForStatus(s: Stack, path: string, status: number, timeoutMs: number) {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const answer = await s.get(path);
    if (answer.status === status) return answer;
    if (Date.now() > until) throw new Error(`${path}: ${answer.status}, not ${status}, in time`);
    await sleep(50);
  }
}
