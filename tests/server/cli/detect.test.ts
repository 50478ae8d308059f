/**
 * `endcue detect` end to end: the real bin, the shipped model, generated fixtures (a local
 * file and an HLS stream served from 127.0.0.1), and every kind of bad input.
 */

import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  createReadStream,
  mkdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveFfmpeg } from '../../../server/media/ffmpeg.js';
import { type Fixture, generateFixture } from '../../fixtures/generate.js';
import { makeHls } from '../../fixtures/hls.js';
import { MODEL_TEST_TITLES } from '../../fixtures/model-titles.js';
import { type CliRun, runEndcue } from './run-bin.js';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const DIR = path.join(ROOT, '.cache/test-cli-detect');

const endcue = (args: string[], timeoutMs = 200_000) => runEndcue(args, timeoutMs);

function ffmpeg(args: string[]): SpawnSyncReturns<string> {
  const made = spawnSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', ...args], {
    encoding: 'utf8',
  });
  if (made.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${made.stderr}`);
  return made;
}

let fixture: Fixture;
/** What --json said about the local file: the HLS run must agree with it. */
let fromFile: { creditsStart: number | null; duration: number } | undefined;
let server: Server;
let baseUrl = '';

beforeAll(async () => {
  mkdirSync(DIR, { recursive: true });
  fixture = await generateFixture(MODEL_TEST_TITLES.cliCards);

  const hlsDir = path.dirname(await makeHls(fixture.path, { segmentSec: 2 }));

  // Bad inputs.
  writeFileSync(path.join(DIR, 'empty.mp4'), '');
  writeFileSync(path.join(DIR, 'notes.mp4'), 'Shopping list: eggs, milk, bread.\n'.repeat(40));
  const whole = readFileSync(fixture.path);
  writeFileSync(path.join(DIR, 'truncated.mp4'), whole.subarray(0, Math.floor(whole.length * 0.4)));
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'sine=frequency=440:duration=3',
    '-c:a',
    'aac',
    path.join(DIR, 'audio.m4a'),
  ]);
  // A Matroska file whose video codec id ffmpeg doesn't know (same length as the real one).
  const mkv = path.join(DIR, 'h264.mkv');
  ffmpeg([
    '-f',
    'lavfi',
    '-i',
    'testsrc2=s=160x90:r=24:d=2',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    mkv,
  ]);
  const bytes = readFileSync(mkv);
  const at = bytes.indexOf('V_MPEG4/ISO/AVC');
  if (at < 0) throw new Error('codec id not found in the test mkv');
  bytes.write('V_XYZZY/ISO/AVC', at, 'latin1');
  writeFileSync(path.join(DIR, 'unknown-codec.mkv'), bytes);
  copyFileSync(fixture.path, path.join(DIR, 'title.mp4'));

  server = createServer((req, res) => {
    const file = path.join(hlsDir, path.basename(new URL(req.url ?? '/', 'http://x').pathname));
    try {
      const size = statSync(file).size;
      res.writeHead(200, {
        'content-length': size,
        'content-type': file.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : 'video/mp2t',
      });
      createReadStream(file).pipe(res);
    } catch {
      res.writeHead(404).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
});

/** A closed port on this machine: connecting is refused at once. */
async function closedPortUrl(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return `http://127.0.0.1:${port}/movie.mp4`;
}

/**
 * The file and the HLS stream of it, detected by two CLI processes at once: each keeps about
 * one core busy (tsx, the model, OCR), and vitest runs one test file at a time on two cores.
 * Started by whichever of the two tests comes first; each test checks its own run.
 */
let fileAndStream: Promise<[file: CliRun, stream: CliRun]> | undefined;
const detectFileAndStream = () =>
  (fileAndStream ??= Promise.all([
    endcue(['detect', fixture.path, '--json']),
    endcue(['detect', `${baseUrl}/index.m3u8`, '--json']),
  ]));

