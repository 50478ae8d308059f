import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { type AddressInfo, connect, createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndcueError } from '../../../server/errors.js';
import { type EgressProxy, startEgressProxy } from '../../../server/media/egress-proxy.js';
import { resolveFfmpeg } from '../../../server/media/ffmpeg.js';
import { sampleFrames } from '../../../server/media/frames.js';
import { probeMedia } from '../../../server/media/probe.js';
import type { SourcePolicy } from '../../../server/media/sources.js';
import { type MediaServer, serveMedia } from '../../fixtures/media-server.js';

const tmp = mkdtempSync(path.join(tmpdir(), 'endcue-egress-'));
const ffmpeg = (args: string[]) => {
  const run = spawnSync(resolveFfmpeg().ffmpeg, ['-v', 'error', '-y', ...args], {
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(run.stderr);
};

// The media server: serves tmp; remembers what was asked of it (served(): the paths).
let media: MediaServer;
let port = 0;
const served = () => media.requests.map((line) => line.slice(line.indexOf(' ') + 1));
let proxy: EgressProxy | undefined;

beforeAll(async () => {
  ffmpeg([
    ...['-f', 'lavfi', '-i', 'testsrc2=d=4:s=160x90:r=10'],
    ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '10'],
    // The index first: ffmpeg needs no seek to read it.
    ...['-movflags', '+faststart'],
    path.join(tmp, 'clip.mp4'),
  ]);
  ffmpeg([
    ...['-i', path.join(tmp, 'clip.mp4'), '-c', 'copy', '-f', 'hls', '-hls_time', '1'],
    ...['-hls_playlist_type', 'vod', '-hls_segment_filename', path.join(tmp, 'seg%d.ts')],
    path.join(tmp, 'index.m3u8'),
  ]);
  media = await serveMedia(tmp);
  port = media.port;
  // A playlist on the allowed host whose segments live on a host the policy does not allow.
  writeFileSync(
    path.join(tmp, 'elsewhere.m3u8'),
    [
      '#EXTM3U',
      '#EXT-X-VERSION:3',
      '#EXT-X-TARGETDURATION:2',
      '#EXT-X-PLAYLIST-TYPE:VOD',
      '#EXTINF:2.0,',
      `http://intranet.test:${port}/seg0.ts`,
      '#EXT-X-ENDLIST',
      '',
    ].join('\n'),
  );
});

afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  media.requests.length = 0;
});

afterAll(async () => {
  await media.close();
  rmSync(tmp, { recursive: true, force: true });
});

/** An absolute-URI request through the proxy: status and body. */
function viaProxy(target: string, method = 'GET'): Promise<{ status: number; body: string }> {
  const { port: proxyPort } = new URL((proxy as EgressProxy).url);
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: Number(proxyPort), path: target, method });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** A CONNECT through the proxy: the status line, and the open socket when it is 200. */
function tunnel(authority: string): Promise<{ status: string; socket: Socket }> {
  const { port: proxyPort } = new URL((proxy as EgressProxy).url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(proxyPort), '127.0.0.1', () => {
      socket.write(`CONNECT ${authority} HTTP/1.1\r\nHost: ${authority}\r\n\r\n`);
    });
    socket.once('data', (chunk: Buffer) => {
      resolve({ status: chunk.toString().split('\r\n')[0] as string, socket });
    });
    socket.on('error', reject);
  });
}

/** Test host names stand for the local media server, as if DNS had answered so (and was checked). */
const testHosts =
  (allowed: string[], refused: string[] = []) =>
  async (url: string) => {
    const { hostname } = new URL(url);
    refused.push(url);
    if (allowed.includes(hostname)) {
      refused.pop();
      return { address: '127.0.0.1' };
    }
    throw new EndcueError('forbidden-source', `Source "${url}" is not on the allow-list`);
  };

const localOnly: SourcePolicy = { mediaRoots: [], allowedHosts: [], allowPrivateNetworks: true };

