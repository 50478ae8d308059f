/**
 * The video.js plugin in Debian's Chromium against an EndCue server: the card at the
 * credits start, the countdown, dismissing, keyboard use, seeking back, the fallback at
 * `ended` with the server down, and the same on HLS through VHS and hls.js.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, startBackend } from './plugin-backend.js';
import {
  ARTIFACTS,
  type Browser,
  buildPlugin,
  type Episode,
  events,
  launchBrowser,
  type PageConfig,
  type RecordedEvent,
  screenshot,
  waitForEvent,
} from './plugin-harness.js';

let backend: Backend;
let browser: Browser;

beforeAll(async () => {
  buildPlugin();
  backend = await startBackend();
  // As in production, the server has analysed these in the background before anyone
  // watches; the third episode is left for the test of the 202 polling path.
  for (const e of backend.episodes.slice(0, 2)) await backend.analyse(e.titleId);
  browser = await launchBrowser();
});

/** Media-time delay between the credits start and the card, ms, by test (an artifact). */
const lateness: Record<string, number> = {};

afterAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(
    path.join(ARTIFACTS, 'card-lateness-ms.json'),
    `${JSON.stringify(lateness, null, 2)}\n`,
  );
  await browser?.close();
  await backend?.close();
});

function episodes(kind: 'mp4' | 'hls'): Episode[] {
  return backend.episodes.map((e) => ({
    titleId: e.titleId,
    title: e.title,
    src: kind === 'mp4' ? `/media/${e.mp4}` : `/media/${e.hls}`,
    type: kind === 'mp4' ? 'video/mp4' : 'application/x-mpegURL',
  }));
}

async function open(
  config: Partial<PageConfig> & { endcue?: Record<string, unknown> },
): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(`${backend.url}/page.html`);
  const first = backend.episodes[0];
  if (!first) throw new Error('no episodes');
  const full: PageConfig = {
    engine: 'native',
    episodes: episodes('mp4'),
    startAt: first.creditsStart - 2,
    ...config,
    endcue: { countdown: 3, ...config.endcue },
  };
  await page.evaluate(
    (c) => (window as unknown as { start(c: PageConfig): Promise<void> }).start(c),
    full,
  );
  return page;
}

/** A loopback port that was just listening and is now closed: connection refused. */
async function deadServerUrl(): Promise<string> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const card = (page: Page) => page.locator('.vjs-endcue-card');
const focusPlayControl = (page: Page) =>
  page.evaluate(() => (document.querySelector('.vjs-play-control') as HTMLElement).focus());
const playerState = (page: Page) =>
  page.evaluate(() => {
    const p = (
      window as unknown as {
        player: { currentSrc(): string; currentTime(): number; paused(): boolean };
      }
    ).player;
    return { src: p.currentSrc(), time: p.currentTime(), paused: p.paused() };
  });

/** The card shows within 0.5 s (media time) of the credits start of episode 1. */
async function expectCardOnTime(page: Page, name: string): Promise<RecordedEvent> {
  const shown = await waitForEvent(page, 'shown');
  const creditsStart = backend.episodes[0]?.creditsStart ?? Number.NaN;
  expect(shown.data.variant).toBe('credits');
  expect(shown.time).toBeGreaterThanOrEqual(creditsStart);
  expect(shown.time - creditsStart).toBeLessThanOrEqual(0.5);
  lateness[name] = Math.round((shown.time - creditsStart) * 1000);
  await expect.poll(() => card(page).isVisible()).toBe(true);
  await screenshot(page, name);
  return shown;
}

