import { describe, expect, it } from 'vitest';
import {
  backoffMs,
  creditsUrl,
  fetchCredits,
  MAX_POLL_MS,
  MIN_POLL_MS,
  parseCredits,
  retryDelayMs,
  trustedStart,
} from '../../plugin/client.js';

type Reply = Response | Error;

/** A scripted fetch plus a fake clock that only moves when the client sleeps. */
function harness(replies: Reply[]) {
  let clock = 1_000_000;
  const calls: string[] = [];
  const sleeps: number[] = [];
  const fetch = (async (url: string) => {
    calls.push(url);
    const reply = replies.shift();
    if (!reply) throw new Error('no more scripted replies');
    if (reply instanceof Error) throw reply;
    return reply;
  }) as unknown as typeof globalThis.fetch;
  const sleep = async (ms: number) => {
    sleeps.push(ms);
    clock += ms;
  };
  return { fetch, sleep, now: () => clock, calls, sleeps };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

const READY = {
  titleId: 'ep1',
  creditsStart: 84.5,
  creditsEnd: 110,
  segments: [
    { kind: 'credits', start: 84.5, end: 110 },
    { kind: 'post-credits', start: 110, end: 118 },
  ],
  confidence: 0.97,
  duration: 118,
  modelVersion: 'm1',
  source: 'detected',
  next: { titleId: 'ep2', src: '/media/ep2.m3u8', title: 'Episode 2' },
};

describe('retryDelayMs', () => {
  it('reads delta-seconds, HTTP dates and the body, and clamps', () => {
    expect(retryDelayMs('3', null, 0)).toBe(3000);
    expect(retryDelayMs(null, 4, 0)).toBe(4000);
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(retryDelayMs('Thu, 01 Jan 2026 00:00:07 GMT', null, now)).toBe(7000);
    expect(retryDelayMs('0', null, 0)).toBe(MIN_POLL_MS);
    expect(retryDelayMs('86400', null, 0)).toBe(MAX_POLL_MS);
    expect(retryDelayMs('soon', 'x', 0, 2500)).toBe(2500);
  });

  it('backs off exponentially for errors', () => {
    expect([0, 1, 2, 3].map(backoffMs)).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffMs(20)).toBe(MAX_POLL_MS);
  });
});

describe('parseCredits', () => {
  it('takes the post-credits scene from the segments and resolves next against the server', () => {
    const c = parseCredits('http://cdn.example:8080/api', 'ep1', READY);
    expect(c).toMatchObject({
      creditsStart: 84.5,
      postCreditsStart: 110,
      next: {
        titleId: 'ep2',
        src: 'http://cdn.example:8080/media/ep2.m3u8',
        type: 'application/x-mpegURL',
        title: 'Episode 2',
      },
    });
  });

  it('accepts "no credits" (null) and rejects garbage', () => {
    expect(parseCredits('', 'x', { ...READY, creditsStart: null, next: undefined })).toMatchObject({
      creditsStart: null,
      next: null,
    });
    expect(parseCredits('', 'x', { creditsStart: 'soon' })).toBeNull();
    expect(parseCredits('', 'x', 'nope')).toBeNull();
  });

  it("reads the intro from the answer's `intro`, else from an 'intro' segment", () => {
    const intro = { start: 12.5, end: 42, confidence: 0.8 };
    expect(parseCredits('', 'x', { ...READY, intro })?.intro).toEqual(intro);
    const segments = [...READY.segments, { kind: 'intro', start: 3, end: 30 }];
    expect(parseCredits('', 'x', { ...READY, segments })?.intro).toEqual({
      start: 3,
      end: 30,
      confidence: null,
    });
    // An explicit null wins over a segment; no intro at all is null.
    expect(parseCredits('', 'x', { ...READY, intro: null, segments })?.intro).toBeNull();
    expect(parseCredits('', 'x', READY)?.intro).toBeNull();
  });

  it("says why there is no intro ('pending' makes the plugin ask again), never beside one", () => {
    const pending = parseCredits('', 'x', { ...READY, intro: null, introReason: 'pending' });
    expect(pending?.introReason).toBe('pending');
    const found = { ...READY, intro: { start: 1, end: 30 }, introReason: 'pending' };
    expect(parseCredits('', 'x', found)?.introReason).toBeNull();
    expect(parseCredits('', 'x', READY)?.introReason).toBeNull();
  });

  it('ignores a broken intro (negative, empty, reversed, not numbers) and keeps the credits', () => {
    for (const intro of [
      { start: -1, end: 20 },
      { start: 20, end: 20 },
      { start: 30, end: 10 },
      { start: '3', end: 30 },
      'intro',
    ]) {
      const c = parseCredits('', 'x', { ...READY, intro });
      expect(c?.intro).toBeNull();
      expect(c?.creditsStart).toBe(84.5);
    }
  });

  it('builds the credits URL with an encoded id and no double slash', () => {
    expect(creditsUrl('http://h:1/', 'a b')).toBe('http://h:1/v1/titles/a%20b/credits');
    expect(creditsUrl('', 'ep1')).toBe('/v1/titles/ep1/credits');
  });
});

