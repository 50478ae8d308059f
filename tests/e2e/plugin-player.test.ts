/**
 * The plugin on a real streaming site (issue 20), in Debian's Chromium against an EndCue
 * server: the card never takes focus or keys from the page, the control-bar "Next episode"
 * button and Shift+N, remote/D-pad keys, the compact card on a phone, per-kind actions.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
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
  waitForEvent,
} from './plugin-harness.js';

let backend: Backend;
let browser: Browser;

beforeAll(async () => {
  buildPlugin();
  backend = await startBackend();
  for (const e of backend.episodes) await backend.analyse(e.titleId);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await backend?.close();
});

function episodes(): Episode[] {
  return backend.episodes.map((e) => ({
    titleId: e.titleId,
    title: e.title,
    src: `/media/${e.mp4}`,
    type: 'video/mp4',
  }));
}

/** The test page, with `before` run in it ahead of `start` (page fields, styles). */
async function open(
  config: Partial<PageConfig> & { endcue?: Record<string, unknown> },
  before?: (page: Page) => Promise<void>,
  target: Browser = browser,
): Promise<Page> {
  const page = await target.newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(`${backend.url}/page.html`);
  await before?.(page);
  const full: PageConfig = {
    engine: 'native',
    episodes: episodes(),
    startAt: (backend.episodes[0]?.creditsStart ?? 0) - 1.5,
    ...config,
    endcue: { countdown: 30, ...config.endcue },
  };
  await page.evaluate(
    (c) => (window as unknown as { start(c: PageConfig): Promise<void> }).start(c),
    full,
  );
  return page;
}

const card = (page: Page) => page.locator('.vjs-endcue-card');
const focused = (page: Page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    return a?.id || a?.textContent || a?.className || '';
  });
const currentSrc = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { player: { currentSrc(): string } }).player.currentSrc(),
  );
/** Focus inside the player, as after the viewer used its controls. */
const focusPlayer = (page: Page) =>
  page.evaluate(() => (document.querySelector('.vjs-play-control') as HTMLElement).focus());

/** A text field on the page, above the player. */
const addSearchField = (page: Page) =>
  page.evaluate(() => {
    const input = document.createElement('input');
    input.id = 'search';
    input.setAttribute('aria-label', 'Search');
    document.body.prepend(input);
  });

describe('focus and keys belong to the page unless the viewer is in the player', () => {
  it('a page text field keeps focus while the card shows, and typing goes on unharmed', async () => {
    const page = await open({}, addSearchField);
    await page.focus('#search');
    await page.keyboard.type('credits ');
    await waitForEvent(page, 'shown');
    await expect.poll(() => card(page).isVisible()).toBe(true);
    // Space, Enter and Escape go to the field, not to the card or the player.
    await page.keyboard.type('and more ');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.keyboard.type('text');
    expect(await focused(page)).toBe('search');
    expect(await page.inputValue('#search')).toBe('credits and more text');
    const types = (await events(page)).map((e) => e.type);
    expect(types).not.toContain('next');
    expect(types).not.toContain('dismissed');
    expect(await card(page).isVisible()).toBe(true);
    // Still announced, and reachable: Tab from the page goes into the player.
    expect(await page.locator('.vjs-endcue-live').textContent()).toContain('Next episode');
    expect(await card(page).getByRole('button', { name: 'Play next' }).isVisible()).toBe(true);
    await page.close();
  });

  it('moves focus to "Play next" when focus was inside the player', async () => {
    const page = await open({});
    await focusPlayer(page);
    await waitForEvent(page, 'shown');
    await expect.poll(() => focused(page)).toBe('Play next');
    await page.close();
  });
});

