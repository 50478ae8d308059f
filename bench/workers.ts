/**
 * `npm run bench:workers`: production-mode throughput, titles per minute with 1 and with
 * 2 `endcue worker` processes (each concurrency 1) on one Redis + PostgreSQL.
 * Titles are generated fixtures analysed by the real detector (default), or the fast
 * stand-in (--fake: measures the queue/store overhead only). Uses ENDCUE_TEST_REDIS_URL /
 * REDIS_URL and ENDCUE_TEST_DATABASE_URL / DATABASE_URL when set, else starts throwaway
 * ones on loopback with .ci/services.sh. Worker start-up is not timed; the first job of
 * each worker includes loading the model.
 *
 *   npm run bench:workers
 *   npm run bench:workers -- --titles 8 --duration 120
 *   npm run bench:workers -- --fake --titles 40 --fake-ms 1000
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { modelVersionFromMetadata } from '../server/http/start.js';
import { BullJobQueue } from '../server/queue/bullmq.js';
import { PostgresCreditsStore } from '../server/store/postgres.js';
import { generateFixture } from '../tests/fixtures/generate.js';
import { modelVersion as fakeModelVersion } from '../tests/scale/fake-detector.js';
import {
  FAKE_DETECTOR,
  isolatedServices,
  REPO,
  spawnWorker,
  testDatabaseUrl,
  testRedisUrl,
  type WorkerProcess,
} from '../tests/scale/helpers.js';

const { values } = parseArgs({
  options: {
    titles: { type: 'string', default: '6' },
    duration: { type: 'string', default: '90' },
    fake: { type: 'boolean', default: false },
    'fake-ms': { type: 'string', default: '1000' },
    workers: { type: 'string', default: '1,2' },
    json: { type: 'string' },
  },
});

const log = (line: string) => process.stderr.write(`${line}\n`);

/** Throwaway services via .ci/services.sh; they stop when our stdin pipe to bash closes. */
async function ensureServices(): Promise<ChildProcess | undefined> {
  if (testRedisUrl() && testDatabaseUrl()) return undefined;
  const child = spawn(
    'bash',
    [
      '-c',
      'source .ci/services.sh; trap services_stop EXIT; services_start >&2; env | grep ^ENDCUE_TEST_; echo READY; read -r _',
    ],
    { cwd: REPO, stdio: ['pipe', 'pipe', 'inherit'] },
  );
  let out = '';
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      out += String(chunk);
      if (out.includes('READY')) resolve();
    });
    child.once('exit', () => reject(new Error('could not start Redis/PostgreSQL')));
  });
  for (const line of out.split('\n')) {
    const [name, ...rest] = line.split('=');
    if (name?.startsWith('ENDCUE_TEST_')) process.env[name] = rest.join('=');
  }
  return child;
}

async function main(): Promise<void> {
  const count = Number(values.titles);
  const counts = (values.workers ?? '1,2').split(',').map(Number);
  const media = mkdtempSync(path.join(os.tmpdir(), 'endcue-bench-workers-'));
  log(
    `generating ${count} titles (${values.fake ? 'stand-in detector' : `${values.duration}s fixtures, real detector`})...`,
  );
  const titles: { id: string; src: string }[] = [];
  for (let i = 0; i < count; i++) {
    const id = `t${i + 1}`;
    if (values.fake) {
      writeFileSync(path.join(media, `${id}.mp4`), `credits=${100 + i} ms=${values['fake-ms']}`);
    } else {
      const fixture = await generateFixture({ duration: Number(values.duration), seed: 700 + i });
      copyFileSync(fixture.path, path.join(media, `${id}.mp4`));
    }
    titles.push({ id, src: `${id}.mp4` });
  }
  const services = await ensureServices();
  const model = values.fake ? fakeModelVersion : (modelVersionFromMetadata()() ?? 'unknown');
  const rows: { workers: number; titles: number; seconds: number; titlesPerMinute: number }[] = [];
  try {
    for (const [index, workerCount] of counts.entries()) {
      const isolated = await isolatedServices(10 + index);
      const store = new PostgresCreditsStore({ connectionString: isolated.databaseUrl });
      for (const title of titles) await store.putTitle(title, 'admin');
      const workers: WorkerProcess[] = [];
      try {
        for (let w = 0; w < workerCount; w++) {
          workers.push(
            await spawnWorker({
              REDIS_URL: isolated.redisUrl,
              DATABASE_URL: isolated.databaseUrl,
              ENDCUE_MEDIA_ROOTS: media,
              ENDCUE_CONCURRENCY: '1',
              ...(values.fake ? { ENDCUE_DETECTOR_MODULE: FAKE_DETECTOR } : {}),
            }),
          );
        }
        const queue = new BullJobQueue({ redisUrl: isolated.redisUrl });
        const started = performance.now();
        for (const title of titles) await queue.enqueue(title.id);
        for (;;) {
          let finished = 0;
          for (const title of titles) {
            if (!(await queue.active(title.id))) finished++;
          }
          if (finished === titles.length) break;
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        const seconds = (performance.now() - started) / 1000;
        const { failed } = await queue.counts();
        let stored = 0;
        for (const title of titles) {
          const result = await store.pool.query(
            'SELECT 1 FROM results WHERE title_id = $1 AND model_version = $2',
            [title.id, model],
          );
          if ((result.rowCount ?? 0) > 0) stored++;
        }
        await queue.stop();
        const row = {
          workers: workerCount,
          titles: stored,
          seconds: Math.round(seconds * 10) / 10,
          titlesPerMinute: Math.round((stored / seconds) * 60 * 10) / 10,
        };
        rows.push(row);
        log(
          `${workerCount} worker(s): ${stored}/${titles.length} titles in ${row.seconds} s = ${row.titlesPerMinute} titles/min${failed ? ` (${failed} failed)` : ''}`,
        );
      } finally {
        for (const worker of workers) await worker.stop();
        await store.close();
        await isolated.cleanup();
      }
    }
  } finally {
    services?.stdin?.end();
    rmSync(media, { recursive: true, force: true });
  }
  const table = [
    `| workers | titles | seconds | titles/min |`,
    `| ---: | ---: | ---: | ---: |`,
    ...rows.map((r) => `| ${r.workers} | ${r.titles} | ${r.seconds} | ${r.titlesPerMinute} |`),
  ].join('\n');
  process.stdout.write(
    `${table}\n\n${os.cpus().length} cores, ${values.fake ? `stand-in detector ${values['fake-ms']} ms/title` : `real detector, ${values.duration}s generated titles`}\n`,
  );
  if (values.json) writeFileSync(values.json, JSON.stringify(rows, null, 2));
}

await main();
