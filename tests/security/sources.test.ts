/**
 * Property tests (fast-check) for the media source guards: no file path escapes the media
 * roots (`..`, URL-encoded forms, absolute paths, symlinks), and no request reaches a host
 * off the allow-list or a private/loopback address (literal IPs in every spelling, DNS names
 * that resolve to loopback, redirects).
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEndcueError } from '../../server/errors.js';
import {
  isInside,
  isPrivateAddress,
  type LookupAll,
  resolveMediaPath,
  resolveUrl,
  type SourcePolicy,
} from '../../server/media/sources.js';

let dir: string;
let root: string;
let outside: string;

beforeAll(() => {
  dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'endcue-sec-paths-')));
  root = path.join(dir, 'media');
  outside = path.join(dir, 'private');
  mkdirSync(path.join(root, 'show'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(path.join(root, 'a.mp4'), 'a');
  writeFileSync(path.join(root, 'show', 'e1.mp4'), 'e1');
  writeFileSync(path.join(outside, 'secret.mp4'), 'secret');
  // Symlinks out of the root: a directory and a file.
  symlinkSync(outside, path.join(root, 'escape'));
  symlinkSync(path.join(outside, 'secret.mp4'), path.join(root, 'secret-link.mp4'));
  // A symlink that stays inside is fine.
  symlinkSync(path.join(root, 'show'), path.join(root, 'inner'));
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const SEGMENTS = [
  '..',
  '.',
  '',
  'a.mp4',
  'show',
  'e1.mp4',
  'escape',
  'secret.mp4',
  'secret-link.mp4',
  'inner',
  'private',
  '%2e%2e',
  '..%2f',
  '%2e%2e%2f',
  '..\\..',
  '....//',
  'media',
];

describe('file sources stay inside the media roots', () => {
  it('every path resolves inside the real root, or is refused with a clear error', async () => {
    const absolutes = fc.constantFrom('', dir, outside, root, '/etc', '/');
    await fc.assert(
      fc.asyncProperty(
        absolutes,
        fc.array(fc.constantFrom(...SEGMENTS), { minLength: 1, maxLength: 6 }),
        fc.constantFrom('/', '\\', '//'),
        async (prefix, segments, separator) => {
          const src = [prefix, ...segments].filter((s, i) => i > 0 || s).join(separator);
          try {
            const real = await resolveMediaPath(src, [root]);
            expect(isInside(realpathSync(root), real)).toBe(true);
            expect(real).not.toContain('secret');
          } catch (error) {
            expect(isEndcueError(error)).toBe(true);
            expect(['forbidden-source', 'not-found']).toContain((error as { code: string }).code);
          }
        },
      ),
      { numRuns: 400 },
    );
  });

  it('refuses the known escapes by name, and allows an inside symlink', async () => {
    for (const src of [
      '../private/secret.mp4',
      'escape/secret.mp4',
      'secret-link.mp4',
      `${outside}/secret.mp4`,
      'show/../../private/secret.mp4',
    ]) {
      await expect(resolveMediaPath(src, [root]), src).rejects.toMatchObject({
        code: 'forbidden-source',
      });
    }
    await expect(resolveMediaPath('a\0.mp4', [root])).rejects.toMatchObject({
      code: 'forbidden-source',
    });
    // URL-encoded dots are plain file names to a file system: not found, never outside.
    await expect(resolveMediaPath('%2e%2e/private/secret.mp4', [root])).rejects.toMatchObject({
      code: 'not-found',
    });
    expect(await resolveMediaPath('inner/e1.mp4', [root])).toBe(path.join(root, 'show', 'e1.mp4'));
  });
});

// ---------- URLs ----------

const octet = fc.integer({ min: 0, max: 255 });
const privateV4 = fc.oneof(
  fc.tuple(octet, octet, octet).map(([b, c, d]) => `10.${b}.${c}.${d}`),
  fc.tuple(octet, octet, octet).map(([b, c, d]) => `127.${b}.${c}.${d}`),
  fc.tuple(octet, octet).map(([c, d]) => `169.254.${c}.${d}`),
  fc.tuple(fc.integer({ min: 16, max: 31 }), octet, octet).map(([b, c, d]) => `172.${b}.${c}.${d}`),
  fc.tuple(octet, octet).map(([c, d]) => `192.168.${c}.${d}`),
  fc
    .tuple(fc.integer({ min: 64, max: 127 }), octet, octet)
    .map(([b, c, d]) => `100.${b}.${c}.${d}`),
  fc.tuple(octet, octet, octet).map(([b, c, d]) => `0.${b}.${c}.${d}`),
);
const hex4 = fc.integer({ min: 0, max: 0xffff }).map((n) => n.toString(16));
const privateV6 = fc.oneof(
  fc.constant('::1'),
  fc.constant('::'),
  hex4.map((h) => `fe80::${h}`),
  fc
    .tuple(hex4, hex4)
    .map(([a, b]) => `fd${(Number.parseInt(a, 16) & 0xff).toString(16).padStart(2, '0')}::${b}`),
  privateV4.map((v4) => `::ffff:${v4}`),
);
const publicV4 = fc
  .tuple(fc.integer({ min: 1, max: 223 }), octet, octet, octet)
  .map(([a, b, c, d]) => `${a}.${b}.${c}.${d}`)
  .filter((ip) => !isPrivateAddress(ip));

/** Spellings of 127.0.0.1 that URL parsers normalise. */
const LOOPBACK_SPELLINGS = [
  'http://127.1/x.mp4',
  'http://2130706433/x.mp4',
  'http://0x7f.0.0.1/x.mp4',
  'http://0177.0.0.1/x.mp4',
  'http://[::1]/x.mp4',
  'http://[::ffff:127.0.0.1]/x.mp4',
  'http://[0:0:0:0:0:ffff:7f00:1]/x.mp4',
];

