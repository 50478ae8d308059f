/**
 * A URL title's media host that stalls must not hold up the player's reads: the known
 * answer is served while the fingerprint is re-measured in the background, and a changed
 * fingerprint found that way is analysed again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type RunningServer, startServer } from '../../server/http/start.js';
import { fakeDetector, type TempMedia, tempMedia, waitFor } from '../server/http/fakes.js';

let media: TempMedia | undefined;
let server: RunningServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
  media?.cleanup();
});

/** A media host whose HEADs answer with `etag`, or hang until aborted while `stalled`. */
function mediaHost() {
  const host = { stalled: false, etag: '"v1"', pending: 0, heads: 0 };
  const fetchFn = (async (_url: URL | string, init?: RequestInit) => {
    host.heads++;
    if (!host.stalled) {
      return new Response(null, {
        status: 200,
        headers: { etag: host.etag, 'content-length': '9' },
      });
    }
    host.pending++;
    return new Promise<Response>((_, reject) => {
      init?.signal?.addEventListener('abort', () => {
        host.pending--;
        reject(init.signal?.reason);
      });
    });
  }) as typeof fetch;
  return { host, fetchFn };
}

async function boot(fetchFn: typeof fetch) {
  media = tempMedia();
  const detector = fakeDetector({ creditsStart: 33 });
  server = await startServer({
    port: 0,
    dataDir: media.dataDir,
    mediaRoots: [media.root],
    allowedHosts: ['cdn.example'],
    fingerprintTtlMs: 0, // re-measure on every ask
    detector,
    logger: false,
    sourceDeps: {
      fetch: fetchFn,
      lookup: async () => [{ address: '93.184.216.34', family: 4 }],
      timeoutMs: 60_000,
    },
    titles: [{ id: 'u', src: 'https://cdn.example/u.m3u8' }],
  });
  const { app } = server;
  const ask = () => app.request('/v1/titles/u/credits');
  await waitFor(async () => ((await ask()).status === 200 ? true : undefined));
  return { ask, detector };
}

describe('a stalled media host', () => {
  it('does not hold up reads of a known answer', async () => {
    const { host, fetchFn } = mediaHost();
    const { ask } = await boot(fetchFn);
    host.stalled = true;
    const response = await ask();
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ creditsStart: 33 });
    // Answered while the host's HEAD still hangs (it would take 60 s to time out).
    expect(host.pending).toBe(1);
    // Many asks meanwhile share that one re-measure.
    const more = await Promise.all(Array.from({ length: 20 }, () => ask()));
    expect(more.every((r) => r.status === 200)).toBe(true);
    expect(host.pending).toBe(1);
  });

  it('still notices changed media: the next ask after the re-measure starts a new analysis', async () => {
    const { host, fetchFn } = mediaHost();
    const { ask, detector } = await boot(fetchFn);
    host.etag = '"v2"';
    expect((await ask()).status).toBe(200); // the known answer, re-measured in the background
    // The changed media is analysed again, queued by that re-measure or by a later ask. The
    // fake detector answers at once, so no ask need ever see it queued (202): count its runs.
    await waitFor(async () => {
      await ask();
      return detector.calls.length >= 2 ? true : undefined;
    });
    expect((await ask()).status).toBe(200);
    expect(detector.calls).toHaveLength(2);
  });
});
