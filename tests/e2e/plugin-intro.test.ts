/**
 * "Skip intro" (issue 22) in Debian's Chromium against an EndCue server whose season job
 * stores an intro for the first episode (the season analysis is a fake that answers it at
 * once; the job, the store and the credits answer are the product's). Two other answers
 * are made on the way to the page: an intro only as a segment (a server without the field)
 * and a first answer still 'pending'.
 */
import { AxeBuilder } from '@axe-core/playwright';
import type { Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backend, startBackend } from './plugin-backend.js';
import {
  type Browser,
  buildPlugin,
  type Episode,
  events,
  launchBrowser,
  type PageConfig,
  screenshot,
  waitForEvent,
} from './plugin-harness.js';

let backend: Backend;
let browser: Browser;

beforeAll(async () => {
  buildPlugin();
  backend = await startBackend({ intros: [INTRO, null, null] });
  for (const e of backend.episodes) await backend.analyse(e.titleId);
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await backend?.close();
});

/** The first episode's intro (its credits start at 16 s): after a 3 s cold open, 8 s long. */
const INTRO = { start: 3, end: 11, confidence: 0.9 };

/** Only as a segment, or 'pending' first (the season not compared yet). */
type Shape = 'segment' | 'pending';

/**
 * The server's real credits answer changed on its way: the intro only as a segment (a
 * server without the field), or the first answer 'pending'.
 */
async function withIntro(route: Route, shape: Shape, asked: number): Promise<void> {
  const response = await route.fetch();
  if (response.status() !== 200) return route.fulfill({ response });
  const {
    intro: _i,
    introReason: _r,
    ...body
  } = (await response.json()) as {
    segments: { kind: string }[];
    intro?: unknown;
    introReason?: unknown;
  };
  const json =
    shape === 'segment'
      ? body
      : asked === 1
        ? {
            ...body,
            segments: body.segments.filter((x) => x.kind !== 'intro'),
            intro: null,
            introReason: 'pending',
          }
        : { ...body, intro: INTRO, introReason: null };
  return route.fulfill({ response, json });
}

async function open(
  config: Partial<PageConfig> & { endcue?: Record<string, unknown> },
  options: { shape?: Shape; before?: (page: Page) => Promise<void>; target?: Browser } = {},
): Promise<Page> {
  const page = await (options.target ?? browser).newPage();
  page.on('pageerror', (error) => console.error('page error:', error));
  let asked = 0;
  const shape = options.shape;
  if (shape)
    await page.route('**/v1/titles/*/credits', (route) => withIntro(route, shape, ++asked));
  await page.goto(`${backend.url}/page.html`);
  await options.before?.(page);
  const episodes: Episode[] = backend.episodes.map((e) => ({
    titleId: e.titleId,
    title: e.title,
    src: `/media/${e.mp4}`,
    type: 'video/mp4',
  }));
  const full: PageConfig = {
    engine: 'native',
    episodes,
    startAt: INTRO.start - 1.5,
    ...config,
    endcue: { countdown: 30, ...config.endcue },
  };
  await page.evaluate(
    (c) => (window as unknown as { start(c: PageConfig): Promise<void> }).start(c),
    full,
  );
  return page;
}

const button = (page: Page) => page.locator('.vjs-endcue-skip-intro');
const playerTime = (page: Page) =>
  page.evaluate(() =>
    (window as unknown as { player: { currentTime(): number } }).player.currentTime(),
  );
const focused = (page: Page) =>
  page.evaluate(() => {
    const a = document.activeElement;
    return a?.id || a?.textContent || a?.className || '';
  });
const focusInPlayer = (page: Page) =>
  page.evaluate(() => document.querySelector('.video-js')?.contains(document.activeElement));
const focusPlayer = (page: Page) =>
  page.evaluate(() => (document.querySelector('.vjs-play-control') as HTMLElement).focus());