// Each test spawns the CLI (tsx start, model load, ffmpeg): generous limits for a busy CI box.
describe('endcue detect', { timeout: 240_000 }, () => {
  it('prints exactly one JSON object with --json', async () => {
    const [run] = await detectFileAndStream();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    const out = JSON.parse(run.stdout);
    expect(Object.keys(out)).toEqual([
      'file',
      'duration',
      'fps',
      'creditsStart',
      'creditsEnd',
      'frame',
      'confidence',
      'segments',
      'modelVersion',
      'backend',
      'elapsedMs',
    ]);
    expect(out.file).toBe(fixture.path);
    expect(out.fps).toBe(fixture.fps);
    expect(out.duration).toBeCloseTo(fixture.duration, 1);
    // Accuracy is measured by `npm run eval`; here: a consistent, well-formed answer.
    if (out.creditsStart === null) {
      expect(out.frame).toBeNull();
      expect(out.segments).toEqual([]);
    } else {
      expect(out.creditsStart).toBeGreaterThanOrEqual(0);
      expect(out.creditsStart).toBeLessThanOrEqual(fixture.duration);
      expect(out.frame).toBe(Math.round(out.creditsStart * fixture.fps));
      expect(out.segments[0]).toEqual({
        kind: 'credits',
        start: out.creditsStart,
        end: out.creditsEnd,
      });
    }
    fromFile = out;
    expect(out.confidence).toBeGreaterThanOrEqual(0);
    expect(out.confidence).toBeLessThanOrEqual(1);
    expect(out.modelVersion).toMatch(/\S/);
    expect(['tensorflow', 'wasm', 'cpu']).toContain(out.backend);
  });

  it('prints the human line by default, and other formats on request', async () => {
    // Two processes at once, as above.
    const [run, vtt] = await Promise.all([
      endcue(['detect', path.join(DIR, 'title.mp4'), '--tail', '20s']),
      endcue(['detect', path.join(DIR, 'title.mp4'), '--format', 'vtt']),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toMatch(
      /^(Credits start at \d\d:\d\d:\d\d\.\d \(frame \d+\)|No closing credits found in \S+), confidence (0|1)\.\d\d$/,
    );
    expect(vtt.code).toBe(0);
    expect(vtt.stdout).toMatch(/^WEBVTT\n\n1\n00:00:00\.000 --> \d\d:\d\d:\d\d\.\d{3}\n/);
  });

  it('reads an HLS stream over http', async () => {
    const url = `${baseUrl}/index.m3u8`;
    const [, run] = await detectFileAndStream();
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout);
    expect(out.file).toBe(url);
    expect(Math.abs(out.duration - fixture.duration)).toBeLessThan(1);
    // Same frames, same model: the stream gives the file's answer (times from the title's start).
    expect(fromFile).toBeDefined();
    if (fromFile?.creditsStart === null) expect(out.creditsStart).toBeNull();
    else
      expect(Math.abs(out.creditsStart - (fromFile?.creditsStart as number))).toBeLessThanOrEqual(
        0.5,
      );
  });

  // Concurrent: each case is a short CLI process of its own (mostly tsx starting), so two
  // cores run them about twice as fast as one after another.
  describe.concurrent('bad input: one line on stderr naming the input, non-zero exit, no stack', () => {
    const cases: Array<[string, () => Promise<string> | string, RegExp]> = [
      ['a missing file', () => path.join(DIR, 'no-such-movie.mp4'), /no such file/i],
      ['a file that is not a video', () => path.join(DIR, 'notes.mp4'), /not a video/i],
      ['an empty file', () => path.join(DIR, 'empty.mp4'), /empty/i],
      ['a truncated file', () => path.join(DIR, 'truncated.mp4'), /truncated|damaged/i],
      ['an audio-only file', () => path.join(DIR, 'audio.m4a'), /no video/i],
      ['an unreachable URL', closedPortUrl, /could not be fetched|unreachable|refused/i],
      ['an unsupported codec', () => path.join(DIR, 'unknown-codec.mkv'), /codec/i],
    ];
    for (const [what, input, problem] of cases) {
      it(`rejects ${what}`, async ({ expect }) => {
        const source = await input();
        const run = await endcue(['detect', source, '--json']);
        expect(run.code, run.stderr).not.toBe(0);
        expect(run.stdout).toBe('');
        const lines = run.stderr.trim().split('\n');
        expect(lines, run.stderr).toHaveLength(1);
        expect(lines[0]).toContain(source);
        expect(lines[0]).toMatch(problem);
        expect(run.stderr).not.toMatch(/\n\s+at /);
      });
    }

    it('rejects a bad --tail value', async ({ expect }) => {
      const run = await endcue(['detect', fixture.path, '--tail', 'lots']);
      expect(run.code).not.toBe(0);
      expect(run.stderr).toMatch(/--tail lots/);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    });
  });
});