describe('"Next episode" in the control bar and Shift+N', () => {
  it('the control-bar button starts the next title, and is hidden without one', async () => {
    const page = await open({ startAt: 2 });
    const button = page.locator('.vjs-control-bar').getByRole('button', { name: 'Next episode' });
    await expect.poll(() => button.isVisible()).toBe(true);
    expect(await button.getAttribute('title')).toBe('Next episode (Shift+N)');
    // Placed right after the play button.
    expect(
      await page.evaluate(
        () => document.querySelector('.vjs-play-control')?.nextElementSibling?.className,
      ),
    ).toContain('vjs-endcue-next');
    await page.evaluate(() =>
      (window as unknown as { player: { endcue(): { setNext(n: null): void } } }).player
        .endcue()
        .setNext(null),
    );
    expect(await button.isVisible()).toBe(false);
    await page.close();

    const again = await open({ startAt: 2 });
    const next = again.locator('.vjs-control-bar').getByRole('button', { name: 'Next episode' });
    await expect.poll(() => next.isVisible()).toBe(true);
    await again.hover('.video-js');
    await next.click();
    expect((await waitForEvent(again, 'next')).data.auto).toBe(false);
    await expect.poll(() => currentSrc(again)).toContain(backend.episodes[1]?.mp4);
    await again.close();
  });

  it('Shift+N starts the next title while focus is in the player, not while typing on the page', async () => {
    const page = await open({ startAt: 2 }, addSearchField);
    await page.focus('#search');
    await page.keyboard.press('Shift+N');
    expect(await page.inputValue('#search')).toBe('N');
    await page.waitForTimeout(300);
    expect((await events(page)).some((e) => e.type === 'next')).toBe(false);
    await focusPlayer(page);
    await page.keyboard.press('Shift+N');
    expect((await waitForEvent(page, 'next')).data.auto).toBe(false);
    await expect.poll(() => currentSrc(page)).toContain(backend.episodes[1]?.mp4);
    await page.close();
  });

  it('both can be turned off', async () => {
    const page = await open({ startAt: 2, endcue: { nextButton: false, nextHotkey: false } });
    await waitForEvent(page, 'ready');
    expect(await page.locator('.vjs-endcue-next').count()).toBe(0);
    await focusPlayer(page);
    await page.keyboard.press('Shift+N');
    await page.waitForTimeout(300);
    expect((await events(page)).some((e) => e.type === 'next')).toBe(false);
    await page.close();
  });
});

describe('remote / D-pad', () => {
  it('arrow keys move focus between the card buttons, Enter activates', async () => {
    const page = await open({});
    await focusPlayer(page);
    await waitForEvent(page, 'shown');
    await expect.poll(() => focused(page)).toBe('Play next');
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toBe('Watch credits');
    // The last button stays focused: focus never leaves the card for the page.
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toBe('Watch credits');
    await page.keyboard.press('ArrowLeft');
    expect(await focused(page)).toBe('Play next');
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('Watch credits');
    await page.keyboard.press('ArrowUp');
    expect(await focused(page)).toBe('Play next');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    expect((await waitForEvent(page, 'dismissed')).data.reason).toBe('watch-credits');
    await page.close();
  });

  it('tv: focus on show wherever it was, Back dismisses, larger targets', async () => {
    const page = await open({ endcue: { tv: true, skipCredits: true } });
    await waitForEvent(page, 'shown');
    await expect.poll(() => focused(page)).toBe('Play next');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await focused(page)).toBe('Skip credits');
    const height = await card(page).getByRole('button', { name: 'Skip credits' }).boundingBox();
    expect(height?.height).toBeGreaterThanOrEqual(44);
    // A TV remote's Back (Android TV browsers send 'GoBack'; Playwright has no such key).
    await page.evaluate(() =>
      document.activeElement?.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'GoBack', bubbles: true }),
      ),
    );
    expect((await waitForEvent(page, 'dismissed')).data.reason).toBe('escape');
    await page.close();
  });
});

type Box = { x: number; y: number; width: number; height: number };
const inside = (a: Box, b: Box) =>
  a.x >= b.x && a.y >= b.y && a.x + a.width <= b.x + b.width && a.y + a.height <= b.y + b.height;

