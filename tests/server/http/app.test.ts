/**
 * Every route and status of issue 5, once through app.request() (no socket) and once over
 * a real socket, plus the acceptance scenarios: single-flight, restart, overrides,
 * fingerprint/model changes, traversal/SSRF/auth rejections. Fake detector only.
 */
import { writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { EndcueError } from '../../../server/errors.js';
import { type RunningServer, type StartOptions, startServer } from '../../../server/http/start.js';
import { type FakeDetector, fakeDetector, type TempMedia, tempMedia, waitFor } from './fakes.js';

const KEY = 'test-admin-key';
let media: TempMedia;
const servers: RunningServer[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.close();
  media?.cleanup();
});

async function boot(options: StartOptions = {}, reuse?: TempMedia): Promise<RunningServer> {
  if (!reuse) {
    media = tempMedia();
    media.write('show/e1.mp4', 'episode one');
    media.write('show/e2.mp4', 'episode two');
    media.write('film.mp4', 'a film');
  }
  const server = await startServer({
    port: 0,
    dataDir: media.dataDir,
    mediaRoots: [media.root],
    logger: false,
    adminKey: KEY,
    fingerprintTtlMs: 0,
    analyzeSeason: fakeSeason,
    titles: [
      { id: 'e1', src: 'show/e1.mp4', series: 'show', season: 1, episode: 1, title: 'One' },
      { id: 'e2', src: 'show/e2.mp4', series: 'show', season: 1, episode: 2, title: 'Two' },
      { id: 'film', src: 'film.mp4' },
    ],
    ...options,
  });
  servers.push(server);
  return server;
}

/** The season analysis, faked: every episode's intro at 10-40 s (the real one needs real audio). */
const fakeSeason: StartOptions['analyzeSeason'] = async (episodes) =>
  episodes.map(() => ({
    intro: { start: 10, end: 40, confidence: 1 },
    introReason: null,
    closing: null,
    closingReason: null,
    speed: 1,
  }));

type Call = (path: string, init?: RequestInit) => Promise<Response>;
const viaApp =
  (server: RunningServer): Call =>
  async (path, init) =>
    server.app.request(path, init);
const viaSocket =
  (server: RunningServer): Call =>
  (path, init) =>
    fetch(`${server.url}${path}`, init);

const admin = (init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: {
    authorization: `Bearer ${KEY}`,
    'content-type': 'application/json',
    ...(init.headers ?? {}),
  },
});
const json = (method: string, body: unknown): RequestInit =>
  admin({ method, body: JSON.stringify(body) });

async function ready(call: Call, path: string): Promise<Response> {
  return waitFor(async () => {
    const response = await call(path);
    if (response.status === 202) return undefined;
    return response;
  });
}

