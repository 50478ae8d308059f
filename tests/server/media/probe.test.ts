import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndcueError, type EndcueErrorCode } from '../../../server/errors.js';
import { resolveFfmpeg } from '../../../server/media/ffmpeg.js';
import { parseFfmpegSummary, probeMedia } from '../../../server/media/probe.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'endcue-probe-'));
const file = (name: string) => path.join(tmp, name);

function ffmpeg(args: string[]): void {
  const result = spawnSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', ...args], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${result.stderr}`);
}

const H264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

// A server that accepts connections and never answers: ffprobe would wait forever.
let silent: Server;
let silentUrl = '';

beforeAll(async () => {
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=d=2:s=160x90:r=25'],
    ...['-f', 'lavfi', '-i', 'sine=d=2'],
    ...H264,
    ...['-c:a', 'aac', '-shortest', file('good.mp4')],
  ]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=d=1:s=96x54:r=10', ...H264, '-an', file('silent.mp4')]);
  ffmpeg(['-f', 'lavfi', '-i', 'sine=d=1', '-c:a', 'aac', file('audio.m4a')]);
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc2=s=64x64', '-frames:v', '1', file('still.png')]);
  writeFileSync(file('empty.mp4'), '');
  writeFileSync(file('random.mp4'), noise(8192));
  writeFileSync(file('notes.txt'), 'Credits roll at the end of every episode.\n'.repeat(20));
  // Without -movflags +faststart the index sits at the end: cutting it off leaves an mp4
  // whose header says "video" but which no player can open.
  writeFileSync(file('truncated.mp4'), readFileSync(file('good.mp4')).subarray(0, 20_000));

  silent = createServer(() => {});
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/movie.mp4`;
});

afterAll(async () => {
  silent.closeAllConnections();
  await new Promise((resolve) => silent.close(resolve));
  rmSync(tmp, { recursive: true, force: true });
});

/** Deterministic pseudo-random bytes (a fresh random file could happen to parse as mp3). */
function noise(size: number): Buffer {
  const blocks: Buffer[] = [];
  for (let i = 0; blocks.length * 32 < size; i++) {
    blocks.push(createHash('sha256').update(`endcue-noise-${i}`).digest());
  }
  return Buffer.concat(blocks).subarray(0, size);
}

async function probeError(source: string, options = {}): Promise<EndcueError> {
  const error = await probeMedia(source, options).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EndcueError);
  return error as EndcueError;
}

describe('probeMedia on good input', () => {
  it('reads duration, frame rate, size, codecs and frame count', async () => {
    const info = await probeMedia(file('good.mp4'));
    expect(info.duration).toBeCloseTo(2, 1);
    expect(info.fps).toBe(25);
    expect(info).toMatchObject({
      width: 160,
      height: 90,
      videoCodec: 'h264',
      hasAudio: true,
      audioCodec: 'aac',
      defaultAudio: 0,
      frameCount: 50,
    });
    expect(info.formatName).toContain('mp4');
    expect(info.sizeBytes).toBe(readFileSync(file('good.mp4')).length);
  });

  it('reports a video without audio', async () => {
    const info = await probeMedia(file('silent.mp4'));
    expect(info).toMatchObject({
      hasAudio: false,
      audioCodec: null,
      defaultAudio: null,
      width: 96,
      height: 54,
    });
    expect(info.fps).toBe(10);
    expect(info.frameCount).toBe(10);
  });
});

describe('probeMedia on bad input', () => {
  const cases: Array<[string, string, EndcueErrorCode]> = [
    ['a missing file', 'does-not-exist.mp4', 'not-found'],
    ['a zero-byte file', 'empty.mp4', 'empty-file'],
    ['random bytes', 'random.mp4', 'not-a-video'],
    ['a text file', 'notes.txt', 'not-a-video'],
    ['a still image', 'still.png', 'not-a-video'],
    ['an audio-only file', 'audio.m4a', 'no-video-stream'],
    ['a truncated mp4', 'truncated.mp4', 'corrupt-media'],
  ];
  for (const [what, name, code] of cases) {
    it(`maps ${what} to '${code}', naming the input and saying what to do`, async () => {
      const error = await probeError(file(name));
      expect(error.code).toBe(code);
      expect(error.message).toContain(file(name));
      expect(error.hint?.length ?? 0).toBeGreaterThan(10);
      expect(error.retryable).toBe(false);
    });
  }

  it('maps a directory to not-a-video', async () => {
    expect((await probeError(tmp)).code).toBe('not-a-video');
  });

  it('kills a stalled ffprobe after the timeout', async () => {
    const error = await probeError(silentUrl, { timeoutMs: 400 });
    expect(error.code).toBe('timeout');
    expect(error.message).toContain(silentUrl);
    expect(error.retryable).toBe(true);
  });

  it('stops when the caller aborts', async () => {
    const controller = new AbortController();
    const pending = probeMedia(silentUrl, { signal: controller.signal, timeoutMs: 60_000 });
    setTimeout(() => controller.abort(new Error('user cancelled')), 200);
    await expect(pending).rejects.toThrow('user cancelled');
  });
});

describe('probeMedia when ffprobe crashes', () => {
  // The npm-shipped static ffprobe segfaults on MPEG-TS input (so on HLS): fall back to
  // reading `ffmpeg -i`'s summary.
  it('falls back to ffmpeg and still reports the video', async () => {
    const crashing = file('crashing-ffprobe');
    writeFileSync(crashing, '#!/bin/sh\nkill -SEGV $$\n');
    chmodSync(crashing, 0o755);
    ffmpeg(['-i', file('good.mp4'), '-c', 'copy', '-f', 'mpegts', file('good.ts')]);
    const binaries = { ...resolveFfmpeg(), ffprobe: crashing };
    const info = await probeMedia(file('good.ts'), { binaries });
    expect(info).toMatchObject({
      width: 160,
      height: 90,
      fps: 25,
      videoCodec: 'h264',
      hasAudio: true,
    });
    expect(info.formatName).toBe('mpegts');
    expect(info.duration).toBeCloseTo(2, 1);
    expect(info.frameCount).toBeNull();
    // Bad input keeps its meaning through the fallback.
    const error = await probeError(file('audio.m4a'), { binaries });
    expect(error.code).toBe('no-video-stream');
    expect((await probeError(file('notes.txt'), { binaries })).code).toBe('not-a-video');
  });

  it("parses ffmpeg's input summary", () => {
    const summary = [
      "Input #0, hls, from 'index.m3u8':",
      '  Duration: 01:02:03.50, start: 1.400000, bitrate: N/A',
      '    Stream #0:0: Video: h264 (High) ([27][0][0][0] / 0x001B), yuv420p(progressive), 1920x1080 [SAR 1:1 DAR 16:9], 29.97 fps, 29.97 tbr, 90k tbn',
      '    Stream #0:1(eng): Audio: aac (LC) ([15][0][0][0] / 0x000F), 48000 Hz, stereo, fltp',
      'At least one output file must be specified',
    ].join('\n');
    const parsed = parseFfmpegSummary(summary);
    expect(parsed?.format).toEqual({ format_name: 'hls', duration: String(3723.5) });
    expect(parsed?.streams?.[0]).toMatchObject({
      codec_type: 'video',
      codec_name: 'h264',
      width: 1920,
      height: 1080,
      avg_frame_rate: '29.97',
    });
    expect(parsed?.streams?.[1]).toMatchObject({ codec_type: 'audio', codec_name: 'aac' });
    // A second audio track marked default: the one a player plays.
    const dubbed = parseFfmpegSummary(
      `${summary}\n    Stream #0:2(spa): Audio: aac (LC), 48000 Hz, stereo, fltp (default)`,
    );
    expect(dubbed?.streams?.map((s) => s.disposition?.default)).toEqual([undefined, 0, 1]);
    expect(parseFfmpegSummary('x.bin: Invalid data found when processing input')).toBeNull();
  });
});