describe('small players', () => {
  it('360x640 touch: compact card, 44 px primary button inside the player, 14 px text', async () => {
    const phone = await launchBrowser({ viewport: { width: 360, height: 640 }, hasTouch: true });
    const long = 'Episode 2: The Long Way Round to the Lighthouse at the End of the Northern Sea';
    const list = episodes().map((e, i) =>
      i === 1 ? ({ ...e, title: long, poster: '/media/missing-poster.jpg' } as Episode) : e,
    );
    try {
      const page = await open(
        { episodes: list, endcue: { skipCredits: true } },
        async (p) => {
          await p.addStyleTag({
            content: '.video-js{width:calc(100vw - 48px);height:calc((100vw - 48px) * 9 / 16)}',
          });
        },
        phone,
      );
      await waitForEvent(page, 'shown');
      await expect.poll(() => card(page).isVisible()).toBe(true);
      await page.waitForTimeout(600);
      const player = (await page.locator('.video-js').boundingBox()) as Box;
      expect(player.width).toBe(312);
      expect(await page.locator('.video-js').getAttribute('class')).toContain('vjs-endcue-compact');
      const play = card(page).getByRole('button', { name: 'Play next' });
      const watch = card(page).getByRole('button', { name: 'Watch credits' });
      const playBox = (await play.boundingBox()) as Box;
      const watchBox = (await watch.boundingBox()) as Box;
      const cardBox = (await card(page).boundingBox()) as Box;
      console.log('compact card at 360x640:', { player, cardBox, playBox, watchBox });
      expect(playBox.height).toBeGreaterThanOrEqual(44);
      expect(inside(playBox, player)).toBe(true);
      expect(inside(watchBox, player)).toBe(true);
      expect(inside(cardBox, player)).toBe(true);
      const sizes = await card(page).evaluate((c) =>
        [...c.querySelectorAll('.vjs-endcue-title, .vjs-endcue-countdown, button')]
          .filter((e) => (e as HTMLElement).offsetParent !== null)
          .map((e) => Number.parseFloat(getComputedStyle(e).fontSize)),
      );
      expect(sizes.length).toBeGreaterThanOrEqual(4);
      expect(Math.min(...sizes)).toBeGreaterThanOrEqual(14);
      // The compact card passes axe too (the card only: video.js's bar fades on its own).
      const axe = await new AxeBuilder({ page }).include('.vjs-endcue').analyze();
      expect(axe.violations.map((v) => v.id)).toEqual([]);
      // The broken poster is hidden; the whole title is there to read.
      expect(await card(page).locator('.vjs-endcue-poster').isVisible()).toBe(false);
      expect(await card(page).locator('.vjs-endcue-title').getAttribute('title')).toBe(long);
      mkdirSync(ARTIFACTS, { recursive: true });
      // The player only (docs/card-compact.png is this picture).
      await page.screenshot({ path: path.join(ARTIFACTS, 'card-compact.png'), clip: player });
      await play.tap();
      expect((await waitForEvent(page, 'next')).data.auto).toBe(false);
      await page.close();
    } finally {
      await phone.close();
    }
  });

  it('right-to-left: the card sits on the left', async () => {
    const page = await open({}, (p) =>
      p.evaluate(() => document.documentElement.setAttribute('dir', 'rtl')),
    );
    await waitForEvent(page, 'shown');
    await expect.poll(() => card(page).isVisible()).toBe(true);
    const player = (await page.locator('.video-js').boundingBox()) as Box;
    const box = (await card(page).boundingBox()) as Box;
    expect(box.x + box.width).toBeLessThan(player.x + player.width / 2);
    await page.close();
  });
});

const playerTime = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { player: { currentTime(): number } }).player.currentTime(),
  );

