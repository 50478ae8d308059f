/**
 * `npx tsx bench/outages.ts`: production mode under faults (issue 23), measured. One API
 * server (in this process) and two `endcue worker` processes with the stand-in detector
 * (tests/scale/fake-detector.ts), on Redis and PostgreSQL reached through proxies this
 * script cuts (tests/reliability/cut-proxy.ts): a cut drops every connection and refuses new
 * ones, as a stopped service does. Needs ENDCUE_TEST_REDIS_URL and ENDCUE_TEST_DATABASE_URL
 * (`source .ci/services.sh && services_start`). Prints one line per figure.
 *
 *   npx tsx bench/outages.ts                      # all scenarios, ~4 min
 *   npx tsx bench/outages.ts --only poll,redis,postgres --load 20
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { type RunningServer, startServer } from '../server/http/start.js';
import { cutProxy } from '../tests/reliability/cut-proxy.js';
import { modelVersion } from '../tests/scale/fake-detector.js';
import {
  FAKE_DETECTOR,
  isolatedServices,
  spawnWorker,
  testDatabaseUrl,
  testRedisUrl,
  type WorkerProcess,
} from '../tests/scale/helpers.js';
import { tempMedia } from '../tests/server/http/fakes.js';

const { values } = parseArgs({
  options: {
    only: { type: 'string', default: 'poll,redis,postgres,long,kill' },
    load: { type: 'string', default: '20' },
    'outage-s': { type: 'string', default: '10' },
    'long-outage-s': { type: 'string', default: '60' },
    kills: { type: 'string', default: '3' },
  },
});
const only = new Set((values.only ?? '').split(','));
const KEY = 'bench-key';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const out = (line: string) => process.stdout.write(`${line}\n`);

async function get(url: string) {
  const at = performance.now();
  try {
    const response = await fetch(url, { headers: { authorization: `Bearer ${KEY}` } });
    const body = await response.text();
    return {
      status: response.status,
      ms: performance.now() - at,
      body,
      retryAfter: response.headers.get('retry-after'),
    };
  } catch {
    return { status: 0, ms: performance.now() - at, body: '', retryAfter: null };
  }
}

const pct = (sorted: number[], p: number) =>
  sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0) : 0;

function starts(log: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(log, 'utf8').split('\n').filter(Boolean)) {
    const { event, file } = JSON.parse(line) as { event: string; file: string };
    if (event !== 'start') continue;
    const id = path.basename(file, '.mp4');
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

async function setup(redisDb: number, workerEnv: NodeJS.ProcessEnv = {}, workers = 2) {
  const media = tempMedia();
  const services = await isolatedServices(redisDb);
  const redis = await cutProxy(services.redisUrl);
  const postgres = await cutProxy(services.databaseUrl);
  const redisUrl = redis.url(services.redisUrl);
  const databaseUrl = postgres.url(services.databaseUrl);
  const detectLog = path.join(media.dir, 'detect.log');
  writeFileSync(detectLog, '');
  const logLines: string[] = [];
  const server: RunningServer = await startServer({
    port: 0,
    redisUrl,
    databaseUrl,
    dataDir: media.dataDir,
    mediaRoots: [media.root],
    adminKey: KEY,
    enqueueRatePerMinute: 1_000_000,
    modelVersion: () => modelVersion,
    logger: pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) }),
  });
  const procs: WorkerProcess[] = [];
  for (let i = 0; i < workers; i++) {
    procs.push(
      await spawnWorker({
        REDIS_URL: redisUrl,
        DATABASE_URL: databaseUrl,
        ENDCUE_MEDIA_ROOTS: media.root,
        ENDCUE_DATA_DIR: media.dataDir,
        ENDCUE_DETECTOR_MODULE: FAKE_DETECTOR,
        ENDCUE_FAKE_DETECT_LOG: detectLog,
        ENDCUE_CONCURRENCY: '1',
        ...workerEnv,
      }),
    );
  }
  const put = async (id: string, content: string) => {
    media.write(`${id}.mp4`, content);
    await fetch(`${server.url}/v1/titles/${id}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ src: `${id}.mp4` }),
    });
  };
  const answered = async (ids: string[], timeoutMs: number) => {
    const done = new Map<string, number>();
    const until = Date.now() + timeoutMs;
    while (done.size < ids.length && Date.now() < until) {
      for (const id of ids.filter((id) => !done.has(id))) {
        const { status } = await get(`${server.url}/v1/titles/${id}/credits`);
        if (status === 200 || status === 422) done.set(id, status);
      }
      await sleep(100);
    }
    return done;
  };
  return {
    server,
    media,
    redis,
    postgres,
    procs,
    detectLog,
    logLines,
    put,
    answered,
    async close() {
      for (const proc of procs) proc.child.kill('SIGKILL');
      await server.close();
      await redis.close();
      await postgres.close();
      await services.cleanup();
      media.cleanup();
    },
  };
}

/** Polling titles at 20 req/s each while their jobs finish: jobs and analyses per title. */
async function poll(): Promise<void> {
  const s = await setup(12);
  try {
    const ids = Array.from({ length: 6 }, (_, i) => `p${i}`);
    for (const [i, id] of ids.entries()) await s.put(id, `credits=${50 + i} ms=1500`);
    const readyAt = new Map<string, number>();
    await Promise.all(
      ids.flatMap((id) =>
        [0, 1].map(async () => {
          for (;;) {
            const { status } = await get(`${s.server.url}/v1/titles/${id}/credits`);
            if (status === 200 && !readyAt.has(id)) readyAt.set(id, Date.now());
            const at = readyAt.get(id);
            if (at && Date.now() - at > 3000) return;
            await sleep(100);
          }
        }),
      ),
    );
    const last = Math.max(...readyAt.values());
    await sleep(Math.max(0, last + 5000 - Date.now()));
    const jobs = JSON.parse((await get(`${s.server.url}/v1/jobs`)).body) as {
      counts: Record<string, number>;
    };
    const analyses = starts(s.detectLog);
    out(
      `poll: ${ids.length} titles at 20 req/s each until 3 s after the answer: analyses per title ${ids.map((id) => analyses.get(id) ?? 0).join(',')}; jobs done ${jobs.counts.done} (queued ${jobs.counts.queued}, running ${jobs.counts.running} 5 s after the last result)`,
    );
  } finally {
    await s.close();
  }
}