describe('startEgressProxy', () => {
  it('forwards requests for allowed hosts and refuses the rest (the source policy)', async () => {
    const refusals: string[] = [];
    proxy = await startEgressProxy(
      { ...localOnly, allowedHosts: [`127.0.0.1:${port}`] },
      { onRefused: (target) => refusals.push(target) },
    );
    const ok = await viaProxy(`http://127.0.0.1:${port}/index.m3u8`);
    expect(ok.status).toBe(200);
    expect(ok.body).toContain('#EXTM3U');
    const refused = await viaProxy(`http://localhost:${port}/index.m3u8`);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatch(/allow-list/);
    expect(refusals).toEqual([`http://localhost:${port}/index.m3u8`]);
    expect(served()).toEqual(['/index.m3u8']);
  });

  it('refuses a name that resolves to a private address, without connecting', async () => {
    proxy = await startEgressProxy(
      { mediaRoots: [], allowedHosts: [`media.test:${port}`], allowPrivateNetworks: false },
      { lookup: async () => [{ address: '127.0.0.1', family: 4 }] },
    );
    const answer = await viaProxy(`http://media.test:${port}/clip.mp4`, 'HEAD');
    expect(answer.status).toBe(403);
    expect(served()).toEqual([]);
  });

  it('connects to the address it checked instead of resolving the name again', async () => {
    // media.test resolves nowhere: only the checked address can have reached the server.
    proxy = await startEgressProxy(localOnly, { checkTarget: testHosts(['media.test']) });
    const answer = await viaProxy(`http://media.test:${port}/index.m3u8`);
    expect(answer.status).toBe(200);
    expect(served()).toEqual(['/index.m3u8']);
  });

  it('stops the download behind a request its client gave up (ffmpeg seeks that way)', async () => {
    let upstreamClosedEarly: (value: boolean) => void = () => undefined;
    const closed = new Promise<boolean>((resolve) => {
      upstreamClosedEarly = resolve;
    });
    const endless = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'video/mp4' });
      const timer = setInterval(() => res.write(Buffer.alloc(16_384)), 5);
      res.on('close', () => {
        clearInterval(timer);
        upstreamClosedEarly(!res.writableFinished);
      });
    });
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    const endlessPort = (endless.address() as AddressInfo).port;
    try {
      proxy = await startEgressProxy(localOnly, { checkTarget: testHosts(['media.test']) });
      const { port: proxyPort } = new URL(proxy.url);
      await new Promise<void>((resolve, reject) => {
        const req = request({
          host: '127.0.0.1',
          port: Number(proxyPort),
          path: `http://media.test:${endlessPort}/movie.mp4`,
        });
        req.on('response', (res) => {
          res.once('data', () => {
            req.destroy();
            resolve();
          });
        });
        req.on('error', () => undefined);
        setTimeout(() => reject(new Error('no data through the proxy')), 5000);
        req.end();
      });
      expect(await closed).toBe(true);
    } finally {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });

  it('tunnels CONNECT only to allowed hosts', async () => {
    const echo = createTcpServer((s) => s.pipe(s));
    await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
    const echoPort = (echo.address() as AddressInfo).port;
    try {
      proxy = await startEgressProxy(localOnly, { checkTarget: testHosts(['media.test']) });
      const refused = await tunnel(`intranet.test:${echoPort}`);
      expect(refused.status).toBe('HTTP/1.1 403 Forbidden');
      refused.socket.destroy();
      const open = await tunnel(`media.test:${echoPort}`);
      expect(open.status).toBe('HTTP/1.1 200 Connection Established');
      const echoed = new Promise<string>((resolve) =>
        open.socket.once('data', (c: Buffer) => resolve(c.toString())),
      );
      open.socket.write('hello through the tunnel');
      expect(await echoed).toBe('hello through the tunnel');
      open.socket.destroy();
    } finally {
      await new Promise((resolve) => echo.close(resolve));
    }
  });
});

describe('ffmpeg through the egress proxy', () => {
  it('probes and decodes a URL whose every request the proxy checked', async () => {
    const checked: string[] = [];
    const allow = testHosts(['media.test']);
    proxy = await startEgressProxy(localOnly, {
      checkTarget: (url) => {
        checked.push(url);
        return allow(url);
      },
    });
    const source = `http://media.test:${port}/clip.mp4`;
    const info = await probeMedia(source, { httpProxy: proxy.url });
    expect(info.duration).toBeCloseTo(4, 0);
    const frames = [];
    for await (const frame of sampleFrames(source, {
      width: 32,
      height: 18,
      filter: 'scale=32:18,format=rgb24',
      mode: 'keyframes',
      httpProxy: proxy.url,
    })) {
      frames.push(frame);
    }
    expect(frames.length).toBeGreaterThanOrEqual(3);
    expect(checked.length).toBeGreaterThanOrEqual(2);
    expect(checked.every((url) => url === source)).toBe(true);
  });

  it("holds an HLS playlist's segments to the policy when ffmpeg fetches them", async () => {
    const refused: string[] = [];
    proxy = await startEgressProxy(localOnly, { checkTarget: testHosts(['media.test'], refused) });
    // The playlist's own segments (same host) play...
    const good: number[] = [];
    for await (const frame of sampleFrames(`http://media.test:${port}/index.m3u8`, {
      width: 32,
      height: 18,
      filter: 'scale=32:18,format=rgb24',
      mode: 'keyframes',
      httpProxy: proxy.url,
    })) {
      good.push(frame.t);
    }
    expect(good.length).toBeGreaterThanOrEqual(3);
    expect(served().filter((url) => url.endsWith('.ts')).length).toBeGreaterThanOrEqual(2);
    // ...a segment on another host is never fetched.
    media.requests.length = 0;
    const run = async () => {
      for await (const _ of sampleFrames(`http://media.test:${port}/elsewhere.m3u8`, {
        width: 32,
        height: 18,
        filter: 'scale=32:18,format=rgb24',
        mode: 'keyframes',
        httpProxy: proxy?.url,
        idleTimeoutMs: 10_000,
      })) {
        // no frame is expected
      }
    };
    await expect(run()).rejects.toBeInstanceOf(EndcueError);
    expect(refused).toContain(`http://intranet.test:${port}/seg0.ts`);
    expect(served()).toEqual(['/elsewhere.m3u8']);
  });
});
