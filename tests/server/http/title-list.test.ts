/**
 * GET /v1/titles (admin): every title with its status and stored answer, filtered by series
 * and status, sorted by confidence, paged; and the pure listing underneath.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Title } from '../../../server/catalog/title.js';
import { creditsAnswer } from '../../../server/http/answer.js';
import { type RunningServer, startServer } from '../../../server/http/start.js';
import { listItem, listItems, pageTitles } from '../../../server/http/title-list.js';
import { currentIntro, seasonKey } from '../../../server/series/season-key.js';
import type { StoredIntro } from '../../../server/store/types.js';
import { fakeDetector, type TempMedia, tempMedia, waitFor } from './fakes.js';

const KEY = 'list-key';
let media: TempMedia | undefined;
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.close();
  media?.cleanup();
  server = undefined;
  media = undefined;
});

const auth = { headers: { authorization: `Bearer ${KEY}` } };

describe('listItem / pageTitles', () => {
  const title = (id: string) => ({ id, src: `${id}.mp4`, origin: 'admin' as const, updatedAt: 1 });
  const result = (id: string, confidence: number, createdAt = 5) => ({
    titleId: id,
    fingerprint: 'f',
    modelVersion: 'm',
    createdAt,
    result: {
      file: `${id}.mp4`,
      duration: 100,
      fps: 25,
      creditsStart: 80,
      creditsEnd: 95,
      frame: 2000,
      confidence,
      modelVersion: 'm',
      backend: 'cpu',
      elapsedMs: 1,
      segments: [
        { kind: 'credits' as const, start: 80, end: 95 },
        { kind: 'post-credits' as const, start: 95, end: 100 },
      ],
    },
  });
  const items = [
    listItem({ title: title('sure'), result: result('sure', 0.95) }),
    listItem({ title: title('unsure'), result: result('unsure', 0.4) }),
    listItem({ title: title('new') }),
    listItem({
      title: title('broken'),
      failure: {
        titleId: 'broken',
        fingerprint: 'f',
        createdAt: 9,
        error: { code: 'corrupt-media', message: 'broken.mp4 is truncated', retryable: false },
      },
    }),
    listItem({
      title: title('manual'),
      result: result('manual', 0.3),
      override: {
        titleId: 'manual',
        creditsStart: 70,
        creditsEnd: null,
        duration: 100,
        note: null,
        updatedAt: 7,
      },
    }),
  ];

  it('gives each title its status, start, end, post-credits scene, confidence and source', () => {
    expect(items[0]).toMatchObject({
      status: 'done',
      creditsStart: 80,
      creditsEnd: 95,
      postCredits: { start: 95, end: 100 },
      confidence: 0.95,
      source: 'detected',
      updatedAt: 5,
    });
    expect(items[2]).toMatchObject({
      status: 'not-analysed',
      creditsStart: null,
      confidence: null,
      source: null,
    });
    expect(items[3]).toMatchObject({ status: 'failed', error: { code: 'corrupt-media' } });
    expect(items[4]).toMatchObject({
      status: 'done',
      creditsStart: 70,
      confidence: 1,
      source: 'manual',
    });
  });

  it('sorts by confidence, least sure first, unanswered last; filters by status; pages', () => {
    const byConfidence = pageTitles(items, { sort: 'confidence', limit: 10, offset: 0 });
    expect(byConfidence.items.map((i) => i.id)).toEqual([
      'unsure',
      'sure',
      'manual',
      'broken',
      'new',
    ]);
    const surest = pageTitles(items, { sort: 'confidence', order: 'desc', limit: 2, offset: 0 });
    expect(surest).toMatchObject({ total: 5, limit: 2, offset: 0 });
    expect(surest.items.map((i) => i.id)).toEqual(['manual', 'sure']);
    expect(
      pageTitles(items, { status: 'done', limit: 10, offset: 1 }).items.map((i) => i.id),
    ).toEqual(['unsure', 'manual']);
  });
});

describe('listItems: a season episode', () => {
  const episode = (id: string) => ({
    id,
    src: `${id}.mp4`,
    series: 'Show',
    season: 1,
    origin: 'catalog' as const,
    updatedAt: 1,
  });
  const titles = [episode('a'), episode('b')];
  /** a's detected start (60 s, a dark last scene) lies before the shared end music. */
  const result = {
    titleId: 'a',
    fingerprint: 'fa',
    modelVersion: 'm1',
    createdAt: 5,
    result: {
      file: 'a.mp4',
      duration: 100,
      fps: 25,
      creditsStart: 60,
      creditsEnd: 100,
      frame: 1500,
      confidence: 0.6,
      modelVersion: 'm1',
      backend: 'cpu',
      elapsedMs: 1,
      segments: [{ kind: 'credits' as const, start: 60, end: 100 }],
    },
  };
  /** Its season job's row: the music at 80-100 s and the re-run bounded by it at 78 s. */
  const intro: StoredIntro = {
    titleId: 'a',
    fingerprint: 'fa',
    seasonKey: seasonKey(titles),
    intro: { start: 1, end: 21, confidence: 1 },
    reason: null,
    closing: { start: 80, end: 100, confidence: 1 },
    bounded: {
      from: { creditsStart: 60, modelVersion: 'm1' },
      bound: 77,
      creditsStart: 78,
      creditsEnd: 99,
      segments: [{ kind: 'credits', start: 78, end: 99 }],
      confidence: 0.7,
    },
    createdAt: 6,
  };
  const listed = (stored: StoredIntro, members = titles) =>
    listItems(
      members.map((title) => ({ title, ...(title.id === 'a' ? { result, intro: stored } : {}) })),
    )[0];

  it('lists the start, end and confidence the credits answer gives: the one bounded by the music', () => {
    const answer = creditsAnswer(
      'a',
      result,
      undefined,
      currentIntro(titles[0] as Title, titles, intro, 'fa'),
    );
    expect(answer).toMatchObject({ creditsStart: 78, endMusicEvidence: 'bounded-by-music' });
    expect(listed(intro)).toMatchObject({
      creditsStart: answer.creditsStart,
      creditsEnd: answer.creditsEnd,
      confidence: answer.confidence,
      source: 'detected',
    });
  });

  it('lists the detected start while the row does not hold: other members, other media', () => {
    const detected = { creditsStart: 60, creditsEnd: 100, confidence: 0.6 };
    expect(listed(intro, [...titles, episode('c')])).toMatchObject(detected);
    expect(listed({ ...intro, fingerprint: 'other' })).toMatchObject(detected);
  });
});