describe("credits: 'ask' | 'auto' | 'off'", () => {
  it('auto reaches the next title without a click, after a short notice', async () => {
    const page = await open({ endcue: { credits: 'auto' } });
    await waitForEvent(page, 'shown');
    expect(await card(page).locator('.vjs-endcue-countdown').textContent()).toBe(
      'Next episode in 3 s',
    );
    const next = await waitForEvent(page, 'next', 10_000);
    expect(next.data.auto).toBe(true);
    await expect.poll(() => currentSrc(page)).toContain(backend.episodes[1]?.mp4);
    await page.close();
  });

  it('auto skips to a post-credits scene when there is one', async () => {
    const ep3 = backend.episodes[2];
    const post = ep3?.postCreditsStart;
    if (!ep3 || post == null) throw new Error('episode 3 needs a post-credits scene');
    const list = episodes();
    const page = await open({
      episodes: [list[2] as Episode, list[0] as Episode],
      startAt: ep3.creditsStart - 1,
      endcue: { credits: 'auto' },
    });
    await waitForEvent(page, 'shown');
    expect(await card(page).locator('.vjs-endcue-countdown').textContent()).toContain(
      'Skipping credits',
    );
    expect((await waitForEvent(page, 'dismissed', 10_000)).data.reason).toBe('skip-credits');
    expect(await playerTime(page)).toBeGreaterThanOrEqual(post - 0.1);
    expect((await events(page)).some((e) => e.type === 'next')).toBe(false);
    await page.close();
  });

  it('off shows nothing at the credits start', async () => {
    const start = backend.episodes[0]?.creditsStart ?? 0;
    const page = await open({ endcue: { credits: 'off' } });
    await waitForEvent(page, 'ready');
    await expect.poll(() => playerTime(page), { timeout: 10_000 }).toBeGreaterThan(start + 1.5);
    expect((await events(page)).some((e) => e.type === 'shown')).toBe(false);
    expect(await card(page).isVisible()).toBe(false);
    await page.close();
  });
});

describe('"Skip credits" without a post-credits scene', () => {
  it('plays the next title directly, with no second card', async () => {
    const page = await open({ endcue: { skipCredits: true } });
    await waitForEvent(page, 'shown');
    await card(page).getByRole('button', { name: 'Skip credits' }).click();
    expect((await waitForEvent(page, 'next')).data.auto).toBe(false);
    await expect.poll(() => currentSrc(page)).toContain(backend.episodes[1]?.mp4);
    const shown = (await events(page)).filter((e) => e.type === 'shown');
    expect(shown.map((e) => e.data.variant)).toEqual(['credits']);
    await page.close();
  });
});

describe('binge limit', () => {
  it('"Are you still watching?" pauses playback behind it; Continue watching plays on', async () => {
    const page = await open({ endcue: { countdown: 2, bingeLimit: { episodes: 0 } } });
    await waitForEvent(page, 'stillwatching', 15_000);
    const paused = () =>
      page.evaluate(() => (window as unknown as { player: { paused(): boolean } }).player.paused());
    await expect.poll(paused).toBe(true);
    const at = await playerTime(page);
    await page.waitForTimeout(500);
    expect(await playerTime(page)).toBe(at);
    await card(page).getByRole('button', { name: 'Continue watching' }).click();
    await expect.poll(() => currentSrc(page)).toContain(backend.episodes[1]?.mp4);
    await expect.poll(paused).toBe(false);
    await page.close();
  });
});

describe('accessibility', () => {
  it('axe finds no violations in the player with the card shown', async () => {
    const page = await open({ endcue: { skipCredits: true } });
    await focusPlayer(page);
    // Keep the control bar fully shown: while it fades out (video.js: after 2 s without
    // activity) axe measures its text against a half-transparent bar and reports contrast.
    await page.evaluate(() => {
      const p = (
        window as unknown as {
          player: { options_: { inactivityTimeout: number }; userActive(on: boolean): void };
        }
      ).player;
      p.options_.inactivityTimeout = 0;
      p.userActive(true);
    });
    await waitForEvent(page, 'shown');
    await expect.poll(() => card(page).isVisible()).toBe(true);
    await page.waitForTimeout(600); // the entrance animation (colour contrast is measured)
    expect(await page.locator('.video-js').getAttribute('class')).toContain('vjs-user-active');
    const results = await new AxeBuilder({ page }).include('.video-js').analyze();
    // The card's buttons were checked (and passed), not just the rest of the player.
    const named = results.passes.find((p) => p.id === 'button-name');
    expect(named?.nodes.some((n) => n.target.join(' ').includes('vjs-endcue-play'))).toBe(true);
    expect(
      results.violations.map(
        (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      ),
    ).toEqual([]);
    await page.close();
  });
});
