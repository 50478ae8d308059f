/**
 * Faults: ffmpeg killed mid-analysis, the server SIGKILLed with jobs queued and running,
 * the data dir's disk full (a real 1 MiB tmpfs when we may mount one), and a missing or
 * damaged model. Each must end in a clear error or a completed job, never a crash, a
 * duplicate or a corrupt database.
 */

import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, loadClassifier } from '../../server/detector/classify.js';
import { createDetector } from '../../server/detector/detect.js';
import { ffmpegScaleFilter } from '../../server/detector/preprocess.js';
import { isEndcueError } from '../../server/errors.js';
import { checkModelFiles } from '../../server/http/model-preflight.js';
import { type RunningServer, startServer } from '../../server/http/start.js';
import { sampleFrames } from '../../server/media/frames.js';
import { generateFixture } from '../fixtures/generate.js';
import { MODEL_TEST_TITLES } from '../fixtures/model-titles.js';
import { fakeDetector } from '../server/http/fakes.js';
import { withinBound } from './bound.js';
import { standInClassifier } from './stand-in.js';

const ROOT = path.resolve(import.meta.dirname, '../..');
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(path.join(tmpdir(), 'endcue-faults-'));
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** ffmpeg processes started by this test process (children of our pid). */
function ourFfmpegs(): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const comm = /\((.*)\)/.exec(stat)?.[1];
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (comm === 'ffmpeg' && ppid === process.pid) pids.push(Number(entry));
    } catch {
      // the process ended meanwhile
    }
  }
  return pids;
}

async function waitFor<T>(check: () => Promise<T | undefined> | T | undefined, ms: number) {
  const until = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error('waitFor: timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('ffmpeg killed mid-analysis', () => {
  let server: RunningServer | undefined;
  afterAll(async () => server?.close());

  it('fails the run with a retryable error, and the queue retries it to an answer', async () => {
    const fixture = await generateFixture(MODEL_TEST_TITLES.killedCards);
    const media = path.join(tmp, 'kill-media');
    mkdirSync(media);
    cpSync(fixture.path, path.join(media, 'movie.mp4'));
    // A slow classifier keeps ffmpeg's pipe full, so ffmpeg is alive when we kill it. No OCR
    // text check: the kill lands in the frame sampling before it, and the retried run's answer
    // needs only the frames (starting OCR and reading was four fifths of this test's time).
    const detector = createDetector({
      classifier: standInClassifier(150),
      offThread: false,
      readText: false,
    });
    let killed = 0;
    let firstError: unknown;
    server = await startServer({
      port: 0,
      dataDir: path.join(tmp, 'kill-data'),
      mediaRoots: [media],
      detector: async (source, options) => {
        const run = detector(source, options);
        if (killed === 0) {
          run.catch((error: unknown) => {
            firstError = error;
          });
          const pid = await waitFor(() => ourFfmpegs()[0], 30_000);
          process.kill(pid, 'SIGKILL');
          killed++;
        }
        return run;
      },
      retryBaseMs: 50,
      logger: false,
      titles: [{ id: 'movie', src: 'movie.mp4' }],
    });
    const url = `${server.url}/v1/titles/movie/credits`;
    expect((await fetch(url)).status).toBe(202);
    const body = await withinBound(
      waitFor(async () => {
        const response = await fetch(url);
        return response.status === 202
          ? undefined
          : { status: response.status, json: await response.json() };
      }, 60_000),
      60_000,
      'retry after ffmpeg was killed',
    );
    expect(killed).toBe(1);
    expect(body.status).toBe(200);
    const [job] = await server.queue.list(1);
    expect(job?.state).toBe('done');
    expect(job?.attempts).toBe(2);
    // The killed run failed with a clear, retryable EndcueError (not a crash or a hang).
    expect(isEndcueError(firstError)).toBe(true);
    expect((firstError as { retryable: boolean }).retryable).toBe(true);
    expect((firstError as { message: string }).message).toContain('movie.mp4');
  });
});

