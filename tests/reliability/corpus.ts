/**
 * The bad-media corpus: small files that are broken, odd or exotic in every way we know,
 * made from one generated fixture with ffmpeg (a few seconds on 2 cores). Each entry says
 * what the detector must do with it: give an answer, or fail with one of a few error codes.
 * Encoders the local ffmpeg lacks (libx265, libvpx-vp9, an AV1 encoder) are skipped and listed.
 */

import { spawn, spawnSync } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import path from 'node:path';
import type { EndcueErrorCode } from '../../server/errors.js';
import { resolveFfmpeg } from '../../server/media/ffmpeg.js';
import { generateFixture } from '../fixtures/generate.js';
import { makeHls } from '../fixtures/hls.js';
import { generateLongFeature } from '../fixtures/long.js';
import { MODEL_TEST_TITLES } from '../fixtures/model-titles.js';
import { createRng } from '../fixtures/random.js';

export interface CorpusEntry {
  name: string;
  /** Path relative to the corpus dir (a media root), or a directory for HLS. */
  file: string;
  /** 'answer' = a DetectionResult; else one of these error codes. */
  expect: 'answer' | EndcueErrorCode[];
  /** Damaged but readable: an answer is as good as one of the errors. */
  orAnswer?: boolean;
  /** Answers only: the duration the result must report, +-0.5 s. */
  duration?: number;
}

export interface Corpus {
  dir: string;
  entries: CorpusEntry[];
  /** HLS rendition with a segment removed: index.m3u8 relative to dir. */
  hlsMissing: string;
  /** Encoders this ffmpeg lacks, so their inputs were skipped. */
  skipped: string[];
}

/** Runs the resolved ffmpeg; rejects with its stderr. */
export function ffmpeg(args: string[]): Promise<void> {
  const bin = resolveFfmpeg().ffmpeg;
  return new Promise((resolve, reject) => {
    const child = spawn(bin, ['-v', 'error', '-nostdin', '-y', ...args], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`ffmpeg ${args.join(' ')}: ${stderr}`)),
    );
  });
}

let encoderList: string | undefined;
export function hasEncoder(name: string): boolean {
  encoderList ??= spawnSync(resolveFfmpeg().ffmpeg, ['-hide_banner', '-encoders'], {
    encoding: 'utf8',
  }).stdout;
  return new RegExp(`^\\s*V\\S*\\s+${name}\\s`, 'm').test(encoderList);
}

/** Overwrites `count` runs of bytes in the middle of a file with noise (mdat damage). */
function damageMiddle(file: string, seed: number): void {
  const size = readFileSync(file).length;
  const rng = createRng(seed);
  const fd = openSync(file, 'r+');
  try {
    for (let i = 0; i < 12; i++) {
      const at = Math.floor(size * (0.35 + 0.4 * rng.next()));
      const noise = Buffer.alloc(512);
      for (let j = 0; j < noise.length; j++) noise[j] = Math.floor(rng.next() * 256);
      writeSync(fd, noise, 0, noise.length, at);
    }
  } finally {
    closeSync(fd);
  }
}

const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

