/**
 * The plugin in Chromium when the EndCue server misbehaves (issue 9): slow (answers after
 * 10 s), 500s, garbage JSON, a credits time past the duration. Playback must go on as if
 * there were no plugin, and the card must fall back to `ended`. The page and media come from
 * the usual e2e backend; the plugin's `server` option points at a small node:http server
 * whose /<case>/v1/titles/:id/credits misbehaves (CORS open, as a real API on another
 * origin would be, so the plugin reads the bad answer rather than a blocked request).
 */
import http from 'node:http';
import type net from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, startBackend } from './plugin-backend.js';
import {
  type Browser,
  buildPlugin,
  events,
  launchBrowser,
  type PageConfig,
  type RecordedEvent,
  waitForEvent,
} from './plugin-harness.js';

type Case = 'slow' | 'error' | 'garbage' | 'past-end';

const SLOW_MS = 10_000;

let backend: Backend;
let browser: Browser;
let bad: http.Server;
let badUrl: string;
/** Credits requests the misbehaving server got, by case. */
const asked = new Map<Case, number>();
const slowTimers = new Set<NodeJS.Timeout>();

function misbehave(req: http.IncomingMessage, res: http.ServerResponse): void {
  const match = /^\/([a-z-]+)\/v1\/titles\/[^/]+\/credits$/.exec(req.url ?? '');
  const which = match?.[1] as Case | undefined;
  res.setHeader('access-control-allow-origin', '*');
  if (!which) {
    res.writeHead(404).end();
    return;
  }
  asked.set(which, (asked.get(which) ?? 0) + 1);
  const duration = backend.episodes[0]?.duration ?? 24;
  const json = (status: number, body: unknown) =>
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  switch (which) {
    case 'slow': {
      // A well-formed answer, but only after 10 s: long after this short title has ended.
      const timer = setTimeout(() => {
        slowTimers.delete(timer);
        json(200, { creditsStart: duration - 8, creditsEnd: duration, duration, segments: [] });
      }, SLOW_MS);
      slowTimers.add(timer);
      return;
    }
    case 'error':
      json(500, { error: { code: 'internal', message: 'boom' } });
      return;
    case 'garbage':
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"creditsStart": 1');
      return;
    case 'past-end':
      json(200, {
        creditsStart: duration + 30,
        creditsEnd: duration + 40,
        duration,
        confidence: 0.9,
        segments: [{ kind: 'credits', start: duration + 30, end: duration + 40 }],
      });
      return;
  }
}

beforeAll(async () => {
  buildPlugin();
  backend = await startBackend();
  bad = http.createServer(misbehave);
  await new Promise<void>((resolve) => bad.listen(0, '127.0.0.1', resolve));
  badUrl = `http://127.0.0.1:${(bad.address() as net.AddressInfo).port}`;
  browser = await launchBrowser();
});

afterAll(async () => {
  for (const timer of slowTimers) clearTimeout(timer);
  await browser?.close();
  bad?.closeAllConnections();
  await new Promise<void>((resolve) => (bad ? bad.close(() => resolve()) : resolve()));
  await backend?.close();
});

const playerState = (page: Page) =>
  page.evaluate(() => {
    const p = (
      window as unknown as {
        player: {
          currentSrc(): string;
          currentTime(): number;
          paused(): boolean;
          error(): unknown;
          el(): HTMLElement;
        };
      }
    ).player;
    return {
      src: p.currentSrc(),
      time: p.currentTime(),
      paused: p.paused(),
      error: p.error() !== null,
      errorShown: p.el().classList.contains('vjs-error'),
    };
  });

