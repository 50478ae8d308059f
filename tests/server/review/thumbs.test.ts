/**
 * The review page's thumbnails (issue 21): GET /v1/titles/:id/thumbs/:t.jpg makes a 240 px
 * JPEG with ffmpeg on demand, keeps it in a bounded disk cache, and answers bad input in
 * the API's error shape. The cache on its own: size cap, least recently used out first.
 */
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  unlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminAuth } from '../../../server/http/middleware/auth.js';
import { resolveFfmpeg } from '../../../server/media/ffmpeg.js';
import { mountReview } from '../../../server/review/routes.js';
import { ThumbCache } from '../../../server/review/thumb-cache.js';
import { parseThumbTime } from '../../../server/review/thumbs.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'endcue-thumbs-'));
const media = path.join(tmp, 'media');
const KEY = 'review-key';

function ffmpeg(args: string[]): void {
  const result = spawnSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', ...args], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`ffmpeg ${args.join(' ')}: ${result.stderr}`);
}

/** Width and height from a baseline or progressive JPEG's SOF marker. */
function jpegSize(data: Uint8Array): { width: number; height: number } {
  expect([data[0], data[1]]).toEqual([0xff, 0xd8]);
  let at = 2;
  while (at < data.length) {
    const marker = data[at + 1] as number;
    const length = ((data[at + 2] as number) << 8) | (data[at + 3] as number);
    if (marker >= 0xc0 && marker <= 0xc2) {
      return {
        height: ((data[at + 5] as number) << 8) | (data[at + 6] as number),
        width: ((data[at + 7] as number) << 8) | (data[at + 8] as number),
      };
    }
    at += 2 + length;
  }
  throw new Error('no SOF marker');
}

const titles: Record<string, string> = {
  clip: 'clip.mp4',
  gone: 'gone.mp4',
  garbage: 'garbage.mp4',
  remote: 'https://cdn.example.com/clip.mp4',
};

function reviewApp(cacheDir: string, cacheBytes?: number) {
  const app = new OpenAPIHono();
  const { cache } = mountReview(app, {
    titleSrc: async (id) => titles[id],
    policy: { mediaRoots: [media], allowedHosts: ['cdn.example.com'], allowPrivateNetworks: false },
    sourceDeps: {
      lookup: async () => [{ address: '93.184.216.34', family: 4 }],
      fetch: async () => new Response('x', { status: 200, headers: { 'content-length': '1' } }),
    },
    auth: adminAuth(KEY),
    cacheDir,
    ...(cacheBytes !== undefined ? { cacheBytes } : {}),
  });
  const get = (url: string, key: string | null = KEY) =>
    app.request(url, key ? { headers: { Authorization: `Bearer ${key}` } } : {});
  return { app, cache, get };
}

beforeAll(() => {
  spawnSync('mkdir', ['-p', media]);
  // 12 s, 320x180, a new picture every frame (testsrc2 moves), keyframe every 2 s.
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=d=12:s=320x180:r=10'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '20'],
    path.join(media, 'clip.mp4'),
  ]);
  writeFileSync(path.join(media, 'gone.mp4'), '');
  unlinkSync(path.join(media, 'gone.mp4'));
  writeFileSync(path.join(media, 'garbage.mp4'), Buffer.alloc(50_000, 7));
});

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('parseThumbTime', () => {
  it('reads seconds to 0.1 s and refuses anything else', () => {
    expect(parseThumbTime('754.46')).toBe(754.5);
    expect(parseThumbTime('3')).toBe(3);
    for (const bad of ['-1', '1e3', '', '.5', '1.2345', 'abc', '1234567']) {
      expect(parseThumbTime(bad)).toBeUndefined();
    }
  });
});

