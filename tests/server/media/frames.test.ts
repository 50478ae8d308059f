import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEndcueError } from '../../../server/errors.js';
import { resolveFfmpeg } from '../../../server/media/ffmpeg.js';
import {
  collectFrames,
  inputOptionsFor,
  outputOptionsFor,
  sampleFrames,
  sampleFramesOffThread,
} from '../../../server/media/frames.js';

const DIR = path.resolve('.cache/test-frames');
/** 2 s red then 2 s blue, 24 fps, a keyframe every 12 frames (0.5 s). */
const CLIP = path.join(DIR, 'red-blue.mp4');
const SIZE = 16;
// The filter the classifier's preprocessing uses has the same shape (scale + rgb24).
const FILTER = `scale=${SIZE}:${SIZE}:flags=area,setsar=1,format=rgb24`;
const base = { width: SIZE, height: SIZE, filter: FILTER };

beforeAll(() => {
  mkdirSync(DIR, { recursive: true });
  const { ffmpeg } = resolveFfmpeg();
  const made = spawnSync(
    ffmpeg,
    [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'color=c=red:s=320x180:r=24:d=2',
      '-f',
      'lavfi',
      '-i',
      'color=c=blue:s=320x180:r=24:d=2',
      '-filter_complex',
      '[0:v][1:v]concat=n=2:v=1[v]',
      '-map',
      '[v]',
      '-c:v',
      'libx264',
      '-preset',
      'ultrafast',
      '-g',
      '12',
      '-keyint_min',
      '12',
      '-sc_threshold',
      '0',
      '-pix_fmt',
      'yuv420p',
      CLIP,
    ],
    { encoding: 'utf8' },
  );
  if (made.status !== 0) throw new Error(`could not make the test clip: ${made.stderr}`);
  writeFileSync(path.join(DIR, 'notes.mp4'), 'these are not video bytes\n'.repeat(50));
});

/** Red or blue, from the middle pixel of an rgb24 frame. */
function colourOf(data: Uint8Array): 'red' | 'blue' | 'other' {
  const i = ((SIZE / 2) * SIZE + SIZE / 2) * 3;
  const [r, g, b] = [data[i] as number, data[i + 1] as number, data[i + 2] as number];
  if (r > 180 && g < 60 && b < 60) return 'red';
  if (b > 180 && r < 60 && g < 60) return 'blue';
  return 'other';
}

