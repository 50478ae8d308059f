import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CreditsFrameClassifier,
  DEFAULT_MODEL_DIR,
  loadClassifier,
  readModelMetadata,
  selectBackend,
} from '../../../server/detector/classify.js';
import { ffmpegScaleFilter } from '../../../server/detector/preprocess.js';
import { isEndcueError } from '../../../server/errors.js';
import { resolveFfmpeg } from '../../../server/media/ffmpeg.js';

const require = createRequire(import.meta.url);
const FONT = path.join(
  path.dirname(require.resolve('@fontsource/dejavu-sans/package.json')),
  'files/dejavu-sans-latin-400-normal.woff',
);

/** One rgb24 frame from a lavfi source + filters, scaled by the shared preprocessing. */
function renderFrame(source: string, filters: string[], inputSize: number): Uint8Array {
  const out = spawnSync(
    resolveFfmpeg().ffmpeg,
    [
      '-hide_banner',
      '-loglevel',
      'error',
      '-f',
      'lavfi',
      '-i',
      source,
      '-frames:v',
      '1',
      '-vf',
      [...filters, ffmpegScaleFilter(inputSize)].join(','),
      '-f',
      'rawvideo',
      '-pix_fmt',
      'rgb24',
      'pipe:1',
    ],
    { maxBuffer: 64 * 1024 * 1024 },
  );
  if (out.status !== 0) throw new Error(String(out.stderr));
  return new Uint8Array(out.stdout);
}

let dir: string;
let clf: CreditsFrameClassifier;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'endcue-classify-'));
  clf = await loadClassifier({ backend: 'wasm' });
});

afterAll(() => {
  clf?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

describe('the shipped model', () => {
  it('loads from disk with its metadata, on the wasm backend', () => {
    const meta = readModelMetadata(DEFAULT_MODEL_DIR);
    expect(clf.inputSize).toBe(meta.inputSize);
    expect(clf.modelVersion).toBe(meta.version);
    expect(clf.backend).toBe('wasm');
    expect(clf.classes).toContain('credits');
  });

  it('calls white credit lines on black "credits" and a test pattern not', async () => {
    const text = path.join(dir, 'credits.txt');
    writeFileSync(
      text,
      [
        'Directed by',
        'Anna Rossi',
        '',
        'Director of Photography',
        'Ben Tanaka',
        '',
        'Music by',
        'Clara Novak',
        '',
        'Edited by',
        'David Okafor',
      ].join('\n'),
    );
    const credits = renderFrame(
      'color=c=black:s=640x360:d=1',
      [
        `drawtext=fontfile='${FONT}':textfile='${text}':fontsize=18:fontcolor=white:x=(w-tw)/2:y=(h-th)/2:line_spacing=6`,
      ],
      clf.inputSize,
    );
    // A zoomed-in fractal fills the frame like picture does. (The default mandelbrot view, a
    // small bright shape on black, is a known failure: see model/README.md.)
    const content = renderFrame(
      'mandelbrot=s=640x360:start_scale=0.3:start_x=-0.75:start_y=0.1',
      [],
      clf.inputSize,
    );
    const pattern = renderFrame('testsrc2=s=640x360', [], clf.inputSize);
    const p = await clf.classify([credits, content, pattern]);
    expect(p).toHaveLength(3);
    expect(p[0]).toBeGreaterThan(0.5);
    expect(p[1]).toBeLessThan(0.5);
    expect(p[2]).toBeLessThan(0.5);
  });

  it('returns every class per frame from scores(), summing to 1', async () => {
    const black = renderFrame('color=c=black:s=320x180:d=1', [], clf.inputSize);
    const { classes, probabilities } = await clf.scores([black]);
    expect(classes).toEqual(clf.classes);
    const row = probabilities[0] as Float32Array;
    expect(row).toHaveLength(classes.length);
    expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
  });

  it('rejects frames of the wrong size', async () => {
    await expect(clf.classify([new Uint8Array(12)])).rejects.toThrow(/expected/);
  });

  it('says model-missing for a folder without a model', async () => {
    const error = await loadClassifier({ backend: 'cpu', modelDir: dir }).catch((e: unknown) => e);
    expect(isEndcueError(error) && error.code).toBe('model-missing');
  });
});

describe('backend choice', () => {
  it("says why 'tensorflow' is unavailable when tfjs-node is not installed", async () => {
    let native = false;
    try {
      require.resolve('@tensorflow/tfjs-node');
      native = true;
    } catch {
      native = false;
    }
    if (native) {
      await expect(selectBackend('tensorflow')).resolves.toMatchObject({ backend: 'tensorflow' });
      return;
    }
    const error = await selectBackend('tensorflow').catch((e: unknown) => e);
    expect(isEndcueError(error) && error.code).toBe('backend-unavailable');
    expect(String((error as Error).cause)).toMatch(/@tensorflow\/tfjs-node/);
  });

  it("'auto' falls back to wasm and keeps the reason", async () => {
    const { backend, reasons } = await selectBackend('auto');
    if (backend === 'tensorflow') {
      expect(reasons).toEqual([]);
    } else {
      expect(backend).toBe('wasm');
      expect(reasons.join(' ')).toMatch(/^tensorflow: .*tfjs-node/);
    }
  });
});