describe('ffmpeg killed after it has given frames', () => {
  it('is a retryable ffmpeg-failed error, not a truncated file or a short answer', async () => {
    const fixture = await generateFixture(MODEL_TEST_TITLES.killedRoll);
    const frames = sampleFrames(fixture.path, {
      width: 64,
      height: 64,
      filter: ffmpegScaleFilter(64),
      mode: 'rate',
      rate: 4,
    });
    const outcome = (async () => {
      let count = 0;
      for await (const _frame of frames) {
        count++;
        if (count === 2) {
          for (const pid of ourFfmpegs()) process.kill(pid, 'SIGKILL');
        }
        // Slow consumer: ffmpeg stays alive (pipe full) until it is killed.
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      return count;
    })();
    const error = await withinBound(
      outcome.then(
        (count) => new Error(`ended normally after ${count} frames`),
        (error: unknown) => error,
      ),
      30_000,
      'ffmpeg killed mid-stream',
    );
    expect(isEndcueError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ffmpeg-failed', retryable: true });
    expect((error as Error).message).toContain('killed');
  });
});

describe('server SIGKILLed with jobs queued and running', () => {
  const COUNT = 6;
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });

  function serve(dataDir: string, media: string): Promise<{ child: ChildProcess; url: string }> {
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(ROOT, 'tests/reliability/serve-child.ts'),
        dataDir,
        media,
        String(COUNT),
        '700',
      ],
      { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    children.push(child);
    return new Promise((resolve, reject) => {
      let out = '';
      let err = '';
      child.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
      });
      child.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('http'));
        if (line) resolve({ child, url: line.trim() });
      });
      child.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
    });
  }

  it('resumes every job after a restart: all complete, none stored twice, the DB intact', async () => {
    const media = path.join(tmp, 'crash-media');
    const dataDir = path.join(tmp, 'crash-data');
    mkdirSync(media);
    for (let i = 0; i < COUNT; i++) writeFileSync(path.join(media, `t${i}.mp4`), `video ${i}`);

    const first = await serve(dataDir, media);
    for (let i = 0; i < COUNT; i++) {
      expect((await fetch(`${first.url}/v1/titles/t${i}/credits`)).status).toBe(202);
    }
    // Kill it while 2 run and the rest wait (each analysis takes 700 ms).
    await new Promise((resolve) => setTimeout(resolve, 300));
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;

    const before = new Database(path.join(dataDir, 'endcue.db'), { readonly: true });
    const states = before.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all();
    before.close();
    expect(states).toContainEqual({ state: 'running', n: 2 });

    const second = await serve(dataDir, media);
    await withinBound(
      waitFor(async () => {
        const statuses = await Promise.all(
          Array.from({ length: COUNT }, (_, i) =>
            fetch(`${second.url}/v1/titles/t${i}/credits`).then((r) => r.status),
          ),
        );
        return statuses.every((s) => s === 200) ? statuses : undefined;
      }, 30_000),
      30_000,
      'jobs after restart',
    );
    const stopped = new Promise((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGTERM');
    await stopped;

    const db = new Database(path.join(dataDir, 'endcue.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const results = db
        .prepare('SELECT title_id, COUNT(*) AS n FROM results GROUP BY title_id')
        .all() as { n: number }[];
      expect(results).toHaveLength(COUNT);
      expect(results.every((r) => r.n === 1)).toBe(true);
      const jobs = db.prepare("SELECT title_id, state FROM jobs WHERE state <> 'done'").all();
      expect(jobs).toEqual([]);
      const done = db.prepare("SELECT COUNT(*) AS n FROM jobs WHERE state = 'done'").get() as {
        n: number;
      };
      expect(done.n).toBe(COUNT);
    } finally {
      db.close();
    }
    // Each title analysed to the end once, plus at most the 2 interrupted ones again... and
    // the killed runs never reached the log (they were interrupted before finishing).
    const log = readFileSync(path.join(dataDir, 'analyses.log'), 'utf8').trim().split('\n');
    expect(new Set(log).size).toBe(COUNT);
    expect(log.length).toBe(COUNT);
  });
});

/** Mounting a tmpfs needs root (CI and dev machines run as root); else the test is skipped. */
function mountTinyDisk(dir: string): boolean {
  mkdirSync(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', dir], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('disk full on the data dir', () => {
  const disk = path.join(tmpdir(), `endcue-tiny-disk-${process.pid}`);
  let mounted = false;
  let server: RunningServer | undefined;
  beforeAll(() => {
    mounted = mountTinyDisk(disk);
  });
  afterAll(async () => {
    await server?.close();
    if (mounted) execFileSync('umount', [disk]);
    rmSync(disk, { recursive: true, force: true });
  });

  it('answers 503 with a clear reason, keeps running jobs, and recovers with no corrupt cache', async (context) => {
    if (!mounted) context.skip();
    const media = path.join(tmp, 'full-media');
    mkdirSync(media);
    writeFileSync(path.join(media, 'a.mp4'), 'a');
    writeFileSync(path.join(media, 'b.mp4'), 'b');
    const detector = fakeDetector({ hold: true });
    server = await startServer({
      port: 0,
      dataDir: path.join(disk, 'data'),
      mediaRoots: [media],
      detector,
      retryBaseMs: 50,
      logger: false,
      titles: [
        { id: 'a', src: 'a.mp4' },
        { id: 'b', src: 'b.mp4' },
      ],
    });
    const ask = (id: string) => fetch(`${server?.url}/v1/titles/${id}/credits`);
    expect((await ask('a')).status).toBe(202); // running, held

    const free = statfsSync(disk);
    try {
      writeFileSync(path.join(disk, 'filler'), Buffer.alloc(Number(free.bavail * free.bsize)));
    } catch {
      // ENOSPC: the disk is full, as wanted
    }
    // A new analysis can't be queued: a clear 503, not a 500.
    const refused = await ask('b');
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBeTruthy();
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
      'storage-unavailable',
    );
    // The running one finishes but can't store its result: no crash, it stays pending.
    detector.release();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await ask('a')).status).toBe(202);

    rmSync(path.join(disk, 'filler'));
    const release = setInterval(() => detector.release(), 20);
    try {
      await waitFor(async () => ((await ask('a')).status === 200 ? true : undefined), 10_000);
      await waitFor(async () => ((await ask('b')).status === 200 ? true : undefined), 10_000);
    } finally {
      clearInterval(release);
    }
    const db = new Database(path.join(disk, 'data', 'endcue.db'), { readonly: true });
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const rows = db.prepare('SELECT title_id FROM results ORDER BY title_id').all();
      expect(rows).toEqual([{ title_id: 'a' }, { title_id: 'b' }]);
    } finally {
      db.close();
    }
  });
});