describe('fetchCredits', () => {
  it('polls politely while the server answers 202, following Retry-After', async () => {
    const h = harness([
      json(202, { status: 'queued', progress: 0, retryAfter: 9 }, { 'retry-after': '2' }),
      json(202, { status: 'running', progress: 0.5, retryAfter: 3 }),
      json(200, READY),
    ]);
    const pending: Array<{ status: string; progress: number | null }> = [];
    const result = await fetchCredits({
      server: 'http://s',
      titleId: 'ep1',
      ...h,
      onPending: (p) => pending.push({ status: p.status, progress: p.progress }),
    });
    expect(result.status).toBe('ready');
    expect(h.sleeps).toEqual([2000, 3000]);
    expect(h.calls).toEqual(Array(3).fill('http://s/v1/titles/ep1/credits'));
    expect(pending).toEqual([
      { status: 'queued', progress: 0 },
      { status: 'running', progress: 0.5 },
    ]);
  });

  it('gives up after repeated network errors with backoff: the plugin falls back to `ended`', async () => {
    const h = harness([
      new TypeError('Failed to fetch'),
      new TypeError('Failed to fetch'),
      new TypeError('x'),
    ]);
    const result = await fetchCredits({ server: 'http://s', titleId: 'ep1', ...h });
    expect(result).toMatchObject({ status: 'unavailable', reason: 'unreachable' });
    expect(h.sleeps).toEqual([1000, 2000]);
  });

  it('recovers from a transient 503', async () => {
    const h = harness([json(503, {}, { 'retry-after': '5' }), json(200, READY)]);
    const result = await fetchCredits({ server: 'http://s', titleId: 'ep1', ...h });
    expect(result.status).toBe('ready');
    expect(h.sleeps).toEqual([5000]);
  });

  it('404 and 422 end at once with the server message', async () => {
    const notFound = await fetchCredits({
      server: '',
      titleId: 'nope',
      ...harness([json(404, { error: { code: 'not-found', message: 'unknown title nope' } })]),
    });
    expect(notFound).toEqual({
      status: 'unavailable',
      reason: 'not-found',
      message: 'unknown title nope',
    });
    const failed = await fetchCredits({
      server: '',
      titleId: 'bad',
      ...harness([json(422, { error: { code: 'corrupt-media', message: 'bad.mp4 is corrupt' } })]),
    });
    expect(failed).toMatchObject({
      status: 'unavailable',
      reason: 'failed',
      message: 'bad.mp4 is corrupt',
    });
  });

  it('stops polling after maxWaitMs', async () => {
    const replies = Array.from({ length: 20 }, () =>
      json(202, { status: 'queued' }, { 'retry-after': '10' }),
    );
    const h = harness(replies);
    const result = await fetchCredits({ server: '', titleId: 'slow', ...h, maxWaitMs: 35_000 });
    expect(result).toMatchObject({ status: 'unavailable', reason: 'timeout' });
    expect(h.calls).toHaveLength(4);
  });

  it('returns aborted, without another request, once the signal aborts', async () => {
    const abort = new AbortController();
    const h = harness([json(202, { status: 'queued' }, { 'retry-after': '1' }), json(200, READY)]);
    const result = await fetchCredits({
      server: '',
      titleId: 'ep1',
      ...h,
      signal: abort.signal,
      sleep: async () => abort.abort(),
    });
    expect(result).toEqual({ status: 'aborted' });
    expect(h.calls).toHaveLength(1);
  });
});

describe('fetchCredits request timeout', () => {
  it('treats a server that never answers as unreachable', async () => {
    const hang = ((_url: string, init: RequestInit) =>
      new Promise((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(new Error('aborted by timeout')));
      })) as unknown as typeof globalThis.fetch;
    const result = await fetchCredits({
      server: '',
      titleId: 'ep1',
      fetch: hang,
      sleep: async () => {},
      requestTimeoutMs: 5,
      maxErrors: 2,
    });
    expect(result).toMatchObject({ status: 'unavailable', reason: 'unreachable' });
    expect((result as { message: string }).message).toContain('aborted by timeout');
  });
});

describe('trustedStart', () => {
  const credits = parseCredits('', 'ep1', READY);
  if (!credits) throw new Error('READY must parse');

  it('uses a detected start only when the detector was sure enough', () => {
    expect(trustedStart(credits, 0)).toBe(84.5);
    expect(trustedStart(credits, 0.97)).toBe(84.5);
    expect(trustedStart(credits, 0.98)).toBeNull();
    expect(trustedStart({ ...credits, confidence: null }, 0.5)).toBeNull();
  });

  it('always uses a start set by hand, and has nothing to use without credits', () => {
    expect(trustedStart({ ...credits, source: 'manual', confidence: 0.2 }, 0.9)).toBe(84.5);
    expect(trustedStart({ ...credits, creditsStart: null }, 0)).toBeNull();
  });
});
