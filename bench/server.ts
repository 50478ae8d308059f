/**
 * `npm run bench:server`: cached GET /v1/titles/:id/credits on loopback with autocannon.
 * The server runs in a child process (as in production), autocannon in this one; a fake
 * detector fills the cache first, so only the read path is measured.
 * Targets (issue 5): >= 5000 req/s and p99 <= 5 ms on 2 cores.
 * Options: --duration <s> (10), --connections <n> (10), --json (machine-readable line).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os, { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TITLES = 50;
const TARGET_RPS = 5000;
const TARGET_P99_MS = 5;

interface AutocannonResult {
  requests: { average: number; total: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
  duration: number;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration: number;
  requests?: { method: string; path: string }[];
}) => Promise<AutocannonResult>;

function arg(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
}

/** Child: a real server with a warm cache; prints its URL to the parent. */
async function serveWarm(): Promise<void> {
  const { startServer } = await import('../server/http/start.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'endcue-bench-'));
  const root = path.join(dir, 'media');
  const titles = Array.from({ length: TITLES }, (_, i) => ({
    id: `ep${i + 1}`,
    src: `ep${i + 1}.mp4`,
    series: 'bench',
    episode: i + 1,
    title: `Episode ${i + 1}`,
  }));
  const { mkdirSync } = await import('node:fs');
  mkdirSync(root, { recursive: true });
  for (const title of titles) writeFileSync(path.join(root, title.src), 'x');
  const server = await startServer({
    port: 0,
    dataDir: path.join(dir, 'data'),
    mediaRoots: [root],
    titles,
    logger: false,
    enqueueRatePerMinute: 100_000,
    detector: async (file) => ({
      file,
      duration: 1320,
      fps: 24,
      creditsStart: 1244,
      creditsEnd: 1320,
      frame: 29856,
      confidence: 0.97,
      segments: [{ kind: 'credits', start: 1244, end: 1320 }],
      modelVersion: 'bench',
      backend: 'none',
      elapsedMs: 0,
    }),
  });
  for (const title of titles) await server.app.request(`/v1/titles/${title.id}/credits`);
  await server.queue.idle();
  for (const title of titles) {
    const response = await server.app.request(`/v1/titles/${title.id}/credits`);
    if (response.status !== 200)
      throw new Error(`cache not warm for ${title.id}: ${response.status}`);
  }
  process.send?.({ url: server.url });
  let mark = process.cpuUsage();
  process.on('message', async (message) => {
    if (message === 'mark') {
      mark = process.cpuUsage();
      process.send?.('marked');
      return;
    }
    const used = process.cpuUsage(mark);
    await server.close();
    rmSync(dir, { recursive: true, force: true });
    process.send?.({ cpuMicros: used.user + used.system }, () => process.exit(0));
  });
}

async function main(): Promise<void> {
  const duration = arg('duration', 10);
  const connections = arg('connections', 10);
  const child = fork(fileURLToPath(import.meta.url), ['--child'], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
  const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
  const requests = Array.from({ length: TITLES }, (_, i) => ({
    method: 'GET',
    path: `/v1/titles/ep${i + 1}/credits`,
  }));
  // Warm-up (JIT, connection setup), then the measured run.
  await autocannon({ url, connections, duration: 2, requests });
  const marked = new Promise((resolve) => child.once('message', resolve));
  child.send('mark');
  await marked;
  const result = await autocannon({ url, connections, duration, requests });
  const stopped = new Promise<{ cpuMicros: number }>((resolve) =>
    child.once('message', (message) => resolve(message as { cpuMicros: number })),
  );
  child.send('stop');
  const { cpuMicros } = await stopped;
  await new Promise((resolve) => child.once('exit', resolve));
  // Server CPU per request: what the read path costs, whatever else the machine runs.
  const cpuPerRequestUs = cpuMicros / Math.max(1, result.requests.total);

  const rps = result.requests.average;
  const p99 = result.latency.p99;
  const pass =
    rps >= TARGET_RPS && p99 <= TARGET_P99_MS && result.errors === 0 && result.non2xx === 0;
  const summary = {
    bench: 'cached GET /v1/titles/:id/credits',
    connections,
    durationS: duration,
    reqPerSec: Math.round(rps),
    latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99, max: result.latency.max },
    requests: result.requests.total,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    serverCpuPerRequestUs: Math.round(cpuPerRequestUs),
    loadAverage: os.loadavg()[0]?.toFixed(1),
    targets: { reqPerSec: TARGET_RPS, p99Ms: TARGET_P99_MS },
    pass,
  };
  if (process.argv.includes('--json')) {
    process.stdout.write(`${JSON.stringify(summary)}\n`);
  } else {
    process.stdout.write(
      [
        `cached GET /v1/titles/:id/credits, ${connections} connections, ${duration} s, loopback`,
        `  req/s      ${summary.reqPerSec}   (target >= ${TARGET_RPS})`,
        `  latency    p50 ${summary.latencyMs.p50} ms, p90 ${summary.latencyMs.p90} ms, p99 ${p99} ms (target <= ${TARGET_P99_MS}), max ${summary.latencyMs.max} ms`,
        `  requests   ${summary.requests}, errors ${summary.errors}, non-2xx ${summary.non2xx}`,
        `  server CPU ${summary.serverCpuPerRequestUs} µs/request (≈ ${Math.round(1e6 / cpuPerRequestUs)} req/s per free core); machine load average ${summary.loadAverage}`,
        `  ${pass ? 'PASS' : 'FAIL'}`,
        '',
      ].join('\n'),
    );
  }
  process.exitCode = pass ? 0 : 1;
}

if (process.argv.includes('--child')) await serveWarm();
else await main();