describe('"Skip intro" (intro: \'ask\', the default)', () => {
  it('appears while the intro plays and, pressed, skips to its end', async () => {
    const page = await open({});
    await page.waitForTimeout(500);
    // Not before the intro.
    expect(await button(page).isVisible()).toBe(false);
    const shown = await waitForEvent(page, 'intro-shown');
    expect(shown.time).toBeGreaterThanOrEqual(INTRO.start);
    expect(shown.time).toBeLessThan(INTRO.start + 1);
    expect(shown.data.intro).toEqual(INTRO);
    const skip = page.getByRole('button', { name: 'Skip intro' });
    expect(await skip.isVisible()).toBe(true);
    expect(await page.locator('.vjs-endcue-intro-live').textContent()).toBe('Skip intro available');
    await screenshot(page, 'skip-intro');
    await skip.click();
    const skipped = await waitForEvent(page, 'intro-skipped');
    expect(skipped.data).toMatchObject({ auto: false, to: INTRO.end });
    expect(await playerTime(page)).toBeGreaterThanOrEqual(INTRO.end - 0.05);
    expect(await button(page).isVisible()).toBe(false);
    // The "Next episode" card is untouched by it.
    expect((await events(page)).some((e) => e.type === 'shown')).toBe(false);
    await page.close();
  });

  it('is read from an intro segment when the answer has no intro field', async () => {
    const page = await open({}, { shape: 'segment' });
    const ready = await waitForEvent(page, 'ready');
    expect(ready.data.intro).toEqual({ start: INTRO.start, end: INTRO.end, confidence: null });
    await waitForEvent(page, 'intro-shown');
    expect(await button(page).isVisible()).toBe(true);
    await page.close();
  });

  it("comes late when the first answer said the season's analysis was pending", async () => {
    // Paused inside the intro: the plugin asks again after 10 s and shows the button then.
    const page = await open({ startAt: INTRO.start + 1 }, { shape: 'pending' });
    const ready = await waitForEvent(page, 'ready');
    expect(ready.data.intro).toBeNull();
    await page.evaluate(() => (window as unknown as { player: { pause(): void } }).player.pause());
    expect(await button(page).isVisible()).toBe(false);
    const late = await waitForEvent(page, 'intro', 15_000);
    expect(late.data.intro).toEqual(INTRO);
    await expect.poll(() => button(page).isVisible()).toBe(true);
    await page.close();
  });

  it('leaves by itself at the end of the intro when nobody presses it', async () => {
    const page = await open({ startAt: INTRO.end - 3 });
    await waitForEvent(page, 'intro-shown');
    await expect.poll(() => button(page).isVisible(), { timeout: 6_000 }).toBe(false);
    expect(await playerTime(page)).toBeGreaterThanOrEqual(INTRO.end - 1);
    expect((await events(page)).some((e) => e.type === 'intro-skipped')).toBe(false);
    await page.close();
  });

  it('in German it reads "Intro überspringen"', async () => {
    const page = await open({ language: 'de' });
    await waitForEvent(page, 'intro-shown');
    expect(await button(page).textContent()).toBe('Intro überspringen');
    await page.close();
  });
});

describe('focus and keys', () => {
  it('a page text field keeps focus and every key while the button shows', async () => {
    const page = await open(
      {},
      {
        before: (p) =>
          p.evaluate(() => {
            const input = document.createElement('input');
            input.id = 'search';
            input.setAttribute('aria-label', 'Search');
            document.body.prepend(input);
          }),
      },
    );
    await page.focus('#search');
    await page.keyboard.type('intro ');
    await waitForEvent(page, 'intro-shown');
    await page.keyboard.type('and more ');
    await page.keyboard.press('Enter');
    await page.keyboard.press('Escape');
    await page.keyboard.type('text');
    expect(await focused(page)).toBe('search');
    expect(await page.inputValue('#search')).toBe('intro and more text');
    expect(await button(page).isVisible()).toBe(true);
    expect((await events(page)).some((e) => e.type === 'intro-skipped')).toBe(false);
    await page.close();
  });

  it('takes focus when focus was in the player; Enter skips and focus stays in the player', async () => {
    const page = await open({});
    await focusPlayer(page);
    await waitForEvent(page, 'intro-shown');
    await expect.poll(() => focused(page)).toBe('Skip intro');
    await page.keyboard.press('Enter');
    expect((await waitForEvent(page, 'intro-skipped')).data.auto).toBe(false);
    expect(await focusInPlayer(page)).toBe(true);
    // Enter went to the button, not to video.js (which would have paused).
    expect(
      await page.evaluate(() =>
        (window as unknown as { player: { paused(): boolean } }).player.paused(),
      ),
    ).toBe(false);
    await page.close();
  });

  it("tv: focus on show wherever it was; a remote's Back sends it away without skipping", async () => {
    const page = await open({ endcue: { tv: true } });
    await waitForEvent(page, 'intro-shown');
    await expect.poll(() => focused(page)).toBe('Skip intro');
    const box = await button(page).boundingBox();
    expect(box?.height).toBeGreaterThanOrEqual(44);
    await page.evaluate(() =>
      document.activeElement?.dispatchEvent(
        new KeyboardEvent('keydown', { key: 'GoBack', bubbles: true }),
      ),
    );
    await expect.poll(() => button(page).isVisible()).toBe(false);
    expect(await focusInPlayer(page)).toBe(true);
    await page.waitForTimeout(500);
    // Still inside the intro, unskipped, and the button stays away for this pass.
    expect(await playerTime(page)).toBeLessThan(INTRO.end);
    expect(await button(page).isVisible()).toBe(false);
    expect((await events(page)).some((e) => e.type === 'intro-skipped')).toBe(false);
    await page.close();
  });
});