describe.each([
  ['app.request()', viaApp],
  ['a real socket', viaSocket],
])('every route and status through %s', (_how, transport) => {
  it('GET credits: 202 then 200 with ETag/Cache-Control, 304, 400, 404', async () => {
    const detector = fakeDetector({ creditsStart: 88 });
    const server = await boot({ detector });
    const call = transport(server);

    const pending = await call('/v1/titles/e1/credits');
    expect(pending.status).toBe(202);
    expect(pending.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(pending.headers.get('cache-control')).toBe('no-store');
    expect(await pending.json()).toMatchObject({
      status: expect.stringMatching(/queued|running/),
      progress: expect.any(Number),
    });

    const first = await ready(call, '/v1/titles/e1/credits');
    expect(first.status).toBe(200);
    // The season's job (queued after e1's analysis) has not necessarily run yet.
    expect(await first.json()).toMatchObject({ creditsStart: 88 });
    await server.queue.idle();
    const done = await call('/v1/titles/e1/credits');
    const etag = done.headers.get('etag');
    expect(etag).toMatch(/^".+"$/);
    expect(done.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(await done.json()).toEqual({
      titleId: 'e1',
      creditsStart: 88,
      creditsEnd: 100,
      segments: [
        { kind: 'intro', start: 10, end: 40 },
        { kind: 'credits', start: 88, end: 100 },
      ],
      confidence: 0.9,
      duration: 100,
      modelVersion: 'fake-1',
      source: 'detected',
      intro: { start: 10, end: 40, confidence: 1 },
      introReason: null,
      // The fake season shares no end music: the detected answer stands as it is.
      endMusic: null,
      endMusicEvidence: 'none',
      seriesConfidence: 0.9,
      next: { titleId: 'e2', src: 'show/e2.mp4', title: 'Two' },
    });

    const notModified = await call('/v1/titles/e1/credits', {
      headers: { 'if-none-match': etag as string },
    });
    expect(notModified.status).toBe(304);
    expect((await call('/v1/titles/bad%20id/credits')).status).toBe(400);
    expect((await call(`/v1/titles/${'x'.repeat(129)}/credits`)).status).toBe(400);
    const unknown = await call('/v1/titles/nope/credits');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { code: 'not-found' } });
  });

  it('GET credits.vtt: 202, 200 WebVTT chapters, 404', async () => {
    const server = await boot({ detector: fakeDetector({ creditsStart: 90 }) });
    const call = transport(server);
    expect((await call('/v1/titles/film/credits.vtt')).status).toBe(202);
    const vtt = await ready(call, '/v1/titles/film/credits.vtt');
    expect(vtt.status).toBe(200);
    expect(vtt.headers.get('content-type')).toMatch(/^text\/vtt/);
    expect(await vtt.text()).toBe(
      'WEBVTT - film\n\n1\n00:00:00.000 --> 00:01:30.000\nProgramme\n\n2\n00:01:30.000 --> 00:01:40.000\nCredits\n',
    );
    expect((await call('/v1/titles/nope/credits.vtt')).status).toBe(404);
  });

  it("GET credits.edl and credits.ffmeta: Kodi's EDL and ffmpeg chapters, cacheable", async () => {
    const server = await boot({ detector: fakeDetector({ creditsStart: 90 }) });
    const call = transport(server);
    expect((await call('/v1/titles/film/credits.edl')).status).toBe(202);
    const edl = await ready(call, '/v1/titles/film/credits.edl');
    expect(edl.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await edl.text()).toBe('90.000\t100.000\t3\n');
    const etag = edl.headers.get('etag') ?? '';
    expect(
      (await call('/v1/titles/film/credits.edl', { headers: { 'if-none-match': etag } })).status,
    ).toBe(304);
    const ffmeta = await call('/v1/titles/film/credits.ffmeta');
    expect(await ffmeta.text()).toBe(
      ';FFMETADATA1\n\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=90000\ntitle=Programme\n\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=90000\nEND=100000\ntitle=Credits\n',
    );
    expect((await call('/v1/titles/nope/credits.ffmeta')).status).toBe(404);
  });

  it('?minConfidence leaves a less sure start out of the files, and refuses a percentage', async () => {
    const server = await boot({ detector: fakeDetector({ creditsStart: 90 }) }); // confidence 0.9
    const call = transport(server);
    await ready(call, '/v1/titles/film/credits.edl');
    const unsure = await call('/v1/titles/film/credits.edl?minConfidence=0.95');
    expect(unsure.status).toBe(200);
    expect(await unsure.text()).toBe(''); // Kodi skips nothing
    const vtt = await call('/v1/titles/film/credits.vtt?minConfidence=0.95');
    expect(await vtt.text()).toBe('WEBVTT - film\n\n1\n00:00:00.000 --> 00:01:40.000\nProgramme\n');
    const sure = await call('/v1/titles/film/credits.edl?minConfidence=0.9');
    expect(await sure.text()).toBe('90.000\t100.000\t3\n');
    const percent = await call('/v1/titles/film/credits.edl?minConfidence=80');
    expect(percent.status).toBe(400);
    expect(await percent.json()).toEqual({
      error: { code: 'invalid-input', message: expect.stringMatching(/minConfidence.*<=\s?1/) },
    });
  });

  it('422 with the detector error when analysis failed (JSON and VTT)', async () => {
    const detector = fakeDetector({
      error: new EndcueError('not-a-video', 'film.mp4 is not a video', { hint: 'Check the file.' }),
    });
    const server = await boot({ detector });
    const call = transport(server);
    const failed = await ready(call, '/v1/titles/film/credits');
    expect(failed.status).toBe(422);
    expect(await failed.json()).toEqual({
      status: 'failed',
      error: {
        code: 'not-a-video',
        message: 'film.mp4 is not a video',
        hint: 'Check the file.',
        retryable: false,
      },
    });
    expect((await call('/v1/titles/film/credits.vtt')).status).toBe(422);
    expect(detector.calls).toHaveLength(1); // bad media is not retried
  });

  it('GET /v1/titles/:id: 200 with next, 404', async () => {
    const server = await boot({ detector: fakeDetector() });
    const call = transport(server);
    const title = await call('/v1/titles/e1');
    expect(title.status).toBe(200);
    expect(await title.json()).toEqual({
      id: 'e1',
      src: 'show/e1.mp4',
      title: 'One',
      series: 'show',
      season: 1,
      episode: 1,
      next: { titleId: 'e2', src: 'show/e2.mp4', title: 'Two' },
    });
    expect((await call('/v1/titles/nope')).status).toBe(404);
  });

  it('PUT /v1/titles/:id: 201, 200, 400 (body, traversal, SSRF), 401, 403, 413', async () => {
    const server = await boot({
      detector: fakeDetector(),
      maxBodyBytes: 2048,
      allowedHosts: ['cdn.example.com'],
    });
    const call = transport(server);
    const created = await call(
      '/v1/titles/new-one',
      json('PUT', { src: 'film.mp4', title: 'New' }),
    );
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual({ id: 'new-one', src: 'film.mp4', title: 'New' });
    expect(
      (await call('/v1/titles/new-one', json('PUT', { src: 'https://cdn.example.com/v.m3u8' })))
        .status,
    ).toBe(200);
    expect((await call('/v1/titles/new-one')).status).toBe(200);

    const badBody = await call('/v1/titles/x', json('PUT', { title: 'no src' }));
    expect(badBody.status).toBe(400);
    expect(await badBody.json()).toMatchObject({ error: { code: 'invalid-input' } });
    for (const src of [
      '../../etc/passwd',
      '/etc/passwd',
      'http://169.254.169.254/latest',
      'https://evil.example.net/a.mp4',
      'file:///etc/passwd',
    ]) {
      const refused = await call('/v1/titles/x', json('PUT', { src }));
      expect(refused.status, src).toBe(400);
      expect(await refused.json(), src).toMatchObject({ error: { code: 'forbidden-source' } });
    }
    expect((await call('/v1/titles/x')).status).toBe(404); // nothing was registered

    const noKey = await call('/v1/titles/x', {
      method: 'PUT',
      body: '{"src":"film.mp4"}',
      headers: { 'content-type': 'application/json' },
    });
    expect(noKey.status).toBe(401);
    expect(noKey.headers.get('www-authenticate')).toMatch(/^Bearer/);
    const wrongKey = await call('/v1/titles/x', {
      ...json('PUT', { src: 'film.mp4' }),
      headers: { authorization: 'Bearer wrong', 'content-type': 'application/json' },
    });
    expect(wrongKey.status).toBe(403);
    const huge = await call(
      '/v1/titles/x',
      json('PUT', { src: 'film.mp4', title: 'x'.repeat(4000) }),
    );
    expect(huge.status).toBe(413);
  });

  it('admin routes answer 403 when no admin key is configured', async () => {
    const server = await boot({ detector: fakeDetector(), adminKey: undefined });
    const call = transport(server);
    const response = await call('/v1/jobs', admin());
    expect(response.status).toBe(403);
    expect(await response.json()).toMatchObject({ error: { code: 'admin-disabled' } });
    expect((await call('/v1/titles/film/analyze', admin({ method: 'POST' }))).status).toBe(403);
  });

  it('POST analyze 202/404, PUT credits 200/400/404, DELETE credits 204/404, DELETE title 204/404, GET jobs 200/401', async () => {
    const detector = fakeDetector({ creditsStart: 80 });
    const server = await boot({ detector });
    const call = transport(server);

    const analyzed = await call('/v1/titles/film/analyze', admin({ method: 'POST' }));
    expect(analyzed.status).toBe(202);
    expect(await analyzed.json()).toMatchObject({
      created: true,
      job: { titleId: 'film', force: true },
    });
    expect((await call('/v1/titles/nope/analyze', admin({ method: 'POST' }))).status).toBe(404);

    const override = await call(
      '/v1/titles/film/credits',
      json('PUT', { creditsStart: 55.5, note: 'by hand' }),
    );
    expect(override.status).toBe(200);
    expect(await override.json()).toMatchObject({
      titleId: 'film',
      creditsStart: 55.5,
      creditsEnd: null,
      note: 'by hand',
    });
    expect((await call('/v1/titles/film/credits', json('PUT', { creditsStart: -1 }))).status).toBe(
      400,
    );
    expect(
      (await call('/v1/titles/film/credits', json('PUT', { creditsStart: 50, creditsEnd: 40 })))
        .status,
    ).toBe(400);
    expect((await call('/v1/titles/nope/credits', json('PUT', { creditsStart: 1 }))).status).toBe(
      404,
    );
    expect((await call('/v1/titles/film/credits', admin({ method: 'DELETE' }))).status).toBe(204);
    expect((await call('/v1/titles/film/credits', admin({ method: 'DELETE' }))).status).toBe(404);

    const jobs = await call('/v1/jobs', admin());
    expect(jobs.status).toBe(200);
    const body = (await jobs.json()) as {
      counts: { queued: number; running: number; done: number };
      jobs: { titleId: string }[];
    };
    expect(body.jobs.map((job) => job.titleId)).toContain('film');
    expect(body.counts.queued + body.counts.running + body.counts.done).toBeGreaterThanOrEqual(1);
    expect((await call('/v1/jobs')).status).toBe(401);

    expect((await call('/v1/titles/e2', admin({ method: 'DELETE' }))).status).toBe(204);
    expect((await call('/v1/titles/e2', admin({ method: 'DELETE' }))).status).toBe(404);
    expect((await call('/v1/titles/e2/credits')).status).toBe(404);
  });

  it('429 when one client starts too many analyses (reads of known results are never limited)', async () => {
    const server = await boot({ detector: fakeDetector(), enqueueRatePerMinute: 1 });
    const call = transport(server);
    expect((await call('/v1/titles/e1/credits')).status).toBe(202);
    const limited = await call('/v1/titles/e2/credits');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await call('/v1/titles/film/analyze', admin({ method: 'POST' }))).status).toBe(429);
    await ready(call, '/v1/titles/e1/credits');
    for (let i = 0; i < 5; i++) expect((await call('/v1/titles/e1/credits')).status).toBe(200);
  });

  it('/healthz, /metrics, /openapi.json, unknown routes, CORS', async () => {
    const server = await boot({
      detector: fakeDetector(),
      cors: { origins: ['https://player.test'] },
    });
    const call = transport(server);
    const health = await call('/healthz');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', checks: { store: 'ok' } });

    await call('/v1/titles/e1/credits');
    const metrics = await call('/metrics');
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const text = await metrics.text();
    expect(text).toContain(
      'endcue_http_requests_total{route="/v1/titles/:id/credits",method="GET",status="202"} 1',
    );
    expect(text).toMatch(/endcue_jobs\{state="queued"\} \d/);

    const spec = (await (await call('/openapi.json')).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(spec.openapi).toBe('3.1.0');
    // Issue 22: the season's intro, why there is none, and the segment kind.
    const credits = spec.components.schemas.Credits?.properties ?? {};
    expect(JSON.stringify(credits.intro)).toContain('#/components/schemas/Intro');
    expect(credits.introReason).toMatchObject({
      enum: expect.arrayContaining(['not-a-series', 'pending', 'nothing-shared', 'no-audio']),
    });
    expect(JSON.stringify(spec.components.schemas.Segment)).toContain('"intro"');
    expect(Object.keys(spec.paths).sort()).toEqual([
      '/v1/jobs',
      '/v1/titles',
      '/v1/titles/{id}',
      '/v1/titles/{id}/analyze',
      '/v1/titles/{id}/credits',
      '/v1/titles/{id}/credits.edl',
      '/v1/titles/{id}/credits.ffmeta',
      '/v1/titles/{id}/credits.vtt',
    ]);
    expect((await call('/v2/nothing')).status).toBe(404);

    const preflight = await call('/v1/titles/e1', {
      method: 'OPTIONS',
      headers: { origin: 'https://player.test', 'access-control-request-method': 'PUT' },
    });
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://player.test');
    const other = await call('/v1/titles/e1', { headers: { origin: 'https://evil.test' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('x-content-type-options')).toBe('nosniff');
  });
});

describe('acceptance scenarios', () => {
  it('single-flight: 50 concurrent first requests run the detector once', async () => {
    const detector = fakeDetector({ hold: true });
    const server = await boot({ detector });
    const call = viaApp(server);
    const responses = await Promise.all(
      Array.from({ length: 50 }, () => call('/v1/titles/film/credits')),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(202));
    await waitFor(() => (detector.calls.length > 0 ? true : undefined));
    detector.release();
    expect((await ready(call, '/v1/titles/film/credits')).status).toBe(200);
    expect(detector.calls).toHaveLength(1);
    expect((await server.queue.counts()).done).toBe(1);
  });

  it('restart: queued and interrupted jobs resume in the next process', async () => {
    const held = fakeDetector({ hold: true });
    const first = await boot({ detector: held, concurrency: 1 });
    expect((await viaApp(first)('/v1/titles/e1/credits')).status).toBe(202);
    expect((await viaApp(first)('/v1/titles/e2/credits')).status).toBe(202);
    await waitFor(() => (held.calls.length === 1 ? true : undefined));
    expect(await first.queue.counts()).toMatchObject({ running: 1, queued: 1 });
    await first.close(); // graceful: the running job goes back to the queue

    const fresh = fakeDetector({ creditsStart: 77 });
    const second = await boot({ detector: fresh, concurrency: 1 }, media);
    await second.queue.idle();
    expect(fresh.calls.sort()).toEqual(
      [media.write('show/e1.mp4', 'episode one'), media.write('show/e2.mp4', 'episode two')].sort(),
    );
  });

  it('a manual override wins over detection and survives re-analysis', async () => {
    const detector = fakeDetector({ creditsStart: 90 });
    const server = await boot({ detector });
    const call = viaApp(server);
    await ready(call, '/v1/titles/film/credits');
    expect((await call('/v1/titles/film/credits', json('PUT', { creditsStart: 61 }))).status).toBe(
      200,
    );
    expect(await (await call('/v1/titles/film/credits')).json()).toMatchObject({
      creditsStart: 61,
      source: 'manual',
      duration: 100,
    });

    expect((await call('/v1/titles/film/analyze', admin({ method: 'POST' }))).status).toBe(202);
    await server.queue.idle();
    expect(detector.calls).toHaveLength(2);
    expect(await (await call('/v1/titles/film/credits')).json()).toMatchObject({
      creditsStart: 61,
      source: 'manual',
    });

    expect((await call('/v1/titles/film/credits', admin({ method: 'DELETE' }))).status).toBe(204);
    expect(await (await call('/v1/titles/film/credits')).json()).toMatchObject({
      creditsStart: 90,
      source: 'detected',
    });
  });

  it('a changed media file (new fingerprint) is analysed again; the stale answer is not served', async () => {
    let creditsStart = 90;
    const detector = fakeDetector();
    const counting = Object.assign(
      async (...args: Parameters<FakeDetector>) => ({ ...(await detector(...args)), creditsStart }),
      { calls: detector.calls },
    );
    const server = await boot({ detector: counting });
    const call = viaApp(server);
    expect(await (await ready(call, '/v1/titles/film/credits')).json()).toMatchObject({
      creditsStart: 90,
    });

    creditsStart = 42;
    writeFileSync(`${media.root}/film.mp4`, 'a re-encoded film, longer');
    expect((await call('/v1/titles/film/credits')).status).toBe(202);
    expect(await (await ready(call, '/v1/titles/film/credits')).json()).toMatchObject({
      creditsStart: 42,
    });
    expect(detector.calls).toHaveLength(2);
  });

  it('a new model version is analysed again', async () => {
    let version = 'model-a';
    const detector = fakeDetector({ modelVersion: () => version });
    const server = await boot({ detector, modelVersion: () => version });
    const call = viaApp(server);
    expect(await (await ready(call, '/v1/titles/film/credits')).json()).toMatchObject({
      modelVersion: 'model-a',
    });
    version = 'model-b';
    expect((await call('/v1/titles/film/credits')).status).toBe(202);
    expect(await (await ready(call, '/v1/titles/film/credits')).json()).toMatchObject({
      modelVersion: 'model-b',
    });
    expect(detector.calls).toHaveLength(2);
  });

  it('transient detector errors are retried with backoff, then answered', async () => {
    const detector = fakeDetector({
      error: new EndcueError('ffmpeg-failed', 'ffmpeg was killed'),
      failTimes: 2,
    });
    const server = await boot({ detector, retryBaseMs: 1 });
    const call = viaApp(server);
    expect((await ready(call, '/v1/titles/film/credits')).status).toBe(200);
    expect(detector.calls).toHaveLength(3);
  });

  it('a title whose file escapes through a symlink is refused at analysis time (422), without running the detector', async () => {
    const detector = fakeDetector();
    const server = await boot({ detector });
    const { symlinkSync } = await import('node:fs');
    writeFileSync(`${media.dir}/secret.mp4`, 'secret');
    symlinkSync(`${media.dir}/secret.mp4`, `${media.root}/link.mp4`);
    const call = viaApp(server);
    expect((await call('/v1/titles/linked', json('PUT', { src: 'link.mp4' }))).status).toBe(201);
    const refused = await call('/v1/titles/linked/credits');
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ error: { code: 'forbidden-source' } });
    expect(detector.calls).toHaveLength(0);
  });
});