/** A dependency cut under load: statuses and latencies, then the time to recover. */
async function outage(which: 'redis' | 'postgres'): Promise<void> {
  const s = await setup(which === 'redis' ? 13 : 14);
  try {
    await s.put('known', 'credits=40 ms=200');
    const fresh = Array.from({ length: 50 }, (_, i) => `n${i}`);
    for (const id of fresh) await s.put(id, 'credits=30 ms=200');
    await s.answered(['known'], 10_000);
    const proxy = which === 'redis' ? s.redis : s.postgres;
    const outageMs = Number(values['outage-s']) * 1000;
    let during = true;
    const samples: { path: string; status: number; ms: number; retryAfter: string | null }[] = [];
    const loops = Array.from({ length: Number(values.load) }, async (_, i) => {
      let n = 0;
      while (during) {
        const route =
          i % 4 === 0
            ? '/healthz'
            : i % 4 === 1
              ? '/v1/titles/known/credits'
              : `/v1/titles/${fresh[n++ % fresh.length]}/credits`;
        const answer = await get(`${s.server.url}${route}`);
        samples.push({ path: route.replace(/n\d+/, 'new'), ...answer });
        await sleep(50);
      }
    });
    await proxy.cut();
    const cutAt = performance.now();
    await sleep(outageMs);
    during = false;
    await Promise.all(loops);
    await proxy.restore();
    const back = performance.now();
    let healthy = 0;
    let serving = 0;
    while (!healthy || !serving) {
      if (!healthy && (await get(`${s.server.url}/healthz`)).status === 200)
        healthy = performance.now() - back;
      const status = (await get(`${s.server.url}/v1/titles/${fresh[0]}/credits`)).status;
      if (!serving && (status === 200 || status === 202)) serving = performance.now() - back;
      if (performance.now() - back > 30_000) break;
      await sleep(20);
    }
    const byPath = new Map<string, typeof samples>();
    for (const sample of samples) {
      byPath.set(sample.path, [...(byPath.get(sample.path) ?? []), sample]);
    }
    for (const [route, list] of byPath) {
      const ms = list.map((x) => x.ms).sort((a, b) => a - b);
      const statuses = new Map<number, number>();
      for (const x of list) statuses.set(x.status, (statuses.get(x.status) ?? 0) + 1);
      out(
        `${which} cut ${outageMs / 1000} s, ${values.load} clients: ${route}: ${[...statuses].map(([k, v]) => `${k}x${v}`).join(' ')}; ms p50 ${pct(ms, 0.5).toFixed(1)} p99 ${pct(ms, 0.99).toFixed(1)} max ${pct(ms, 1).toFixed(1)}; Retry-After ${[...new Set(list.map((x) => x.retryAfter))].join('/')}`,
      );
    }
    const warnings = s.logLines.filter((line) => line.includes(`"dependency":"${which}"`));
    const traces = s.logLines.filter((line) => line.includes('request failed'));
    out(
      `${which} back: /healthz 200 after ${healthy.toFixed(0)} ms, new titles queued after ${serving.toFixed(0)} ms; server log: ${warnings.length} outage lines, ${traces.length} request traces (outage ${((back - cutAt) / 1000).toFixed(1)} s)`,
    );
  } finally {
    await s.close();
  }
}