/** Episode 1 from 3 s before its end, credits asked of the misbehaving server. */
async function open(which: Case): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(`${backend.url}/page.html`);
  const first = backend.episodes[0];
  if (!first) throw new Error('no episodes');
  const config: PageConfig = {
    engine: 'native',
    episodes: backend.episodes.map((e) => ({
      titleId: e.titleId,
      title: e.title,
      src: `/media/${e.mp4}`,
      type: 'video/mp4',
    })),
    startAt: first.duration - 3,
    endcue: { server: `${badUrl}/${which}`, countdown: 3, endedCountdown: 2 },
  };
  await page.evaluate(
    (c) => (window as unknown as { start(c: PageConfig): Promise<void> }).start(c),
    config,
  );
  return page;
}

/**
 * What every case must show: time moves on with no error overlay, the only card is the
 * `ended` fallback, it counts down and the next episode then plays.
 */
async function expectPlaysOnAndFallsBack(page: Page): Promise<RecordedEvent[]> {
  const ep1 = backend.episodes[0];
  const ep2 = backend.episodes[1];
  if (!ep1 || !ep2) throw new Error('fixtures missing');
  const start = await playerState(page);
  expect(start.src).toContain(ep1.mp4);
  await expect
    .poll(async () => (await playerState(page)).time, { timeout: 5_000 })
    .toBeGreaterThan(start.time + 1);
  const playing = await playerState(page);
  expect(playing).toMatchObject({ paused: false, error: false, errorShown: false });

  const shown = await waitForEvent(page, 'shown', 10_000);
  expect(shown.data.variant).toBe('ended');
  expect(shown.time).toBeGreaterThan(ep1.duration - 0.5);
  expect(await page.locator('.vjs-endcue-card').isVisible()).toBe(true);
  const next = await waitForEvent(page, 'next', 10_000);
  expect(next.data.auto).toBe(true);
  // Episode 2 plays normally too (its credits come from the same bad server).
  await expect.poll(async () => (await playerState(page)).src).toContain(ep2.mp4);
  await expect
    .poll(async () => (await playerState(page)).time, { timeout: 10_000 })
    .toBeGreaterThan(0.5);
  const after = await playerState(page);
  expect(after).toMatchObject({ paused: false, error: false, errorShown: false });
  const all = await events(page);
  // Never a `credits` card: the plugin had no usable credits time.
  expect(all.filter((e) => e.type === 'shown').map((e) => e.data.variant)).toEqual(['ended']);
  return all;
}

describe('EndCue plugin in Chromium with a misbehaving server', () => {
  it('slow server (answers after 10 s): no waiting, the `ended` card and the next episode', async () => {
    const page = await open('slow');
    const all = await expectPlaysOnAndFallsBack(page);
    expect(asked.get('slow')).toBeGreaterThanOrEqual(1);
    // Everything above happened while the credits request was still unanswered.
    const firstNext = all.findIndex((e) => e.type === 'next');
    expect(all.slice(0, firstNext).some((e) => e.type === 'ready')).toBe(false);
    await page.close();
  });

  it('server answering 500: retries, reports `unreachable`, falls back to `ended`', async () => {
    const page = await open('error');
    await expectPlaysOnAndFallsBack(page);
    const error = await waitForEvent(page, 'error', 10_000);
    expect(error.data.code).toBe('unreachable');
    expect(asked.get('error')).toBeGreaterThanOrEqual(3);
    await page.close();
  });

  it('garbage JSON: reports `invalid`, falls back to `ended`', async () => {
    const page = await open('garbage');
    await expectPlaysOnAndFallsBack(page);
    const error = await waitForEvent(page, 'error');
    expect(error.data.code).toBe('invalid');
    const ready = await waitForEvent(page, 'ready');
    expect(ready.data).toMatchObject({ creditsStart: null, fallback: true });
    await page.close();
  });

  it('credits time past the duration: never shown early, falls back to `ended`', async () => {
    const page = await open('past-end');
    const ready = await waitForEvent(page, 'ready');
    const duration = backend.episodes[0]?.duration ?? 0;
    expect(ready.data.creditsStart).toBeGreaterThan(duration);
    await expectPlaysOnAndFallsBack(page);
    await page.close();
  });
});