/** Builds the corpus in `dir` (a fresh temp dir). */
export async function buildCorpus(dir: string): Promise<Corpus> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const base = await generateFixture(MODEL_TEST_TITLES.corpusBase);
  const at = (name: string) => path.join(dir, name);
  const entries: CorpusEntry[] = [];
  const skipped: string[] = [];
  const answer = (name: string, file: string, duration: number) =>
    entries.push({ name, file, expect: 'answer', duration });

  writeFileSync(at('zero.mp4'), '');
  entries.push({ name: 'zero bytes', file: 'zero.mp4', expect: ['empty-file'] });

  const rng = createRng(7);
  const noise = Buffer.alloc(96 * 1024);
  for (let i = 0; i < noise.length; i++) noise[i] = Math.floor(rng.next() * 256);
  writeFileSync(at('random.mp4'), noise);
  entries.push({ name: 'random bytes .mp4', file: 'random.mp4', expect: ['not-a-video'] });

  // moov at the end (no +faststart), then cut in half: the index is gone.
  await ffmpeg(['-i', base.path, '-c', 'copy', '-movflags', '-faststart', at('moov-end.mp4')]);
  const whole = readFileSync(at('moov-end.mp4'));
  writeFileSync(at('truncated.mp4'), whole.subarray(0, Math.floor(whole.length / 2)));
  rmSync(at('moov-end.mp4'));
  entries.push({
    name: 'truncated mp4 (moov at end, cut in half)',
    file: 'truncated.mp4',
    expect: ['corrupt-media'],
  });

  // Noise over compressed frames: the decoder complains and conceals, the index is intact.
  await ffmpeg(['-i', base.path, '-c', 'copy', at('corrupt-frames.mp4')]);
  damageMiddle(at('corrupt-frames.mp4'), 3);
  entries.push({
    name: 'corrupt frames mid-file',
    file: 'corrupt-frames.mp4',
    expect: ['corrupt-media', 'ffmpeg-failed'],
    orAnswer: true,
    duration: base.duration,
  });

  await ffmpeg(['-i', base.path, '-vn', '-c:a', 'copy', '-f', 'mp4', at('audio-only.mp4')]);
  entries.push({ name: 'audio only', file: 'audio-only.mp4', expect: ['no-video-stream'] });

  await ffmpeg(['-ss', '3', '-i', base.path, '-frames:v', '1', '-f', 'image2', at('still.png')]);
  writeFileSync(at('still.mp4'), readFileSync(at('still.png')));
  rmSync(at('still.png'));
  entries.push({
    name: 'still image renamed .mp4',
    file: 'still.mp4',
    expect: ['not-a-video'],
  });

  await ffmpeg(['-i', base.path, '-t', '2', ...X264, '-c:a', 'aac', at('two-seconds.mp4')]);
  answer('2 s long', 'two-seconds.mp4', 2);

  await ffmpeg(['-i', base.path, '-vf', 'transpose=1', ...X264, '-an', at('portrait.mp4')]);
  answer('portrait (180x320)', 'portrait.mp4', base.duration);

  // Landscape pixels with a 90 degree display matrix, as phones write them.
  await ffmpeg(['-i', base.path, '-c', 'copy', '-metadata:s:v:0', 'rotate=90', at('rotated.mp4')]);
  answer('rotated (display matrix 90)', 'rotated.mp4', base.duration);

  // Variable frame rate: every frame after 4 s keeps a third of them, irregular timestamps.
  await ffmpeg([
    '-i',
    base.path,
    '-vf',
    "select='lt(t,4)+not(mod(n,3))+eq(mod(n,7),1)'",
    '-fps_mode',
    'vfr',
    ...X264,
    '-an',
    at('vfr.mp4'),
  ]);
  answer('variable frame rate', 'vfr.mp4', base.duration);

  await ffmpeg([
    '-i',
    base.path,
    '-vf',
    'scale=320:240,tinterlace=interleave_top,fieldorder=tff',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-flags',
    '+ildct+ilme',
    '-x264opts',
    'tff=1',
    '-pix_fmt',
    'yuv420p',
    '-an',
    at('interlaced.mp4'),
  ]);
  answer('interlaced (tff)', 'interlaced.mp4', base.duration);

  if (hasEncoder('libx265')) {
    await ffmpeg([
      '-i',
      base.path,
      '-c:v',
      'libx265',
      '-preset',
      'ultrafast',
      '-pix_fmt',
      'yuv420p10le',
      '-x265-params',
      'log-level=error',
      '-tag:v',
      'hvc1',
      '-an',
      at('hevc10.mp4'),
    ]);
    answer('10-bit HEVC', 'hevc10.mp4', base.duration);
  } else skipped.push('10-bit HEVC (no libx265)');

  if (hasEncoder('libvpx-vp9')) {
    await ffmpeg([
      '-i',
      base.path,
      '-c:v',
      'libvpx-vp9',
      '-deadline',
      'realtime',
      '-cpu-used',
      '8',
      '-b:v',
      '300k',
      '-c:a',
      'libopus',
      at('vp9.webm'),
    ]);
    answer('VP9/Opus webm', 'vp9.webm', base.duration);
  } else skipped.push('VP9 (no libvpx-vp9)');

  // 4K: a few seconds are enough to prove the scaler and memory cope with 3840x2160.
  await ffmpeg([
    '-i',
    base.path,
    '-t',
    '3',
    '-vf',
    'scale=3840:2160',
    ...X264,
    '-an',
    at('4k.mp4'),
  ]);
  answer('4K (3840x2160)', '4k.mp4', 3);

  // 3 hours, assembled by stream copy (seconds to build): the tail pass must stay bounded.
  const long = await generateLongFeature(
    { durationSec: 3 * 3600, width: 320, height: 180, audio: false, maxrate: '40k' },
    { cacheDir: dir },
  );
  answer('3 hours long (stream-copied)', path.basename(long.path), long.duration);

  const av1 = hasEncoder('libsvtav1')
    ? ['-c:v', 'libsvtav1', '-preset', '12']
    : hasEncoder('libaom-av1')
      ? ['-c:v', 'libaom-av1', '-cpu-used', '8', '-row-mt', '1', '-b:v', '300k']
      : undefined;
  if (av1) {
    await ffmpeg(['-i', base.path, ...av1, '-pix_fmt', 'yuv420p', '-an', at('av1.mp4')]);
    answer('AV1 mp4', 'av1.mp4', base.duration);
  } else skipped.push('AV1 (no libsvtav1/libaom-av1)');

  // HLS with its middle segment gone (served over http by the tests).
  const playlist = await makeHls(base.path, { segmentSec: 2 });
  const hlsDir = at('hls-missing');
  mkdirSync(hlsDir);
  const lines = readFileSync(playlist, 'utf8').split('\n');
  const segments = lines.filter((l) => l.endsWith('.ts'));
  const gone = segments[Math.floor(segments.length / 2)];
  for (const seg of segments) {
    if (seg !== gone)
      writeFileSync(path.join(hlsDir, seg), readFileSync(path.join(path.dirname(playlist), seg)));
  }
  writeFileSync(path.join(hlsDir, 'index.m3u8'), lines.join('\n'));
  return { dir, entries, hlsMissing: 'hls-missing/index.m3u8', skipped };
}
