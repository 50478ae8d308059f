import { mkdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  checkSourceSyntax,
  hostAllowed,
  isPrivateAddress,
  resolveMediaPath,
  resolveSource,
  type SourcePolicy,
} from '../../../server/media/sources.js';
import { type TempMedia, tempMedia } from '../http/fakes.js';

let media: TempMedia | undefined;
let server: Server | undefined;
afterEach(async () => {
  media?.cleanup();
  media = undefined;
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

const policy = (overrides: Partial<SourcePolicy> = {}): SourcePolicy => ({
  mediaRoots: media ? [media.root] : [],
  allowedHosts: ['cdn.example.com'],
  allowPrivateNetworks: false,
  ...overrides,
});

describe('file sources', () => {
  it('resolves paths inside the root and fingerprints them by size and mtime', async () => {
    media = tempMedia();
    const file = media.write('show/e1.mp4', 'abc');
    const first = await resolveSource('show/e1.mp4', policy());
    expect(first).toMatchObject({ kind: 'file', input: file });
    expect(first.fingerprint).toMatch(/^file:3:\d+$/);
    utimesSync(file, new Date(2001, 1, 1), new Date(2001, 1, 1));
    const touched = await resolveSource('show/e1.mp4', policy());
    expect(touched.fingerprint).not.toBe(first.fingerprint);
    writeFileSync(file, 'abcdef');
    expect((await resolveSource('show/e1.mp4', policy())).fingerprint).toMatch(/^file:6:/);
  });

  it.each(['../outside.mp4', 'show/../../outside.mp4', '/etc/passwd', 'a\0b.mp4'])(
    'refuses %j (escapes the media root) before touching the disk',
    async (src) => {
      media = tempMedia();
      writeFileSync(path.join(media.dir, 'outside.mp4'), 'x');
      expect(() => checkSourceSyntax(src, policy())).toThrow(
        expect.objectContaining({ code: 'forbidden-source' }),
      );
      await expect(resolveSource(src, policy())).rejects.toMatchObject({
        code: 'forbidden-source',
      });
    },
  );

  it('accepts an absolute path that lies inside a root', async () => {
    media = tempMedia();
    const file = media.write('abs.mp4');
    expect(await resolveMediaPath(file, [media.root])).toBe(file);
  });

  it('refuses a symlink that points outside the root, allows one that stays inside', async () => {
    media = tempMedia();
    writeFileSync(path.join(media.dir, 'secret.mp4'), 'secret');
    symlinkSync(path.join(media.dir, 'secret.mp4'), path.join(media.root, 'escape.mp4'));
    mkdirSync(path.join(media.root, 'real'));
    media.write('real/ok.mp4');
    symlinkSync(path.join(media.root, 'real'), path.join(media.root, 'alias'));
    await expect(resolveSource('escape.mp4', policy())).rejects.toMatchObject({
      code: 'forbidden-source',
    });
    expect((await resolveSource('alias/ok.mp4', policy())).input).toBe(
      path.join(media.root, 'real', 'ok.mp4'),
    );
  });

  it('reports a missing file as not-found and a folder as not-a-video', async () => {
    media = tempMedia();
    mkdirSync(path.join(media.root, 'folder'));
    await expect(resolveSource('nope.mp4', policy())).rejects.toMatchObject({ code: 'not-found' });
    await expect(resolveSource('folder', policy())).rejects.toMatchObject({ code: 'not-a-video' });
  });
});

describe('URL sources (SSRF guards)', () => {
  it.each([
    ['file:///etc/passwd', 'forbidden-source'],
    ['ftp://cdn.example.com/a.mp4', 'forbidden-source'],
    ['https://evil.example.net/a.mp4', 'forbidden-source'],
    ['http://127.0.0.1/a.mp4', 'forbidden-source'],
    ['http://', 'invalid-input'],
  ])('refuses %s at registration', (src, code) => {
    expect(() =>
      checkSourceSyntax(src, policy({ allowedHosts: ['cdn.example.com', '127.0.0.1'] })),
    ).toThrow(expect.objectContaining({ code }));
  });

  it('refuses allow-listed names that resolve to private or loopback addresses', async () => {
    const lookup = async () => [{ address: '10.1.2.3', family: 4 }];
    await expect(
      resolveSource('https://cdn.example.com/a.mp4', policy(), {
        lookup,
        fetch: () => Promise.reject(new Error('must not fetch')),
      }),
    ).rejects.toMatchObject({ code: 'forbidden-source' });
  });

  it('fingerprints by ETag / Last-Modified / Content-Length, following allowed redirects', async () => {
    server = createServer((req, res) => {
      if (req.url === '/moved') {
        res.writeHead(302, { location: '/video.mp4' }).end();
        return;
      }
      if (req.url === '/away') {
        res.writeHead(301, { location: 'http://evil.example.net/x.mp4' }).end();
        return;
      }
      res
        .writeHead(200, {
          etag: '"v1"',
          'last-modified': 'Tue, 01 Jan 2030 00:00:00 GMT',
          'content-length': '1234',
        })
        .end();
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const loopback = policy({ allowedHosts: ['127.0.0.1'], allowPrivateNetworks: true });
    const resolved = await resolveSource(`http://127.0.0.1:${port}/moved`, loopback);
    expect(resolved).toEqual({
      kind: 'url',
      input: `http://127.0.0.1:${port}/video.mp4`,
      fingerprint: 'url:"v1"|Tue, 01 Jan 2030 00:00:00 GMT|1234',
    });
    await expect(resolveSource(`http://127.0.0.1:${port}/away`, loopback)).rejects.toMatchObject({
      code: 'forbidden-source',
    });
    // Same server, but private networks not explicitly allowed: refused before any request.
    await expect(
      resolveSource(`http://127.0.0.1:${port}/video.mp4`, policy({ allowedHosts: ['127.0.0.1'] })),
    ).rejects.toMatchObject({
      code: 'forbidden-source',
    });
  });
});

describe('isPrivateAddress', () => {
  it.each([
    ['127.0.0.1', true],
    ['10.0.0.8', true],
    ['172.20.1.1', true],
    ['192.168.1.1', true],
    ['169.254.169.254', true],
    ['100.64.0.1', true],
    ['0.0.0.0', true],
    ['::1', true],
    ['fd00::1', true],
    ['fe80::1', true],
    ['::ffff:127.0.0.1', true],
    ['::ffff:7f00:1', true],
    ['8.8.8.8', false],
    ['2606:4700:4700::1111', false],
    ['not-an-ip', true],
  ])('%s -> %s', (address, expected) => {
    expect(isPrivateAddress(address)).toBe(expected);
  });
});

describe('hostAllowed', () => {
  const allowed = ['cdn.example.com', '*.media.example.org', 'video.test:8443'];
  it.each([
    ['https://cdn.example.com/a', true],
    ['https://CDN.example.com:444/a', true],
    ['https://a.media.example.org/a', true],
    ['https://media.example.org/a', false],
    ['https://evilmedia.example.org/a', false],
    ['https://cdn.example.com.evil.net/a', false],
    ['https://video.test:8443/a', true],
    ['https://video.test/a', false],
  ])('%s -> %s', (url, expected) => {
    expect(hostAllowed(new URL(url), allowed)).toBe(expected);
  });
});