describe('EndCue plugin in Chromium (mp4)', () => {
  it('shows the card at the credits start, counts down and plays the next episode', async () => {
    // The next episode comes from the server (series order), not from the page.
    const page = await open({ serverNext: true });
    const ready = await waitForEvent(page, 'ready');
    expect(ready.data.creditsStart).toBeCloseTo(backend.episodes[0]?.creditsStart ?? 0, 1);
    await expectCardOnTime(page, 'card-mp4');
    const title = await card(page).locator('.vjs-endcue-title').textContent();
    expect(title).toBe(backend.episodes[1]?.title);
    const next = await waitForEvent(page, 'next', 10_000);
    expect(next.data.auto).toBe(true);
    const seconds = (await events(page))
      .filter((e) => e.type === 'countdown')
      .map((e) => e.data.seconds);
    expect(seconds).toEqual([3, 2, 1]);
    // Episode 2 loads and plays: its source, time moving, not paused; the card is gone.
    const second = backend.episodes[1];
    await expect
      .poll(async () => (await playerState(page)).time, { timeout: 15_000 })
      .toBeGreaterThan(0.5);
    const state = await playerState(page);
    expect(state.src).toContain(second?.mp4);
    expect(state.paused).toBe(false);
    expect(await card(page).isVisible()).toBe(false);
    // And the plugin re-armed for episode 2: it asked the server about it.
    await expect
      .poll(async () =>
        (await events(page)).filter((e) => e.type === 'ready').map((e) => e.data.titleId),
      )
      .toEqual([backend.episodes[0]?.titleId, second?.titleId]);
    await page.close();
  });

  it('"Watch credits" dismisses the card and playback goes on', async () => {
    const page = await open({});
    await expectCardOnTime(page, 'card-before-watch-credits');
    await card(page).getByRole('button', { name: 'Watch credits' }).click();
    const dismissed = await waitForEvent(page, 'dismissed');
    expect(dismissed.data.reason).toBe('watch-credits');
    expect(await card(page).isVisible()).toBe(false);
    const before = await playerState(page);
    await page.waitForTimeout(3500);
    const after = await playerState(page);
    expect(after.src).toBe(before.src);
    expect(after.time).toBeGreaterThan(before.time + 2);
    expect((await events(page)).some((e) => e.type === 'next')).toBe(false);
    await page.close();
  });

  it('is usable by keyboard alone: focus moves to the card, Escape dismisses, Tab + Enter plays next', async () => {
    const page = await open({ endcue: { countdown: 30 } });
    // The viewer is in the player (its play button): the card takes focus from there.
    await focusPlayControl(page);
    await expectCardOnTime(page, 'card-keyboard-focus');
    const focused = () => page.evaluate(() => document.activeElement?.className ?? '');
    expect(await focused()).toContain('vjs-endcue-play');
    await page.keyboard.press('Escape');
    expect((await waitForEvent(page, 'dismissed')).data.reason).toBe('escape');
    expect(await card(page).isVisible()).toBe(false);
    // Focus went back where it was (the player), not lost to <body>.
    expect(
      await page.evaluate(() => ({
        inCard: Boolean(
          document.querySelector('.vjs-endcue-card')?.contains(document.activeElement),
        ),
        inPlayer: Boolean(document.getElementById('player')?.contains(document.activeElement)),
      })),
    ).toEqual({ inCard: false, inPlayer: true });
    await page.close();

    const again = await open({ endcue: { countdown: 30 } });
    await focusPlayControl(again);
    await waitForEvent(again, 'shown');
    await again.keyboard.press('Tab');
    expect(await again.evaluate(() => document.activeElement?.textContent)).toBe('Watch credits');
    await again.keyboard.press('Shift+Tab');
    await again.keyboard.press('Enter');
    const next = await waitForEvent(again, 'next');
    expect(next.data.auto).toBe(false);
    await expect
      .poll(async () => (await playerState(again)).src)
      .toContain(backend.episodes[1]?.mp4);
    await again.close();
  });

  it('announces once, pauses for a hidden tab, respects reduced motion, keeps controls usable', async () => {
    const page = await browser.newPage();
    await page.emulateMedia({ reducedMotion: 'reduce' });
    await page.goto(`${backend.url}/page.html`);
    const first = backend.episodes[0];
    await page.evaluate(
      (c) => (window as unknown as { start(c: PageConfig): Promise<void> }).start(c),
      {
        engine: 'native',
        episodes: episodes('mp4'),
        startAt: (first?.creditsStart ?? 0) - 1,
        titleIdVia: 'attribute',
        endcue: { countdown: 8 },
      } satisfies PageConfig,
    );
    const shown = await waitForEvent(page, 'shown');
    expect(shown.data.titleId).toBe(first?.titleId);
    const live = page.locator('.vjs-endcue-live');
    expect(await live.textContent()).toBe(
      `Next episode: ${backend.episodes[1]?.title}. Plays in 8 seconds.`,
    );
    await page.evaluate(() => {
      const w = window as unknown as { liveChanges: number };
      w.liveChanges = 0;
      new MutationObserver((m) => {
        w.liveChanges += m.length;
      }).observe(document.querySelector('.vjs-endcue-live') as Node, {
        childList: true,
        characterData: true,
        subtree: true,
      });
    });
    // Reduced motion: no entrance animation, no shrink.
    const motion = await page.evaluate(() => ({
      animation: getComputedStyle(document.querySelector('.vjs-endcue-card') as Element)
        .animationName,
      transform: getComputedStyle(document.querySelector('.vjs-tech') as Element).transform,
    }));
    expect(motion).toEqual({ animation: 'none', transform: 'none' });
    // The control bar still takes clicks where the card is not.
    const hit = await page.evaluate(() => {
      const button = document.querySelector('.vjs-play-control') as HTMLElement;
      const r = button.getBoundingClientRect();
      return (
        document
          .elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)
          ?.closest('.vjs-play-control') === button
      );
    });
    expect(hit).toBe(true);
    await page.waitForTimeout(2200);
    const countdowns = async () =>
      (await events(page)).filter((e) => e.type === 'countdown').length;
    const ticking = await countdowns();
    expect(ticking).toBeGreaterThanOrEqual(3);
    // Tab hidden: the countdown stops (the video may go on); visible again: it resumes.
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await page.waitForTimeout(2500);
    expect(await countdowns()).toBe(ticking);
    await page.evaluate(() => {
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
      document.dispatchEvent(new Event('visibilitychange'));
    });
    await expect.poll(countdowns, { timeout: 3000 }).toBeGreaterThan(ticking);
    // The ticking countdown was never re-announced.
    expect(
      await page.evaluate(() => (window as unknown as { liveChanges: number }).liveChanges),
    ).toBe(0);
    await page.close();
  });

  it('seeking back before the credits hides the card and re-arms it', async () => {
    const page = await open({ endcue: { countdown: 30 } });
    await expectCardOnTime(page, 'card-before-seek-back');
    const creditsStart = backend.episodes[0]?.creditsStart ?? 0;
    await page.evaluate(
      (t) =>
        (window as unknown as { player: { currentTime(t: number): void } }).player.currentTime(t),
      creditsStart - 1.5,
    );
    await expect.poll(() => card(page).isVisible()).toBe(false);
    await page.waitForFunction(
      () =>
        (window as unknown as { endcueEvents: RecordedEvent[] }).endcueEvents.filter(
          (e) => e.type === 'shown',
        ).length === 2,
      undefined,
      { timeout: 10_000, polling: 50 },
    );
    const shown = (await events(page)).filter((e) => e.type === 'shown');
    expect(shown[1]?.time).toBeGreaterThanOrEqual(creditsStart);
    expect((shown[1]?.time ?? 99) - creditsStart).toBeLessThanOrEqual(0.5);
    await page.close();
  });

  it('falls back to a card at `ended` when the server is down', async () => {
    const first = backend.episodes[0];
    const page = await open({
      startAt: (first?.duration ?? 0) - 2,
      endcue: { server: await deadServerUrl(), countdown: 3, endedCountdown: 2 },
    });
    const error = await waitForEvent(page, 'error');
    expect(error.data.code).toBe('unreachable');
    const shown = await waitForEvent(page, 'shown', 20_000);
    expect(shown.data.variant).toBe('ended');
    expect(shown.time).toBeGreaterThan((first?.duration ?? 0) - 0.5);
    await screenshot(page, 'card-fallback-ended');
    expect(await card(page).getByRole('button', { name: 'Close' }).isVisible()).toBe(true);
    const next = await waitForEvent(page, 'next', 10_000);
    expect(next.data.auto).toBe(true);
    await expect
      .poll(async () => (await playerState(page)).src)
      .toContain(backend.episodes[1]?.mp4);
    await page.close();
  });
});

