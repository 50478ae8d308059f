/**
 * The bad-media corpus (corpus.ts) against the detector and the server.
 * - Detector: the real pipeline (ffprobe, ffmpeg sampling, the shipped TF.js model, the
 *   decision) gives an answer or a clear EndcueError for every input, within a generous
 *   bound (60 s: a hang check, not a speed target).
 * - Server: startServer with the real probe and frame sampling, a stand-in classifier and no
 *   OCR text check (TF.js and OCR twice over the corpus would be too slow for `npm test`; the
 *   detector test above reads every file's text): every failure is stored and GET credits
 *   answers 422 with its reason, while the good titles still get answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CreditsFrameClassifier, loadClassifier } from '../../server/detector/classify.js';
import { createDetector } from '../../server/detector/detect.js';
import type { DetectionResult, Detector } from '../../server/detector/types.js';
import { type EndcueError, isEndcueError } from '../../server/errors.js';
import { type RunningServer, startServer } from '../../server/http/start.js';
import { withinBound } from './bound.js';
import { buildCorpus, type Corpus, type CorpusEntry } from './corpus.js';
import { type LocalServer, serveDir, stallingServer } from './http-fixtures.js';
import { standInClassifier } from './stand-in.js';

const BOUND_MS = 60_000;
/**
 * The whole corpus, one input after another: each input has BOUND_MS; the test as a whole
 * gets room for a slow, shared CI machine (it is a hang check, not a speed target).
 */
const CORPUS_TIMEOUT_MS = 600_000;

let tmp: string;
let corpus: Corpus;
let files: LocalServer;
let stall: LocalServer;
let classifier: CreditsFrameClassifier;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(tmpdir(), 'endcue-bad-media-'));
  corpus = await buildCorpus(path.join(tmp, 'media'));
  files = await serveDir(corpus.dir);
  stall = await stallingServer();
  classifier = await loadClassifier();
});

