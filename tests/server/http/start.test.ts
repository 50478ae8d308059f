/** startServer() over a real socket: the in-process entry point the demo and browser tests use. */
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EndcueError } from '../../../server/errors.js';
import { type RunningServer, startServer } from '../../../server/http/start.js';
import { fakeDetector, type TempMedia, tempMedia, waitFor } from './fakes.js';

let media: TempMedia;
let server: RunningServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  media?.cleanup();
});

describe('startServer', () => {
  it('listens on a free port, queues, then serves the detected credits with the next episode', async () => {
    media = tempMedia();
    media.write('show/e1.mp4');
    media.write('show/e2.mp4');
    const detector = fakeDetector({ creditsStart: 42 });
    server = await startServer({
      port: 0,
      dataDir: media.dataDir,
      mediaRoots: [media.root],
      detector,
      logger: false,
      titles: [
        { id: 'e1', src: 'show/e1.mp4', series: 'show', episode: 1 },
        { id: 'e2', src: 'show/e2.mp4', series: 'show', episode: 2, title: 'Two' },
      ],
    });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const first = await fetch(`${server.url}/v1/titles/e1/credits`);
    expect(first.status).toBe(202);
    expect(Number(first.headers.get('retry-after'))).toBeGreaterThan(0);
    const url = server.url;
    const body = await waitFor(async () => {
      const response = await fetch(`${url}/v1/titles/e1/credits`);
      return response.status === 200 ? response.json() : undefined;
    });
    expect(body).toMatchObject({
      titleId: 'e1',
      creditsStart: 42,
      source: 'detected',
      modelVersion: 'fake-1',
      next: { titleId: 'e2', src: 'show/e2.mp4', title: 'Two' },
    });
    expect(detector.calls).toHaveLength(1);
  });

  it('close() is graceful and idempotent: the port stops answering', async () => {
    media = tempMedia();
    server = await startServer({
      port: 0,
      dataDir: media.dataDir,
      mediaRoots: [media.root],
      detector: fakeDetector(),
      logger: false,
    });
    const { url } = server;
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await Promise.all([server.close(), server.close()]);
    server = undefined;
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('forgets environment failures on restart (the setup was fixed) but keeps media failures', async () => {
    media = tempMedia();
    media.write('good.mp4');
    media.write('bad.mp4');
    const titles = [
      { id: 'good', src: 'good.mp4' },
      { id: 'bad', src: 'bad.mp4' },
    ];
    const options = {
      port: 0,
      dataDir: media.dataDir,
      mediaRoots: [media.root],
      logger: false as const,
      titles,
    };
    const mediaError = new EndcueError('not-a-video', 'bad.mp4 is not a video', { hint: 'x' });
    const broken = fakeDetector({
      error: new EndcueError('model-missing', 'No model at model/credits-classifier', {
        hint: 'Run endcue train.',
      }),
    });
    server = await startServer({
      ...options,
      detector: async (source, opts) => {
        if (source.endsWith('bad.mp4')) throw mediaError;
        return broken(source, opts);
      },
    });
    const failedWith = async (url: string, id: string) => {
      expect((await fetch(`${url}/v1/titles/${id}/credits`)).status).toBe(202);
      return waitFor(async () => {
        const response = await fetch(`${url}/v1/titles/${id}/credits`);
        if (response.status !== 422) return undefined;
        return ((await response.json()) as { error: { code: string } }).error.code;
      });
    };
    // While broken the API says why (a stored failure), not an endless 202.
    expect(await failedWith(server.url, 'good')).toBe('model-missing');
    expect(await failedWith(server.url, 'bad')).toBe('not-a-video');
    expect((await fetch(`${server.url}/v1/titles/good/credits`)).status).toBe(422);
    await server.close();

    const fixed = fakeDetector({ creditsStart: 42 });
    server = await startServer({ ...options, detector: fixed });
    const url = server.url;
    expect((await fetch(`${url}/v1/titles/good/credits`)).status).toBe(202);
    const body = await waitFor(async () => {
      const response = await fetch(`${url}/v1/titles/good/credits`);
      return response.status === 200 ? response.json() : undefined;
    });
    expect(body).toMatchObject({ titleId: 'good', creditsStart: 42, source: 'detected' });
    // The media's own failure is still its answer: no re-analysis of a file that is not a video.
    expect((await fetch(`${url}/v1/titles/bad/credits`)).status).toBe(422);
    expect(fixed.calls).toEqual([path.join(media.root, 'good.mp4')]);
  });
});