describe('GET /v1/titles/:id/thumbs/:t.jpg', () => {
  const cacheDir = path.join(tmp, 'cache-route');
  const { get, cache } = reviewApp(cacheDir);

  it('needs the admin key', async () => {
    const res = await get('/v1/titles/clip/thumbs/5.jpg', null);
    expect(res.status).toBe(401);
    expect((await res.json()).error.code).toBe('unauthorized');
    expect((await get('/v1/titles/clip/thumbs/5.jpg', 'wrong')).status).toBe(403);
  });

  it('answers a 240 px wide JPEG, made once and then served from the cache', async () => {
    const res = await get('/v1/titles/clip/thumbs/5.jpg');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('image/jpeg');
    const first = new Uint8Array(await res.arrayBuffer());
    expect(jpegSize(first)).toEqual({ width: 240, height: 136 });
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.jpg'))).toHaveLength(1);
    const sizeAfterOne = cache.size;
    expect(sizeAfterOne).toBe(first.length);

    const again = new Uint8Array(await (await get('/v1/titles/clip/thumbs/5.0.jpg')).arrayBuffer());
    expect(again).toEqual(first);
    expect(cache.size).toBe(sizeAfterOne);

    // Another time is another picture (testsrc2 moves).
    const later = new Uint8Array(await (await get('/v1/titles/clip/thumbs/9.jpg')).arrayBuffer());
    expect(later).not.toEqual(first);
    expect(readdirSync(cacheDir).filter((f) => f.endsWith('.jpg'))).toHaveLength(2);
  });

  it('answers bad input in the error shape', async () => {
    const cases: Array<[string, number, string, RegExp]> = [
      ['/v1/titles/nope/thumbs/5.jpg', 404, 'not-found', /No title with id nope/],
      ['/v1/titles/clip/thumbs/5.png', 400, 'invalid-input', /Invalid time/],
      ['/v1/titles/clip/thumbs/abc.jpg', 400, 'invalid-input', /Invalid time/],
      [
        '/v1/titles/clip/thumbs/60.jpg',
        400,
        'invalid-input',
        /past the end of the video \(12\.0 s\)/,
      ],
      ['/v1/titles/gone/thumbs/5.jpg', 422, 'not-found', /gone\.mp4.*not found/],
      ['/v1/titles/garbage/thumbs/5.jpg', 422, 'not-a-video', /./],
      // No egress proxy here (the server passes its own): ffmpeg does not read URLs unchecked.
      ['/v1/titles/remote/thumbs/5.jpg', 422, 'forbidden-source', /egress check/],
    ];
    for (const [url, status, code, message] of cases) {
      const res = await get(url);
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect({ url, status: res.status, code: body.error.code }).toEqual({ url, status, code });
      expect(body.error.message).toMatch(message);
    }
  });

  it('serves the page and its files, and nothing else under /review', async () => {
    const page = await get('/review', null);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(await page.text()).toContain('<script src="/review/review.js"');
    expect((await get('/review/review.js', null)).headers.get('content-type')).toContain(
      'javascript',
    );
    expect((await get('/review/review.css', null)).status).toBe(200);
    expect((await get('/review/..%2Fthumbs.ts', null)).status).toBe(404);
  });
});

describe('ThumbCache', () => {
  const write = (bytes: number) => async (file: string) => writeFileSync(file, Buffer.alloc(bytes));

  it('keeps at most maxBytes, dropping the least recently used first', async () => {
    const dir = path.join(tmp, 'cache-cap');
    const cache = new ThumbCache({ dir, maxBytes: 250 });
    await cache.get('a', write(100));
    await cache.get('b', write(100));
    await cache.get('a', write(999)); // a hit: 'a' is now the most recent, not re-rendered
    expect(cache.size).toBe(200);
    await cache.get('c', write(100)); // 300 > 250: 'b' goes
    expect([cache.has('a'), cache.has('b'), cache.has('c')]).toEqual([true, false, true]);
    expect(existsSync(path.join(dir, 'b.jpg'))).toBe(false);
    expect(cache.size).toBe(200);
    expect(readdirSync(dir).sort()).toEqual(['a.jpg', 'c.jpg']);
  });

  it('touches no disk until used (a read-only data dir does not stop a server)', async () => {
    const dir = path.join(tmp, 'cache-lazy', 'thumbs');
    const cache = new ThumbCache({ dir });
    expect(existsSync(path.dirname(dir))).toBe(false);
    expect(cache.size).toBe(0);
    await cache.get('first', write(10));
    expect(readdirSync(dir)).toEqual(['first.jpg']);
  });

  it('adopts the files it finds at start, oldest first out', async () => {
    const dir = path.join(tmp, 'cache-adopt');
    const first = new ThumbCache({ dir, maxBytes: 1000 });
    await first.get('old', write(100));
    await first.get('new', write(100));
    utimesSync(path.join(dir, 'old.jpg'), new Date(1_000_000), new Date(1_000_000));
    const second = new ThumbCache({ dir, maxBytes: 250 });
    expect(second.size).toBe(200);
    await second.get('more', write(100));
    expect([second.has('old'), second.has('new'), second.has('more')]).toEqual([false, true, true]);
  });

  it('renders a key once for concurrent asks, and keeps nothing from a failed render', async () => {
    const dir = path.join(tmp, 'cache-concurrent');
    const cache = new ThumbCache({ dir });
    let renders = 0;
    const slow = async (file: string) => {
      renders++;
      await new Promise((resolve) => setImmediate(resolve));
      writeFileSync(file, 'x');
    };
    await Promise.all([cache.get('k', slow), cache.get('k', slow), cache.get('k', slow)]);
    expect(renders).toBe(1);
    await expect(
      cache.get('bad', async (file) => {
        writeFileSync(file, 'half');
        throw new Error('ffmpeg died');
      }),
    ).rejects.toThrow('ffmpeg died');
    expect(cache.has('bad')).toBe(false);
    expect(readdirSync(dir)).toEqual(['k.jpg']);
    await expect(cache.get('../escape', slow)).rejects.toThrow(/bad thumbnail cache key/);
  });
});