describe('URL titles', () => {
  it('are fingerprinted over HTTP, and a briefly unreachable host keeps the known answer', async () => {
    const { createServer } = await import('node:http');
    const origin = createServer((_req, res) => {
      res.writeHead(200, { etag: '"v1"', 'content-length': '0' }).end();
    });
    await new Promise<void>((resolve) => origin.listen(0, '127.0.0.1', resolve));
    const { port } = origin.address() as import('node:net').AddressInfo;
    const detector = fakeDetector({ creditsStart: 33 });
    const server = await boot({
      detector,
      allowedHosts: ['127.0.0.1'],
      allowPrivateNetworks: true,
      titles: [{ id: 'remote', src: `http://127.0.0.1:${port}/show.m3u8` }],
    });
    const call = viaApp(server);
    expect(await (await ready(call, '/v1/titles/remote/credits')).json()).toMatchObject({
      creditsStart: 33,
    });
    expect(detector.calls).toEqual([`http://127.0.0.1:${port}/show.m3u8`]);

    expect((await call('/v1/titles/remote/credits')).status).toBe(200); // answered once settled
    await new Promise((resolve) => origin.close(resolve));
    const during = await call('/v1/titles/remote/credits');
    expect(during.status, await during.clone().text()).toBe(200);
    expect(await during.json()).toMatchObject({ creditsStart: 33 });
  });

  it('refuses loopback URLs unless private networks are explicitly allowed', async () => {
    const detector = fakeDetector();
    const server = await boot({
      detector,
      allowedHosts: ['localhost'],
      titles: [{ id: 'local', src: 'http://localhost:9/x.mp4' }],
    });
    const refused = await viaApp(server)('/v1/titles/local/credits');
    expect(refused.status).toBe(422);
    expect(await refused.json()).toMatchObject({ error: { code: 'forbidden-source' } });
    expect(detector.calls).toHaveLength(0);
  });
});