/** A long PostgreSQL outage while jobs run: every job ends with its result, analysed once. */
async function longOutage(): Promise<void> {
  const s = await setup(15);
  try {
    const ids = Array.from({ length: 6 }, (_, i) => `l${i}`);
    for (const [i, id] of ids.entries()) await s.put(id, `credits=${60 + i} ms=5000`);
    for (const id of ids) await get(`${s.server.url}/v1/titles/${id}/credits`);
    while ([...starts(s.detectLog).values()].length < 2) await sleep(50);
    const outageS = Number(values['long-outage-s']);
    await s.postgres.cut();
    await sleep(outageS * 1000);
    await s.postgres.restore();
    const back = performance.now();
    const done = await s.answered(ids, 120_000);
    const analyses = starts(s.detectLog);
    out(
      `postgres cut ${outageS} s with ${ids.length} jobs (2 running): ${[...done.values()].filter((x) => x === 200).length}/${ids.length} results, all within ${((performance.now() - back) / 1000).toFixed(1)} s of the return; analyses per title ${ids.map((id) => analyses.get(id) ?? 0).join(',')}`,
    );
  } finally {
    await s.close();
  }
}

/** A worker killed mid-job (SIGKILL) with the default 30 s lock: time until another runs it. */
async function kill(): Promise<void> {
  const times: number[] = [];
  for (let trial = 0; trial < Number(values.kills); trial++) {
    const s = await setup(9);
    try {
      await s.put('long', 'credits=100 ms=300000');
      await get(`${s.server.url}/v1/titles/long/credits`);
      let first: { pid: number } | undefined;
      while (!first) {
        const line = readFileSync(s.detectLog, 'utf8').split('\n').find(Boolean);
        if (line) first = JSON.parse(line) as { pid: number };
        else await sleep(20);
      }
      const victim = s.procs.find((proc) => proc.pid === first?.pid);
      victim?.child.kill('SIGKILL');
      const killedAt = performance.now();
      while ((starts(s.detectLog).get('long') ?? 0) < 2) {
        if (performance.now() - killedAt > 120_000) break;
        await sleep(100);
      }
      times.push((performance.now() - killedAt) / 1000);
    } finally {
      await s.close();
    }
  }
  out(
    `worker killed mid-job (default 30 s lock): taken over after ${times.map((t) => t.toFixed(1)).join(', ')} s`,
  );
}

async function main(): Promise<void> {
  if (!testRedisUrl() || !testDatabaseUrl()) {
    throw new Error('needs ENDCUE_TEST_REDIS_URL and ENDCUE_TEST_DATABASE_URL (.ci/services.sh)');
  }
  if (only.has('poll')) await poll();
  if (only.has('redis')) await outage('redis');
  if (only.has('postgres')) await outage('postgres');
  if (only.has('long')) await longOutage();
  if (only.has('kill')) await kill();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
    process.exit(1);
  },
);