describe("intro: 'auto' | 'off'", () => {
  it('auto skips the intro without a click', async () => {
    const page = await open({ endcue: { intro: 'auto' } });
    const skipped = await waitForEvent(page, 'intro-skipped');
    expect(skipped.data).toMatchObject({ auto: true, to: INTRO.end });
    expect(skipped.time).toBeGreaterThanOrEqual(INTRO.end - 0.05);
    expect(await playerTime(page)).toBeGreaterThanOrEqual(INTRO.end - 0.05);
    expect((await events(page)).some((e) => e.type === 'intro-shown')).toBe(false);
    expect(await page.locator('.vjs-endcue-intro-live').textContent()).toBe('Intro skipped');
    await page.close();
  });

  it('off shows nothing and plays the intro through', async () => {
    const page = await open({ endcue: { intro: 'off' } });
    await waitForEvent(page, 'ready');
    await expect
      .poll(() => playerTime(page), { timeout: 8_000 })
      .toBeGreaterThan(INTRO.start + 1.5);
    expect(await button(page).isVisible()).toBe(false);
    const types = (await events(page)).map((e) => e.type);
    expect(types).not.toContain('intro-shown');
    expect(types).not.toContain('intro-skipped');
    await page.close();
  });
});

type Box = { x: number; y: number; width: number; height: number };

describe('a 360x640 phone', () => {
  it('the button is 44 px tall, inside the player, and a tap skips', async () => {
    const phone = await launchBrowser({ viewport: { width: 360, height: 640 }, hasTouch: true });
    try {
      const page = await open(
        {},
        {
          target: phone,
          before: (p) =>
            p
              .addStyleTag({
                content: '.video-js{width:calc(100vw - 48px);height:calc((100vw - 48px) * 9 / 16)}',
              })
              .then(() => undefined),
        },
      );
      await waitForEvent(page, 'intro-shown');
      await page.waitForTimeout(600);
      const player = (await page.locator('.video-js').boundingBox()) as Box;
      const box = (await button(page).boundingBox()) as Box;
      console.log('Skip intro at 360x640:', { player, box });
      expect(box.height).toBeGreaterThanOrEqual(44);
      expect(box.x).toBeGreaterThanOrEqual(player.x);
      expect(box.y).toBeGreaterThanOrEqual(player.y);
      expect(box.x + box.width).toBeLessThanOrEqual(player.x + player.width);
      expect(box.y + box.height).toBeLessThanOrEqual(player.y + player.height);
      await button(page).tap();
      expect((await waitForEvent(page, 'intro-skipped')).data.auto).toBe(false);
      await page.close();
    } finally {
      await phone.close();
    }
  });
});

describe('accessibility', () => {
  it('axe finds no violations in the player with "Skip intro" shown', async () => {
    const page = await open({});
    await focusPlayer(page);
    // Keep the control bar fully shown (see plugin-player.test.ts: a fading bar is measured
    // half-transparent).
    await page.evaluate(() => {
      const p = (
        window as unknown as {
          player: { options_: { inactivityTimeout: number }; userActive(on: boolean): void };
        }
      ).player;
      p.options_.inactivityTimeout = 0;
      p.userActive(true);
    });
    await waitForEvent(page, 'intro-shown');
    await page.waitForTimeout(600); // the entrance animation (colour contrast is measured)
    const results = await new AxeBuilder({ page }).include('.video-js').analyze();
    const named = results.passes.find((p) => p.id === 'button-name');
    expect(named?.nodes.some((n) => n.target.join(' ').includes('vjs-endcue-skip-intro'))).toBe(
      true,
    );
    expect(
      results.violations.map(
        (v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
      ),
    ).toEqual([]);
    await page.close();
  });
});
