import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EndcueError } from '../../../server/errors.js';
import {
  type FfmpegBinaries,
  ffmpegCommand,
  passthroughFlags,
  resolveFfmpeg,
} from '../../../server/media/ffmpeg.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'endcue-ffmpeg-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const hasSystemFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const noPath = { PATH: path.join(tmp, 'empty-bin') };

/** Decodes one second of a synthetic source to nowhere with the given flags. */
function runsWith(bins: FfmpegBinaries, extra: string[]): number | null {
  const args = [
    '-hide_banner',
    '-loglevel',
    'error',
    '-f',
    'lavfi',
    '-i',
    'testsrc2=d=0.2:s=64x36',
  ];
  return spawnSync(bins.ffmpeg, [...args, ...extra, '-f', 'null', '-'], { timeout: 20_000 }).status;
}

function catchError(fn: () => unknown): EndcueError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(EndcueError);
    return error as EndcueError;
  }
  throw new Error('expected an EndcueError');
}

describe('resolveFfmpeg', () => {
  it('resolves a working pair and caches it', () => {
    const bins = resolveFfmpeg({ refresh: true });
    expect(spawnSync(bins.ffmpeg, ['-version']).status).toBe(0);
    expect(spawnSync(bins.ffprobe, ['-version']).status).toBe(0);
    expect(bins.version).not.toBe('unknown');
    expect(resolveFfmpeg()).toBe(bins);
    expect(resolveFfmpeg({ refresh: true })).not.toBe(bins);
  });

  it.skipIf(!hasSystemFfmpeg)('prefers the system ffmpeg found on PATH', () => {
    const bins = resolveFfmpeg({ env: { PATH: process.env.PATH } });
    expect(bins.source).toBe('system');
    expect(bins.ffmpeg).not.toContain('node_modules');
    expect(runsWith(bins, passthroughFlags(bins))).toBe(0);
  });

  it('falls back to the npm binaries when PATH has no ffmpeg', () => {
    const bins = resolveFfmpeg({ env: noPath });
    expect(bins.source).toBe('npm');
    expect(bins.ffmpeg).toContain(`${path.sep}node_modules${path.sep}`);
    expect(bins.ffprobe).toContain(`${path.sep}node_modules${path.sep}`);
    // Whatever the build, the flags we pick for it must be accepted by it.
    expect(runsWith(bins, passthroughFlags(bins))).toBe(0);
  });

  it('detects -fps_mode support by asking the binary', () => {
    for (const bins of [resolveFfmpeg({ env: noPath }), resolveFfmpeg({ refresh: true })]) {
      const fpsMode = runsWith(bins, ['-fps_mode', 'passthrough']) === 0;
      expect(bins.hasFpsMode).toBe(fpsMode);
      expect(passthroughFlags(bins)).toEqual(
        fpsMode ? ['-fps_mode', 'passthrough'] : ['-vsync', '0'],
      );
    }
  });

  it('uses FFMPEG_PATH/FFPROBE_PATH when they work', () => {
    const npm = resolveFfmpeg({ env: noPath });
    const bins = resolveFfmpeg({
      env: { ...noPath, FFMPEG_PATH: npm.ffmpeg, FFPROBE_PATH: npm.ffprobe },
    });
    expect(bins).toMatchObject({ source: 'env', ffmpeg: npm.ffmpeg, ffprobe: npm.ffprobe });
  });

  it('reports a missing FFMPEG_PATH clearly instead of falling back', () => {
    const missing = path.join(tmp, 'no-such-ffmpeg');
    const error = catchError(() =>
      resolveFfmpeg({ env: { PATH: process.env.PATH, FFMPEG_PATH: missing } }),
    );
    expect(error.code).toBe('ffmpeg-missing');
    expect(error.message).toContain(missing);
    expect(error.message).toMatch(/not found/);
    expect(error.hint).toMatch(/FFMPEG_PATH/);
  });

  it('rejects an FFPROBE_PATH that is not ffprobe', () => {
    const fake = path.join(tmp, 'fake-ffprobe');
    writeFileSync(fake, '#!/bin/sh\nexit 3\n');
    chmodSync(fake, 0o755);
    const error = catchError(() =>
      resolveFfmpeg({ env: { PATH: process.env.PATH, FFPROBE_PATH: fake } }),
    );
    expect(error.code).toBe('ffmpeg-missing');
    expect(error.message).toContain(fake);
    expect(error.message).toMatch(/exited with 3/);
  });

  it('says what to install when nothing works', () => {
    const error = catchError(() => resolveFfmpeg({ env: noPath, useNpm: false }));
    expect(error.code).toBe('ffmpeg-missing');
    expect(error.retryable).toBe(false);
    expect(error.hint).toMatch(/apt-get install -y ffmpeg/);
    expect(error.hint).toMatch(/npm install/);
  });
});

describe('ffmpegCommand', () => {
  it('runs the resolved ffmpeg through fluent-ffmpeg', async () => {
    const out = path.join(tmp, 'tiny.mp4');
    await new Promise<void>((resolve, reject) => {
      ffmpegCommand('testsrc2=d=0.5:s=64x36:r=10')
        .inputFormat('lavfi')
        .outputOptions(['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'])
        .on('end', () => resolve())
        .on('error', reject)
        .save(out);
    });
    const frames = spawnSync(
      resolveFfmpeg().ffprobe,
      [
        '-v',
        'error',
        '-count_frames',
        '-show_entries',
        'stream=nb_read_frames',
        '-of',
        'csv=p=0',
        out,
      ],
      { encoding: 'utf8' },
    );
    expect(Number(frames.stdout.trim())).toBe(5);
  });
});