afterAll(async () => {
  classifier?.dispose();
  await files?.close();
  await stall?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

type Outcome = { answer: DetectionResult } | { error: EndcueError };

async function outcome(detector: Detector, input: string): Promise<Outcome> {
  try {
    return { answer: await withinBound(detector(input), BOUND_MS, input) };
  } catch (error) {
    if (isEndcueError(error)) return { error };
    throw error; // not a clear error: the test fails with it
  }
}

function checkOutcome(entry: CorpusEntry, got: Outcome): void {
  if ('error' in got) {
    expect(entry.expect, `${entry.name}: ${got.error.code} ${got.error.message}`).not.toBe(
      'answer',
    );
    expect(entry.expect).toContain(got.error.code);
    // One line naming the input, and something to do about it.
    expect(got.error.message).not.toContain('\n');
    expect(got.error.hint ?? '').not.toBe('');
    return;
  }
  expect(entry.expect === 'answer' || entry.orAnswer, `${entry.name} gave an answer`).toBe(true);
  const { answer } = got;
  expect(answer.duration).toBeCloseTo(entry.duration as number, 0);
  expect(answer.confidence).toBeGreaterThanOrEqual(0);
  expect(answer.confidence).toBeLessThanOrEqual(1);
  if (answer.creditsStart !== null) {
    expect(answer.creditsStart).toBeGreaterThanOrEqual(0);
    expect(answer.creditsStart).toBeLessThanOrEqual(answer.duration);
  }
  for (const segment of answer.segments) {
    expect(segment.start).toBeLessThanOrEqual(segment.end);
    expect(segment.end).toBeLessThanOrEqual(answer.duration + 0.5);
  }
}

describe('the detector on bad and exotic media', () => {
  it('answers or fails clearly, in bounded time, for every file in the corpus', {
    timeout: CORPUS_TIMEOUT_MS,
  }, async () => {
    const detect = createDetector({ classifier });
    const seen: string[] = [];
    for (const entry of corpus.entries) {
      const got = await outcome(detect, path.join(corpus.dir, entry.file));
      seen.push(`${entry.name}: ${'error' in got ? got.error.code : 'answer'}`);
      checkOutcome(entry, got);
    }
    expect(seen).toHaveLength(corpus.entries.length);
    // At least the plain variants must be readable: the corpus really has answers in it.
    expect(seen.filter((s) => s.endsWith(': answer')).length).toBeGreaterThanOrEqual(5);
  });

  it('reads HLS with a missing segment (an answer, or a clear error)', async () => {
    const detect = createDetector({ classifier });
    const got = await outcome(detect, `${files.url}/${corpus.hlsMissing}`);
    checkOutcome(
      {
        name: 'HLS missing segment',
        file: corpus.hlsMissing,
        expect: ['corrupt-media', 'unreachable-url', 'not-found'],
        orAnswer: true,
        duration: 10,
      },
      got,
    );
  });

  it('gives up on a URL that accepts and never answers, with a timeout error', async () => {
    const detect = createDetector({ classifier, probeTimeoutMs: 3000, idleTimeoutMs: 3000 });
    const got = await outcome(detect, `${stall.url}/movie.mp4`);
    expect('error' in got && got.error.code).toBe('timeout');
  });
});

describe('the server on bad and exotic media', () => {
  let server: RunningServer | undefined;
  afterAll(async () => server?.close());

  it('stores each failure and answers 422 with its reason, while good titles get answers', {
    timeout: CORPUS_TIMEOUT_MS,
  }, async () => {
    const idOf = (file: string) => file.replace(/[^A-Za-z0-9._-]/g, '_');
    const urlEntries: CorpusEntry[] = [
      {
        name: 'HLS missing segment',
        file: `${files.url}/${corpus.hlsMissing}`,
        expect: ['corrupt-media', 'unreachable-url', 'not-found'],
        orAnswer: true,
      },
      {
        name: 'stalling URL',
        file: `${stall.url}/movie.mp4`,
        expect: ['unreachable-url', 'timeout'],
      },
    ];
    const entries = [...corpus.entries, ...urlEntries];
    server = await startServer({
      port: 0,
      dataDir: path.join(tmp, 'data'),
      mediaRoots: [corpus.dir],
      allowedHosts: ['127.0.0.1'],
      allowPrivateNetworks: true,
      concurrency: 2,
      maxAttempts: 2,
      retryBaseMs: 50,
      enqueueRatePerMinute: 1000,
      detector: createDetector({
        classifier: standInClassifier(),
        // The text check is a second opinion on an answer and falls back to the frame scores
        // when OCR fails: it never turns an answer into a failure or back, which is what this
        // test is about. It took two thirds of this test's time; the corpus test runs it.
        readText: false,
        probeTimeoutMs: 3000,
        idleTimeoutMs: 3000,
      }),
      sourceDeps: { timeoutMs: 1500 },
      logger: false,
      titles: entries.map((e) => ({ id: idOf(e.file), src: e.file })),
    });
    const base = server.url;
    const ask = (id: string) => fetch(`${base}/v1/titles/${id}/credits`);

    // Everything asked at once: 2 analyses at a time, the rest queued behind them.
    const first = await Promise.all(entries.map((e) => ask(idOf(e.file))));
    for (const response of first) expect([202, 422]).toContain(response.status);

    const final = new Map<string, { status: number; body: Record<string, unknown> }>();
    const until = Date.now() + CORPUS_TIMEOUT_MS - BOUND_MS;
    while (final.size < entries.length && Date.now() < until) {
      for (const entry of entries) {
        const id = idOf(entry.file);
        if (final.has(id)) continue;
        const response = await ask(id);
        const body = (await response.json()) as Record<string, unknown>;
        if (response.status !== 202) final.set(id, { status: response.status, body });
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(final.size, 'every title settled').toBe(entries.length);

    for (const entry of entries) {
      const got = final.get(idOf(entry.file));
      const label = `${entry.name}: ${JSON.stringify(got)}`;
      if (entry.expect === 'answer') {
        expect(got?.status, label).toBe(200);
        expect(got?.body.modelVersion).toBe('stand-in-1');
        continue;
      }
      if (entry.orAnswer && got?.status === 200) continue;
      expect(got?.status, label).toBe(422);
      const error = (got?.body as { error?: { code: string; message: string } } | undefined)
        ?.error ?? {
        code: 'none',
        message: '',
      };
      expect(entry.expect, label).toContain(error.code);
      expect(error.message.length).toBeGreaterThan(10);
    }

    // Failures are stored per media: asking again answers from the store, no new job.
    const jobsBefore = (await server.queue.counts()).failed;
    const again = await ask(idOf('zero.mp4'));
    expect(again.status).toBe(422);
    expect((await server.queue.counts()).failed).toBe(jobsBefore);
    const db = new Database(path.join(tmp, 'data', 'endcue.db'), { readonly: true });
    const stored = db.prepare('SELECT COUNT(*) AS n FROM failures').get() as { n: number };
    db.close();
    expect(stored.n).toBeGreaterThanOrEqual(
      corpus.entries.filter((e) => e.expect !== 'answer' && !e.orAnswer).length,
    );
    // Nothing crashed: the server still answers.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