describe('URL sources never reach a private or non-allow-listed address', () => {
  it('classifies every private IPv4/IPv6 address as private', () => {
    fc.assert(
      fc.property(fc.oneof(privateV4, privateV6), (ip) => {
        expect(isPrivateAddress(ip)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses loopback however it is spelled, even when the host is allow-listed', async () => {
    const policy: SourcePolicy = {
      mediaRoots: [],
      allowedHosts: ['127.0.0.1', '::1', '[::1]', '2130706433', '127.1', '[::ffff:7f00:1]'],
      allowPrivateNetworks: false,
    };
    const fetched: string[] = [];
    const fakeFetch = (async (url: URL | string) => {
      fetched.push(String(url));
      return new Response(null, { status: 200 });
    }) as typeof fetch;
    for (const src of LOOPBACK_SPELLINGS) {
      await expect(resolveUrl(src, policy, { fetch: fakeFetch }), src).rejects.toMatchObject({
        code: 'forbidden-source',
      });
    }
    expect(fetched).toEqual([]);
  });

  it('follows redirects only to allow-listed hosts that resolve to public addresses', async () => {
    const allowed = ['cdn.example', 'media.example'];
    const host = fc.constantFrom(
      'cdn.example',
      'media.example',
      'evil.example',
      'rebind.example',
      'localhost',
      'cdn.example.evil.test',
      '127.0.0.1',
      '169.254.169.254',
      '[::1]',
    );
    const hop = fc.record({
      scheme: fc.constantFrom('http', 'https', 'file', 'ftp'),
      host,
      path: fc.constantFrom('/a.mp4', '/b.m3u8', '/../etc/passwd', '/%2e%2e/x'),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(hop, { minLength: 1, maxLength: 4 }),
        publicV4,
        async (hops, publicIp) => {
          // DNS: allow-listed names are public, except that 'rebind' and localhost are loopback.
          const lookup: LookupAll = async (name) =>
            name === 'rebind.example' || name === 'localhost'
              ? [{ address: '127.0.0.1', family: 4 }]
              : name === 'media.example'
                ? [
                    { address: publicIp, family: 4 },
                    { address: '::1', family: 6 },
                  ]
                : [{ address: publicIp, family: 4 }];
          const urls = hops.map((h) => `${h.scheme}://${h.host}${h.path}`);
          const fetched: string[] = [];
          let i = 0;
          const fakeFetch = (async (url: URL | string) => {
            fetched.push(String(url));
            const next = urls[++i];
            return next
              ? new Response(null, { status: 302, headers: { location: next } })
              : new Response(null, { status: 200, headers: { 'content-length': '10' } });
          }) as typeof fetch;
          const policy: SourcePolicy = {
            mediaRoots: [],
            allowedHosts: allowed,
            allowPrivateNetworks: false,
          };
          const outcome = await resolveUrl(urls[0] as string, policy, {
            fetch: fakeFetch,
            lookup,
          }).then(
            (resolved) => ({ resolved }),
            (error: unknown) => ({ error }),
          );
          // Every request made went to cdn.example over http(s) (media.example has a loopback
          // address among its answers, so it is refused as a whole).
          for (const url of fetched) {
            const parsed = new URL(url);
            expect(['http:', 'https:']).toContain(parsed.protocol);
            expect(parsed.hostname).toBe('cdn.example');
          }
          if ('resolved' in outcome) {
            expect(new URL(outcome.resolved.input).hostname).toBe('cdn.example');
          } else {
            expect(isEndcueError(outcome.error)).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('HLS playlists are held to the same policy as their URL', () => {
  const policy: SourcePolicy = {
    mediaRoots: [],
    allowedHosts: ['cdn.example'],
    allowPrivateNetworks: false,
  };
  const lookup: LookupAll = async (name) =>
    name === 'cdn.example'
      ? [{ address: '93.184.216.34', family: 4 }]
      : [{ address: '10.0.0.5', family: 4 }];

  function server(files: Record<string, string>) {
    const fetched: string[] = [];
    const fakeFetch = (async (input: URL | string, init?: RequestInit) => {
      const url = new URL(String(input));
      fetched.push(url.href);
      const body = files[url.pathname];
      if (body === undefined) return new Response(null, { status: 404 });
      const headers = { 'content-type': 'application/vnd.apple.mpegurl' };
      return new Response(init?.method === 'HEAD' ? null : body, { status: 200, headers });
    }) as typeof fetch;
    return { fetched, fakeFetch };
  }

  it('refuses a playlist that sends ffmpeg to another host, in any URI position', async () => {
    const elsewhere = fc.constantFrom(
      'http://169.254.169.254/latest/meta-data',
      'http://evil.example/seg.ts',
      'http://127.0.0.1:6379/',
      'file:///etc/passwd',
      'https://cdn.example.evil.test/seg.ts',
    );
    const position = fc.constantFrom('segment', 'key', 'map', 'variant');
    await fc.assert(
      fc.asyncProperty(elsewhere, position, async (target, where) => {
        const lines = ['#EXTM3U', '#EXT-X-TARGETDURATION:2'];
        if (where === 'key') lines.push(`#EXT-X-KEY:METHOD=AES-128,URI="${target}"`);
        if (where === 'map') lines.push(`#EXT-X-MAP:URI="${target}"`);
        if (where === 'variant') lines.push('#EXT-X-STREAM-INF:BANDWIDTH=1', target);
        lines.push('#EXTINF:2,', 'seg0.ts', '#EXTINF:2,', where === 'segment' ? target : 'seg1.ts');
        const { fakeFetch } = server({ '/show/index.m3u8': lines.join('\n') });
        await expect(
          resolveUrl(
            'https://cdn.example/show/index.m3u8',
            policy,
            { fetch: fakeFetch, lookup },
            { checkPlaylists: true },
          ),
        ).rejects.toMatchObject({ code: 'forbidden-source' });
      }),
      { numRuns: 60 },
    );
  });

  it('accepts a master playlist whose variants and segments stay on the allowed host', async () => {
    const { fakeFetch, fetched } = server({
      '/show/master.m3u8': '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nlow/index.m3u8\n',
      '/show/low/index.m3u8': '#EXTM3U\n#EXTINF:2,\nseg0.ts\n#EXTINF:2,\n/show/low/seg1.ts\n',
    });
    const resolved = await resolveUrl(
      'https://cdn.example/show/master.m3u8',
      policy,
      { fetch: fakeFetch, lookup },
      { checkPlaylists: true },
    );
    expect(resolved.input).toBe('https://cdn.example/show/master.m3u8');
    expect(fetched).toContain('https://cdn.example/show/low/index.m3u8');
  });
});