describe('EndCue plugin in Chromium: minConfidence', () => {
  it('waits for `ended` instead of the credits start the detector was less sure of', async () => {
    const first = backend.episodes[0];
    // The test backend answers confidence 0.99.
    const page = await open({ endcue: { minConfidence: 0.995, endedCountdown: 2 } });
    const ready = await waitForEvent(page, 'ready');
    expect(ready.data).toMatchObject({ creditsStart: null, fallback: true, unsure: true });
    expect((ready.data.credits as { creditsStart: number }).creditsStart).toBeCloseTo(
      first?.creditsStart ?? 0,
      1,
    );
    const shown = await waitForEvent(page, 'shown', 30_000);
    expect(shown.data.variant).toBe('ended');
    expect(shown.time).toBeGreaterThan((first?.duration ?? 0) - 0.5);
    await page.close();
  });
});

describe('EndCue plugin in Chromium: server still analysing, language, binge limit', () => {
  it('polls while the server answers 202 and still shows the card on time', async () => {
    const [ep1, , ep3] = backend.episodes;
    if (!ep1 || !ep3) throw new Error('fixtures missing');
    const list = episodes('mp4');
    // Episode 3 was never asked for: the first request enqueues its analysis.
    const page = await open({
      episodes: [list[2] as Episode, list[0] as Episode],
      startAt: ep3.creditsStart - 5,
    });
    const shown = await waitForEvent(page, 'shown', 20_000);
    expect(shown.data.titleId).toBe(ep3.titleId);
    expect(shown.time - ep3.creditsStart).toBeGreaterThanOrEqual(0);
    expect(shown.time - ep3.creditsStart).toBeLessThanOrEqual(0.5);
    const asks = await page.evaluate(
      (id) =>
        performance
          .getEntriesByType('resource')
          .filter((r) => r.name.endsWith(`/v1/titles/${id}/credits`)).length,
      ep3.titleId,
    );
    expect(asks).toBeGreaterThanOrEqual(2);
    expect(backend.detections.get(path.basename(ep3.mp4))).toBe(1);
    await page.close();
  });

  it('"Skip credits" jumps to the post-credits scene, and the card returns at `ended`', async () => {
    const ep3 = backend.episodes[2];
    const post = ep3?.postCreditsStart;
    if (!ep3 || post == null) throw new Error('episode 3 needs a post-credits scene');
    await backend.analyse(ep3.titleId);
    const list = episodes('mp4');
    const page = await open({
      episodes: [list[2] as Episode, list[0] as Episode],
      startAt: ep3.creditsStart - 1,
      titleIdVia: 'option',
      endcue: { skipCredits: true, countdown: 30, endedCountdown: 30 },
    });
    const ready = await waitForEvent(page, 'ready');
    expect((ready.data.credits as { postCreditsStart: number }).postCreditsStart).toBeCloseTo(
      post,
      1,
    );
    await waitForEvent(page, 'shown');
    await screenshot(page, 'card-skip-credits');
    await card(page).getByRole('button', { name: 'Skip credits' }).click();
    expect((await waitForEvent(page, 'dismissed')).data.reason).toBe('skip-credits');
    const after = await playerState(page);
    expect(after.time).toBeGreaterThanOrEqual(post - 0.1);
    expect(after.time).toBeLessThan(post + 1.5);
    expect(await card(page).isVisible()).toBe(false);
    await page.waitForFunction(
      () =>
        (window as unknown as { endcueEvents: RecordedEvent[] }).endcueEvents.some(
          (e) => e.type === 'shown' && e.data.variant === 'ended',
        ),
      undefined,
      { timeout: 15_000, polling: 100 },
    );
    await page.close();
  });

  it('speaks German and asks "Are you still watching?" when the binge limit is reached', async () => {
    const page = await open({
      language: 'de',
      startAt: (backend.episodes[0]?.creditsStart ?? 0) - 1,
      endcue: { countdown: 2, bingeLimit: { episodes: 0 } },
    });
    await waitForEvent(page, 'shown');
    await expect
      .poll(() => card(page).locator('.vjs-endcue-heading').textContent())
      .toBe('Nächste Folge');
    expect(await card(page).locator('.vjs-endcue-countdown').textContent()).toMatch(
      /^Nächste Folge in [12] s$/,
    );
    await waitForEvent(page, 'stillwatching', 10_000);
    expect(await card(page).locator('.vjs-endcue-heading').textContent()).toBe('Schaust du noch?');
    await screenshot(page, 'card-still-watching-de');
    expect((await events(page)).some((e) => e.type === 'next')).toBe(false);
    await card(page).getByRole('button', { name: 'Weiterschauen' }).click();
    const next = await waitForEvent(page, 'next');
    expect(next.data.auto).toBe(false);
    await page.close();
  });
});

describe('EndCue plugin in Chromium (HLS)', () => {
  for (const engine of ['vhs', 'hlsjs'] as const) {
    it(`shows the card on time and plays the next episode through ${engine}`, async () => {
      const page = await open({ engine, episodes: episodes('hls') });
      await expectCardOnTime(page, `card-hls-${engine}`);
      const tech = await page.evaluate(() => {
        const t = (
          window as unknown as { player: { tech(x: boolean): Record<string, unknown> } }
        ).player.tech(true);
        return { vhs: Boolean(t.vhs), hlsjs: Boolean(t.hlsjs) };
      });
      expect(tech).toEqual({ vhs: engine === 'vhs', hlsjs: engine === 'hlsjs' });
      await waitForEvent(page, 'next', 10_000);
      await expect
        .poll(async () => (await playerState(page)).time, { timeout: 15_000 })
        .toBeGreaterThan(0.5);
      const state = await playerState(page);
      expect(state.src).toContain(backend.episodes[1]?.hls);
      expect(state.paused).toBe(false);
      await page.close();
    });
  }
});