describe('sampleFrames', () => {
  it('decodes only keyframes, each with its own time and the right size', async () => {
    const frames = await collectFrames(CLIP, { ...base, mode: 'keyframes' });
    expect(frames.map((f) => f.t)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
    for (const f of frames) {
      expect(f.data.length).toBe(SIZE * SIZE * 3);
      expect(colourOf(f.data)).toBe(f.t < 2 ? 'red' : 'blue');
    }
  });

  it('keeps keyframes inside the requested range', async () => {
    const frames = await collectFrames(CLIP, { ...base, mode: 'keyframes', start: 1.2, end: 3.1 });
    expect(frames.map((f) => f.t)).toEqual([1.5, 2, 2.5, 3]);
  });

  it('samples at a fixed rate from an accurate seek, with times matching the picture', async () => {
    const frames = await collectFrames(CLIP, {
      ...base,
      mode: 'rate',
      rate: 8,
      start: 1.5,
      end: 2.5,
    });
    expect(frames.length).toBeGreaterThanOrEqual(7);
    expect(frames.length).toBeLessThanOrEqual(9);
    expect(frames[0]?.t).toBeCloseTo(1.5, 2);
    for (const f of frames) {
      // The cut is at exactly 2.0 s; allow one frame (1/24 s) either side of it.
      if (Math.abs(f.t - 2) > 1 / 24)
        expect(colourOf(f.data), `t=${f.t}`).toBe(f.t < 2 ? 'red' : 'blue');
    }
  });

  it('stops ffmpeg when the consumer stops early', async () => {
    let seen = 0;
    for await (const _ of sampleFrames(CLIP, { ...base, mode: 'rate', rate: 24 })) {
      seen++;
      if (seen === 3) break;
    }
    expect(seen).toBe(3);
  });

  it('rejects with the abort reason when aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('user cancelled');
    const run = (async () => {
      for await (const _ of sampleFrames(CLIP, {
        ...base,
        mode: 'rate',
        rate: 24,
        signal: controller.signal,
      })) {
        controller.abort(reason);
      }
    })();
    await expect(run).rejects.toBe(reason);
  });

  it('fails with an EndcueError naming the input when ffmpeg cannot read it', async () => {
    const notes = path.join(DIR, 'notes.mp4');
    const error = await collectFrames(notes, { ...base, mode: 'keyframes' }).catch((e) => e);
    expect(isEndcueError(error)).toBe(true);
    expect(error.code).toBe('ffmpeg-failed');
    expect(error.message).toContain(notes);
  });

  describe('a source that never answers', () => {
    let server: Server;
    const sockets: Socket[] = [];
    let url = '';
    beforeAll(async () => {
      // Accepts connections and never sends a byte: ffmpeg would wait for a long time.
      server = createServer((socket) => {
        sockets.push(socket);
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const address = server.address();
      if (address === null || typeof address === 'string') throw new Error('no port');
      url = `http://127.0.0.1:${address.port}/stalled.mp4`;
    });
    afterAll(async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('times out instead of hanging', async () => {
      const error = await collectFrames(url, {
        ...base,
        mode: 'keyframes',
        idleTimeoutMs: 1500,
      }).catch((e) => e);
      expect(isEndcueError(error)).toBe(true);
      expect(error.code).toBe('timeout');
      expect(error.message).toContain(url);
    });
  });

  it('builds keyframe-only, passthrough, network-safe ffmpeg options', () => {
    const input = inputOptionsFor('https://example.test/a.m3u8', {
      ...base,
      mode: 'keyframes',
      start: 12.5,
    });
    expect(input).toEqual(expect.arrayContaining(['-skip_frame', 'nokey', '-rw_timeout']));
    expect(input.slice(input.indexOf('-ss'), input.indexOf('-ss') + 2)).toEqual(['-ss', '12.500']);
    const output = outputOptionsFor({ ...base, mode: 'keyframes', start: 12.5, end: 20 });
    const filter = output[output.indexOf('-vf') + 1];
    expect(filter).toBe(`${FILTER},showinfo`);
    expect(output).toEqual(expect.arrayContaining(['-t', '7.500', 'rawvideo', 'rgb24']));
    expect(output.some((a) => a === '-fps_mode' || a === '-vsync')).toBe(true);
    const local = inputOptionsFor('/videos/a.mp4', { ...base, mode: 'rate', rate: 2 });
    expect(local).not.toContain('-skip_frame');
    expect(local).not.toContain('-rw_timeout');
    expect(outputOptionsFor({ ...base, mode: 'rate', rate: 2 }).join(' ')).toContain('fps=2,');
  });
});

describe('sampleFramesOffThread', () => {
  it('gives the same frames as sampleFrames, using the ffmpeg this process already verified', async () => {
    resolveFfmpeg();
    // A worker that looked for ffmpeg again would now fail on this broken path.
    const saved = process.env.FFMPEG_PATH;
    process.env.FFMPEG_PATH = path.join(DIR, 'no-such-ffmpeg');
    try {
      const frames: Array<{ t: number; colour: string }> = [];
      for await (const f of sampleFramesOffThread(CLIP, { ...base, mode: 'keyframes' })) {
        frames.push({ t: f.t, colour: colourOf(f.data) });
      }
      expect(frames.map((f) => f.t)).toEqual([0, 0.5, 1, 1.5, 2, 2.5, 3, 3.5]);
      expect(frames.map((f) => f.colour)).toEqual(frames.map((f) => (f.t < 2 ? 'red' : 'blue')));
    } finally {
      if (saved === undefined) delete process.env.FFMPEG_PATH;
      else process.env.FFMPEG_PATH = saved;
    }
  });
});