describe('model missing or damaged', () => {
  const broken: Record<string, [(dir: string) => void, string]> = {
    'folder missing': [(dir) => rmSync(dir, { recursive: true }), 'model-missing'],
    'weights missing': [(dir) => rmSync(path.join(dir, 'weights.bin')), 'model-missing'],
    'weights truncated': [
      (dir) => truncateSync(path.join(dir, 'weights.bin'), 1000),
      'model-invalid',
    ],
    'metadata not JSON': [
      (dir) => writeFileSync(path.join(dir, 'metadata.json'), 'nope'),
      'model-invalid',
    ],
    'model.json not JSON': [
      (dir) => writeFileSync(path.join(dir, 'model.json'), '{"modelTopology":'),
      'model-invalid',
    ],
  };

  function brokenCopy(name: string, breakIt: (dir: string) => void): string {
    const dir = path.join(tmp, 'models', name.replace(/\W/g, '-'));
    cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
    breakIt(dir);
    return dir;
  }

  it('the shipped model passes the start check', () => {
    expect(() => checkModelFiles(DEFAULT_MODEL_DIR)).not.toThrow();
  });

  for (const [name, [breakIt, code]] of Object.entries(broken)) {
    it(`${name}: the server refuses to start, and loading fails, with ${code}`, async () => {
      const modelDir = brokenCopy(name, breakIt);
      const start = startServer({
        port: 0,
        dataDir: path.join(tmp, `model-data-${name.replace(/\W/g, '-')}`),
        mediaRoots: [tmp],
        modelDir,
        logger: false,
      });
      await expect(start).rejects.toMatchObject({ name: 'EndcueError', code });
      // The classifier itself says the same kind of thing (model-missing or model-invalid).
      const loading = await loadClassifier({ modelDir }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(isEndcueError(loading)).toBe(true);
      expect(['model-missing', 'model-invalid']).toContain((loading as { code: string }).code);
    });
  }
});