describe('GET /v1/titles', () => {
  it('lists the titles for the admin, by series and status, least sure first', async () => {
    media = tempMedia();
    media.write('show/e1.mp4', 'one');
    media.write('show/e2.mp4', 'two');
    media.write('film.mp4', 'film');
    server = await startServer({
      port: 0,
      dataDir: media.dataDir,
      mediaRoots: [media.root],
      logger: false,
      adminKey: KEY,
      detector: fakeDetector({ creditsStart: 88 }),
      titles: [
        { id: 'e1', src: 'show/e1.mp4', series: 'show', episode: 1 },
        { id: 'e2', src: 'show/e2.mp4', series: 'show', episode: 2 },
        { id: 'film', src: 'film.mp4' },
      ],
    });
    const app = server.app;
    expect((await app.request('/v1/titles')).status).toBe(401);
    const before = (await (await app.request('/v1/titles', auth)).json()) as {
      items: Array<{ id: string; status: string }>;
    };
    expect(before.items.map((i) => [i.id, i.status])).toEqual([
      ['e1', 'not-analysed'],
      ['e2', 'not-analysed'],
      ['film', 'not-analysed'],
    ]);
    await waitFor(async () => {
      const r = await app.request('/v1/titles/e1/credits');
      return r.status === 200 ? r : undefined;
    });
    const show = await app.request(
      '/v1/titles?series=show&sort=confidence&order=desc&limit=1',
      auth,
    );
    expect(show.status).toBe(200);
    expect(show.headers.get('cache-control')).toBe('no-store');
    expect(await show.json()).toEqual({
      total: 2,
      limit: 1,
      offset: 0,
      items: [
        {
          id: 'e1',
          src: 'show/e1.mp4',
          series: 'show',
          episode: 1,
          status: 'done',
          creditsStart: 88,
          creditsEnd: 100,
          postCredits: null,
          confidence: 0.9,
          source: 'detected',
          modelVersion: 'fake-1',
          updatedAt: expect.any(Number),
        },
      ],
    });
    const notYet = (await (await app.request('/v1/titles?status=not-analysed', auth)).json()) as {
      items: Array<{ id: string }>;
    };
    expect(notYet.items.map((i) => i.id)).toEqual(['e2', 'film']);
    expect((await app.request('/v1/titles?status=nope', auth)).status).toBe(400);
    expect((await app.request('/v1/titles?limit=0', auth)).status).toBe(400);
  });
});

describe('PUT /v1/titles/:id/credits (override)', () => {
  it('takes the post-credits scene and "no credits", and the answer and the list show them', async () => {
    media = tempMedia();
    media.write('film.mp4', 'film');
    server = await startServer({
      port: 0,
      dataDir: media.dataDir,
      mediaRoots: [media.root],
      logger: false,
      adminKey: KEY,
      detector: fakeDetector({ creditsStart: 88 }),
      titles: [{ id: 'film', src: 'film.mp4' }],
    });
    const app = server.app;
    const put = (body: unknown) =>
      app.request('/v1/titles/film/credits', {
        method: 'PUT',
        headers: { ...auth.headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const set = await put({
      creditsStart: 80,
      creditsEnd: 92,
      duration: 100,
      postCredits: { start: 93, end: 100 },
    });
    expect(set.status).toBe(200);
    expect(await set.json()).toMatchObject({
      creditsStart: 80,
      postCredits: { start: 93, end: 100 },
    });
    const credits = await (await app.request('/v1/titles/film/credits')).json();
    expect(credits).toMatchObject({
      source: 'manual',
      creditsStart: 80,
      creditsEnd: 92,
      segments: [
        { kind: 'credits', start: 80, end: 92 },
        { kind: 'post-credits', start: 93, end: 100 },
      ],
    });
    expect(await (await app.request('/v1/titles/film/credits.edl')).text()).toBe(
      '80.000\t92.000\t3\n',
    );
    const listed = (await (await app.request('/v1/titles', auth)).json()) as { items: unknown[] };
    expect(listed.items[0]).toMatchObject({
      source: 'manual',
      postCredits: { start: 93, end: 100 },
    });

    // "No credits": no segments, an empty EDL; a scene after credits that are not there is refused.
    expect((await put({ creditsStart: null, postCredits: { start: 93, end: 100 } })).status).toBe(
      400,
    );
    expect((await put({ creditsStart: 80, postCredits: { start: 70, end: 75 } })).status).toBe(400);
    expect((await put({ creditsStart: 80, postCredits: { start: 95, end: 90 } })).status).toBe(400);
    expect((await put({ creditsStart: null, duration: 100 })).status).toBe(200);
    expect(await (await app.request('/v1/titles/film/credits')).json()).toMatchObject({
      source: 'manual',
      creditsStart: null,
      segments: [],
    });
    expect(await (await app.request('/v1/titles/film/credits.edl')).text()).toBe('');
  });
});
