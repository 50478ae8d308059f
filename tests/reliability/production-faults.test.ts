/**
 * Production mode under faults (issue 23): an API server and a worker on a real Redis and
 * PostgreSQL (ENDCUE_TEST_REDIS_URL / ENDCUE_TEST_DATABASE_URL, as .ci/run starts them;
 * skipped without them), each reached through a proxy the test can cut, so an outage hits
 * this server and worker only. The worker runs in this process with the stand-in detector
 * (tests/scale/fake-detector.ts), so jobs take a second, not minutes.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Detector } from '../../server/detector/types.js';
import { type RunningServer, startServer } from '../../server/http/start.js';
import { createAnalysisHandler } from '../../server/queue/analyze.js';
import { startBullWorker } from '../../server/queue/bullmq.js';
import type { QueueEvent } from '../../server/queue/types.js';
import { openStore } from '../../server/store/open.js';
import { detect, modelVersion } from '../scale/fake-detector.js';
import { isolatedServices, testDatabaseUrl, testRedisUrl } from '../scale/helpers.js';
import { type TempMedia, tempMedia } from '../server/http/fakes.js';
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
  get(path: string): Promise<{ status: number; ms: number; body: Record<string, unknown> }>;
}

async function stack(redisDb: number): Promise<Stack> {
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
  const detector: Detector = (source, options) => {
    count(detected, source.replace(/^.*\//, '').replace(/\.mp4$/, ''));
    return detect(source, options);
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
    }),
    onEvent: (event) => {
      events.push(event);
      if (event.type === 'started') count(started, event.job.titleId);
    },
  });
  cleanups.push(() => worker.close());

  const server = await startServer({
    port: 0,
    redisUrl,
    databaseUrl,
    dataDir: media.dataDir,
    mediaRoots: [media.root],
    adminKey: KEY,
    enqueueRatePerMinute: 100_000,
    modelVersion: () => modelVersion,
    logger: false,
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
    async get(path) {
      const at = performance.now();
      const response = await fetch(`${server.url}${path}`, {
        headers: { authorization: `Bearer ${KEY}` },
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
});
