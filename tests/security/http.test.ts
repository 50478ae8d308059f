/**
 * The HTTP surface: admin routes refuse missing or wrong keys (and change nothing), ids
 * are validated, oversized bodies are refused (declared or chunked), and every API answer
 * carries `X-Content-Type-Options: nosniff`. Property-based with fast-check.
 */

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../server/http/start.js';
import { fakeDetector } from '../server/http/fakes.js';

const KEY = 'correct-horse-battery-staple-0123456789';
const MAX_BODY = 4096;
let dir: string;
let server: RunningServer;
let outside: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'endcue-sec-http-'));
  const media = path.join(dir, 'media');
  outside = path.join(dir, 'outside.mp4');
  mkdirSync(media);
  writeFileSync(path.join(media, 'a.mp4'), 'a');
  writeFileSync(outside, 'secret');
  server = await startServer({
    port: 0,
    dataDir: path.join(dir, 'data'),
    mediaRoots: [media],
    adminKey: KEY,
    maxBodyBytes: MAX_BODY,
    enqueueRatePerMinute: 100_000,
    detector: fakeDetector(),
    logger: false,
    titles: [{ id: 'a', src: 'a.mp4' }],
  });
});

afterAll(async () => {
  await server?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const ADMIN_ROUTES: [string, string, unknown][] = [
  ['PUT', '/v1/titles/new1', { src: 'a.mp4' }],
  ['DELETE', '/v1/titles/a', undefined],
  ['POST', '/v1/titles/a/analyze', undefined],
  ['PUT', '/v1/titles/a/credits', { creditsStart: 1, creditsEnd: 2 }],
  ['DELETE', '/v1/titles/a/credits', undefined],
  ['GET', '/v1/jobs', undefined],
];

function send(method: string, url: string, body: unknown, headers: Record<string, string> = {}) {
  return server.app.request(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

describe('admin routes', () => {
  it('refuse every missing, malformed or wrong key with 401/403, changing nothing', async () => {
    const header = fc.oneof(
      fc.constant(undefined),
      fc.string(),
      fc.string().map((s) => `Bearer ${s}`),
      fc.constantFrom(
        `Bearer ${KEY.slice(0, -1)}`,
        `Bearer ${KEY}x`,
        `Bearer ${KEY.toUpperCase()}`,
        `Basic ${KEY}`,
        KEY,
        `Bearer  ${KEY} extra`,
        `Bearer ${KEY.slice(0, 8)}`,
      ),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ADMIN_ROUTES),
        header,
        async ([method, url, body], auth) => {
          fc.pre(auth === undefined || !new RegExp(`^Bearer\\s+${KEY}\\s*$`, 'i').test(auth));
          const response = await send(
            method,
            url,
            body,
            auth === undefined ? {} : { authorization: auth },
          );
          expect([401, 403]).toContain(response.status);
          expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        },
      ),
      { numRuns: 300 },
    );
    // Nothing changed: no new title, 'a' still there, no override.
    expect(await server.store.getTitle('new1')).toBeUndefined();
    expect(await server.store.getTitle('a')).toBeDefined();
    expect(await server.store.getOverride('a')).toBeUndefined();
    // And the right key works (the refusals above were about the key).
    expect(
      (await send('GET', '/v1/jobs', undefined, { authorization: `Bearer ${KEY}` })).status,
    ).toBe(200);
  });

  it('refuse a src outside the media roots or off the allow-list, even with the key', async () => {
    for (const src of [
      '../outside.mp4',
      outside,
      'http://127.0.0.1/x.mp4',
      'file:///etc/passwd',
      'http://evil.example/x.mp4',
    ]) {
      const response = await send(
        'PUT',
        '/v1/titles/bad',
        { src },
        { authorization: `Bearer ${KEY}` },
      );
      expect(response.status, src).toBe(400);
    }
    expect(await server.store.getTitle('bad')).toBeUndefined();
  });
});

describe('ids', () => {
  it('any id off ^[A-Za-z0-9._-]{1,128}$ is a 400; none is ever a 500', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ minLength: 1, maxLength: 200, unit: 'binary' }), async (id) => {
        const response = await server.app.request(`/v1/titles/${encodeURIComponent(id)}/credits`);
        expect(response.status).toBeLessThan(500);
        if (!/^[A-Za-z0-9._-]{1,128}$/.test(id)) expect([400, 404]).toContain(response.status);
        expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      }),
      { numRuns: 300 },
    );
  });
});

/** A raw request over the socket, so the body can be chunked with no Content-Length. */
function raw(method: string, url: string, chunks: Buffer[], headers: Record<string, string>) {
  return new Promise<number>((resolve, reject) => {
    const req = httpRequest(`${server.url}${url}`, { method, headers }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      // The server may close the socket once it has refused: that is a refusal too.
      error.code === 'ECONNRESET' || error.code === 'EPIPE' ? resolve(413) : reject(error),
    );
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('request bodies', () => {
  it('refuses bodies over the limit with 413, declared or chunked, and accepts ones under it', async () => {
    const auth = { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' };
    const big = Buffer.from(JSON.stringify({ src: 'a.mp4', title: 'x'.repeat(MAX_BODY * 4) }));
    expect(
      await raw('PUT', '/v1/titles/big', [big], { ...auth, 'content-length': String(big.length) }),
    ).toBe(413);
    const pieces = Array.from({ length: 16 }, (_, i) =>
      big.subarray(i * (big.length / 16), (i + 1) * (big.length / 16)),
    );
    expect(
      await raw('PUT', '/v1/titles/big', pieces, { ...auth, 'transfer-encoding': 'chunked' }),
    ).toBe(413);
    // Without the key, an oversized body is refused too (413 or 401, never processed).
    expect([401, 413]).toContain(
      await raw('PUT', '/v1/titles/big', [big], {
        'content-type': 'application/json',
        'content-length': String(big.length),
      }),
    );
    expect(await server.store.getTitle('big')).toBeUndefined();
    const small = Buffer.from(JSON.stringify({ src: 'a.mp4', title: 'fits' }));
    expect(
      await raw('PUT', '/v1/titles/small', [small], {
        ...auth,
        'content-length': String(small.length),
      }),
    ).toBe(201);
  });
});

describe('headers', () => {
  it('every API answer, any route and status, says nosniff', async () => {
    const paths = fc.constantFrom(
      '/v1/titles/a/credits',
      '/v1/titles/a/credits.vtt',
      '/v1/titles/nope/credits',
      '/v1/titles/a',
      '/v1/jobs',
      '/healthz',
      '/metrics',
      '/openapi.json',
      '/no/such/route',
    );
    await fc.assert(
      fc.asyncProperty(
        paths,
        fc.constantFrom('GET', 'HEAD', 'OPTIONS', 'POST'),
        async (url, method) => {
          const response = await fetch(`${server.url}${url}`, { method });
          await response.arrayBuffer();
          expect(response.headers.get('x-content-type-options')).toBe('nosniff');
        },
      ),
      { numRuns: 60 },
    );
  });
});
