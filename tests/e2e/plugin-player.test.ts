/**
 * The plugin on a real streaming site (issue 20), in Debian's Chromium against an EndCue
 * server: the card never takes focus or keys from the page, the control-bar "Next episode"
 * button and Shift+N, remote/D-pad keys, the compact card on a phone, per-kind actions.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, startBackend } from './plugin-backend.js';
import {
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
/** Focus inside the player, as after the viewer used its controls. */
const focusPlayer = (page: Page) =>
  page.evaluate(() => (document.querySelector('.vjs-play-control') as HTMLElement).focus());

describe('focus and keys belong to the page unless the viewer is in the player', () => {
  it('a page text field keeps focus while the card shows, and typing goes on unharmed', async () => {
    const page = await open({}, async (p) => {
      await p.evaluate(() => {
        const input = document.createElement('input');
        input.id = 'search';
        input.setAttribute('aria-label', 'Search');
        document.body.prepend(input);
      });
    });
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
