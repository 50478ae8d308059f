/** startServer() over a real socket: the in-process entry point the demo and browser tests use. */
import { afterEach, describe, expect, it } from 'vitest';
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
});
