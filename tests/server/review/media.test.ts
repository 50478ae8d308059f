/**
 * Playback for the review page: GET /v1/titles/:id/media-url (admin) signs an address
 * that GET /v1/titles/:id/media answers with the file and byte ranges; a wrong, expired or
 * other title's signature is refused, as are URL sources and vanished files.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { afterAll, describe, expect, it } from 'vitest';
import { adminAuth } from '../../../server/http/middleware/auth.js';
import { parseRange, signedMediaPath } from '../../../server/review/media.js';
import { mountReview } from '../../../server/review/routes.js';

const KEY = 'media-key';
const tmp = mkdtempSync(path.join(tmpdir(), 'endcue-review-media-'));
const media = path.join(tmp, 'media');
mkdirSync(media);
const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));
writeFileSync(path.join(media, 'ep.mp4'), bytes);
const titles: Record<string, string> = {
  ep: 'ep.mp4',
  other: 'ep.mp4',
  missing: 'missing.mp4',
  remote: 'https://cdn.example.com/ep.mp4',
};

const app = new OpenAPIHono();
mountReview(app, {
  titleSrc: async (id) => titles[id],
  policy: { mediaRoots: [media], allowedHosts: ['cdn.example.com'], allowPrivateNetworks: false },
  auth: adminAuth(KEY),
  adminKey: KEY,
  cacheDir: path.join(tmp, 'thumbs'),
});
const admin = { Authorization: `Bearer ${KEY}` };

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function signed(id: string): Promise<string> {
  const res = await app.request(`/v1/titles/${id}/media-url`, { headers: admin });
  expect(res.status).toBe(200);
  return ((await res.json()) as { url: string }).url;
}

describe('review playback', () => {
  it('signs an address only for an admin, and serves the file there with ranges', async () => {
    expect((await app.request('/v1/titles/ep/media-url')).status).toBe(401);
    const url = await signed('ep');
    expect(url).toMatch(/^\/v1\/titles\/ep\/media\?exp=\d+&sig=[0-9a-f]{64}$/);

    const whole = await app.request(url);
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/mp4');
    expect(whole.headers.get('accept-ranges')).toBe('bytes');
    expect(Buffer.from(await whole.arrayBuffer())).toEqual(bytes);

    const part = await app.request(url, { headers: { Range: 'bytes=100-199' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe('bytes 100-199/1000');
    expect(Buffer.from(await part.arrayBuffer())).toEqual(bytes.subarray(100, 200));

    const beyond = await app.request(url, { headers: { Range: 'bytes=5000-' } });
    expect(beyond.status).toBe(416);
    expect(beyond.headers.get('content-range')).toBe('bytes */1000');
  });

  it('refuses a wrong, expired or other title signature', async () => {
    const url = await signed('ep');
    const sig = new URL(url, 'http://x').searchParams.get('sig') as string;
    const tampered = url.replace(
      sig,
      sig.replace(/^./, (c) => (c === '0' ? '1' : '0')),
    );
    const expired = signedMediaPath(KEY, 'ep', Date.now() / 1000 - 7200);
    const otherTitle = url.replace('/titles/ep/', '/titles/other/');
    for (const bad of [tampered, expired, otherTitle, '/v1/titles/ep/media']) {
      const res = await app.request(bad);
      expect({ bad, status: res.status }).toEqual({ bad, status: 403 });
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
  });

  it('answers unknown titles, URL sources and vanished files in the error shape', async () => {
    expect((await app.request('/v1/titles/nope/media-url', { headers: admin })).status).toBe(404);
    const remote = await app.request('/v1/titles/remote/media-url', { headers: admin });
    expect(remote.status).toBe(422);
    expect(((await remote.json()) as { error: { message: string } }).error.message).toMatch(
      /source is a URL/,
    );
    const gone = await app.request(await signed('missing'));
    expect(gone.status).toBe(422);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe('not-found');
  });

  it('parses single byte ranges', () => {
    expect(parseRange(undefined, 10)).toBeNull();
    expect(parseRange('bytes=2-4', 10)).toEqual({ start: 2, end: 4 });
    expect(parseRange('bytes=7-', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=-3', 10)).toEqual({ start: 7, end: 9 });
    expect(parseRange('bytes=5-100', 10)).toEqual({ start: 5, end: 9 });
    expect(parseRange('bytes=10-', 10)).toBe('bad');
    expect(parseRange('bytes=4-2', 10)).toBe('bad');
    expect(parseRange('items=1-2', 10)).toBeNull();
  });
});
