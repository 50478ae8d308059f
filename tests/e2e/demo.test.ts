/**
 * The demo as a newcomer runs it: `npm start` as a child process (a free port and an
 * empty data dir through env), the real detector and model analysing the generated
 * series, then Chromium on http://localhost:PORT/: episode 1 from shortly before its
 * credits, the card, the countdown running out, episode 2 playing. Also the two HLS
 * paths (VHS, hls.js) up to the card, and Skip intro on the theme the episodes share (found
 * by the server's season analysis). Screenshots go to test-results/demo/.
 *
 * The series is cached under .cache/demo: the first run generates it (minutes on two
 * busy cores), later runs start in seconds.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EPISODES } from '../../demo/series.js';
import type { EpisodeView } from '../../demo/state.js';
import { THEME_SECONDS } from '../../demo/theme.js';
import { type Browser, launchBrowser, ROOT } from './plugin-harness.js';

const ARTIFACTS = path.join(ROOT, 'test-results', 'demo');
/** First start generates three 720p episodes; then the real detector analyses them. */
const START_TIMEOUT_MS = 15 * 60_000;
const ANALYSIS_TIMEOUT_MS = 10 * 60_000;

interface DemoEvent {
  type: string;
  titleId: string | null;
  time: number;
  src: string;
}

let demo: ChildProcess | undefined;
let output = '';
let dataDir: string;
let url: string;
let browser: Browser | undefined;
let episodes: EpisodeView[] = [];

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolves with the URL the demo prints, rejects if it exits first. */
function waitForUrl(child: ChildProcess, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`demo printed no URL in ${timeoutMs} ms:\n${output}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = /Open (http:\/\/localhost:\d+\/)/.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`demo exited (${code}) before printing its URL:\n${output}`));
    });
  });
}

async function state(): Promise<EpisodeView[]> {
  const res = await fetch(new URL('demo/state', url));
  const body = (await res.json()) as { episodes: EpisodeView[] };
  return body.episodes;
}

async function waitForAnalyses(): Promise<EpisodeView[]> {
  const deadline = Date.now() + ANALYSIS_TIMEOUT_MS;
  for (;;) {
    const views = await state();
    if (views.every((v) => v.state === 'done' || v.state === 'failed')) return views;
    if (Date.now() > deadline) {
      throw new Error(`analyses unfinished: ${JSON.stringify(views)}\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.waitForTimeout(600); // the card's entrance animation
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

const events = (page: Page) =>
  page.evaluate(() => (window as unknown as { demoEvents: DemoEvent[] }).demoEvents);

async function waitForEvent(page: Page, type: string, timeout = 30_000): Promise<DemoEvent> {
  await page.waitForFunction(
    (t) => (window as unknown as { demoEvents: DemoEvent[] }).demoEvents.some((e) => e.type === t),
    type,
    { timeout, polling: 50 },
  );
  const found = (await events(page)).find((e) => e.type === type);
  if (!found) throw new Error(`no ${type} event`);
  return found;
}

const playerState = (page: Page) =>
  page.evaluate(() => {
    const p = (
      window as unknown as {
        player: { currentSrc(): string; currentTime(): number; paused(): boolean };
      }
    ).player;
    return { src: p.currentSrc(), time: p.currentTime(), paused: p.paused() };
  });

async function openPage(query = ''): Promise<Page> {
  if (!browser) throw new Error('no browser');
  const page = await browser.newPage();
  await page.setViewportSize({ width: 1280, height: 760 });
  page.on('pageerror', (error) => console.error('page error:', error));
  await page.goto(`${url}${query}`);
  return page;
}

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'endcue-demo-data-'));
  const port = await freePort();
  const started = Date.now();
  // Its own process group, so afterAll stops npm, tsx and node together.
  demo = spawn('npm', ['start'], {
    cwd: ROOT,
    env: { ...process.env, ENDCUE_PORT: String(port), ENDCUE_DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  url = await waitForUrl(demo, START_TIMEOUT_MS);
  const startedIn = (Date.now() - started) / 1000;
  episodes = await waitForAnalyses();
  const analysedIn = (Date.now() - started) / 1000 - startedIn;
  console.log(
    `demo: URL after ${startedIn.toFixed(1)} s, analyses after ${analysedIn.toFixed(1)} s more`,
  );
  for (const e of episodes) {
    const post = e.postCreditsStart === null ? '' : `, post-credits ${e.postCreditsStart} s`;
    console.log(
      `demo: E${e.episode} ${e.style}: ${e.label} (${e.creditsStart}-${e.creditsEnd} s${post}); generated ${e.truth.creditsStart} s`,
    );
  }
  browser = await launchBrowser();
}, START_TIMEOUT_MS + ANALYSIS_TIMEOUT_MS);

afterAll(async () => {
  await browser?.close();
  if (demo?.pid !== undefined && demo.exitCode === null) {
    const exited = new Promise((resolve) => demo?.once('exit', resolve));
    process.kill(-demo.pid, 'SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
    if (demo.exitCode === null) process.kill(-demo.pid, 'SIGKILL');
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describe('npm start (the demo)', () => {
  it('printed the URL with the port from env and analysed every episode', async () => {
    expect(url).toMatch(/^http:\/\/localhost:\d+\/$/);
    expect(episodes.map((e) => e.state)).toEqual(['done', 'done', 'done']);
    const first = episodes[0];
    if (!first) throw new Error('no episodes');
    expect(first.label).toMatch(/^credits at \d\d:\d\d · confidence [01]\.\d\d$/);
    // The card's time is the detector's; the demo promises it is where the credits are.
    expect(Math.abs((first.creditsStart ?? Number.NaN) - first.truth.creditsStart)).toBeLessThan(
      1.5,
    );
  });

  it('plays episode 1 into its credits, shows the card, counts down and plays episode 2', async () => {
    const page = await openPage();
    const list = page.locator('#episodes > li');
    await expect.poll(() => list.count()).toBe(3);
    await expect
      .poll(() => list.evaluateAll((items) => items.map((li) => (li as HTMLElement).dataset.state)))
      .toEqual(['done', 'done', 'done']);
    await expect.poll(() => list.nth(0).locator('.strip .bar.credits').count()).toBe(1);
    await screenshot(page, 'demo-before');

    const [first, second] = episodes;
    if (!first?.creditsStart || !second) throw new Error('episode 1 has no credits');
    await list.nth(0).getByRole('button', { name: 'Play from just before the credits' }).click();

    const shown = await waitForEvent(page, 'shown');
    expect(shown.titleId).toBe(first.id);
    expect(shown.time).toBeGreaterThanOrEqual(first.creditsStart - 0.05);
    expect(shown.time - first.creditsStart).toBeLessThanOrEqual(0.5);
    await expect.poll(() => page.locator('.vjs-endcue-card').isVisible()).toBe(true);
    await screenshot(page, 'demo-card');

    // Nobody touches anything: the countdown (10 s) runs out and episode 2 starts.
    const next = await waitForEvent(page, 'next', 20_000);
    expect(next.titleId).toBe(first.id);
    await expect
      .poll(
        async () => {
          const s = await playerState(page);
          return s.src.endsWith(`/media/${second.mp4}`) && !s.paused && s.time > 0.5;
        },
        { timeout: 20_000 },
      )
      .toBe(true);
    await expect.poll(() => page.locator('#now').textContent()).toContain('Episode 2');
    expect(await list.nth(1).getAttribute('class')).toContain('playing');
    await screenshot(page, 'demo-next-episode');
    await page.close();
  });

  for (const format of ['vhs', 'hlsjs'] as const) {
    it(`plays HLS via ${format} up to the card`, async () => {
      const first = episodes[0];
      if (!first?.creditsStart) throw new Error('episode 1 has no credits');
      const at = Math.floor(first.creditsStart - 3);
      const page = await openPage(`?format=${format}&episode=${first.id}&t=${at}`);
      const shown = await waitForEvent(page, 'shown');
      expect(shown.src).toContain('.m3u8');
      expect(shown.time - first.creditsStart).toBeLessThanOrEqual(0.5);
      const tech = await page.evaluate(() => {
        const t = (
          window as unknown as { player: { tech(x: boolean): Record<string, unknown> } }
        ).player.tech(true);
        return { vhs: Boolean(t.vhs), hlsjs: Boolean(t.hlsjs) };
      });
      expect(tech).toEqual({ vhs: format === 'vhs', hlsjs: format === 'hlsjs' });
      await screenshot(page, `demo-card-${format}`);
      await page.close();
    });
  }
});

describe('the demo: binge limit', () => {
  it('?binge=0 asks "Are you still watching?" at the first countdown, paused behind it', async () => {
    const first = episodes[0];
    if (!first?.creditsStart) throw new Error('episode 1 has no credits');
    const at = Math.floor(first.creditsStart - 2);
    const page = await openPage(`?binge=0&countdown=2&episode=${first.id}&t=${at}`);
    await waitForEvent(page, 'stillwatching');
    await expect
      .poll(() => page.locator('.vjs-endcue-heading').textContent())
      .toBe('Are you still watching?');
    await expect.poll(async () => (await playerState(page)).paused).toBe(true);
    expect((await events(page)).some((e) => e.type === 'next')).toBe(false);
    await screenshot(page, 'demo-still-watching');
    await page.close();
  });
});

/** Waits until the server has compared the season: every episode has an intro or a reason. */
async function waitForIntros(timeoutMs = 5 * 60_000): Promise<EpisodeView[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const views = await state();
    const settled = views.every((v) => v.intro !== null || /^no intro/.test(v.introLabel));
    if (settled) return views;
    if (Date.now() > deadline) {
      throw new Error(`season not compared: ${JSON.stringify(views)}\n${output.slice(-4000)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

describe('the demo: Skip intro', () => {
  it("finds every episode's intro from the shared theme, and Skip intro jumps to its end", async () => {
    const views = await waitForIntros();
    for (const v of views) {
      console.log(`demo: E${v.episode}: ${v.introLabel || 'no answer'}; ${v.truth.introLabel}`);
    }
    const plan = EPISODES.map((e) => ({ start: e.introAt, end: e.introAt + THEME_SECONDS }));
    for (const [i, v] of views.entries()) {
      const truth = plan[i];
      if (!v.intro || !truth) throw new Error(`E${v.episode}: ${v.introLabel}`);
      expect(Math.abs(v.intro.start - truth.start)).toBeLessThan(2);
      expect(Math.abs(v.intro.end - truth.end)).toBeLessThan(2);
    }
    const first = views[0];
    if (!first?.intro) throw new Error('episode 1 has no intro');
    const page = await openPage(`?episode=${first.id}&t=${Math.floor(first.intro.start - 2)}`);
    await expect.poll(() => page.locator('#episodes .strip .bar.intro').count()).toBe(3);
    const shown = await waitForEvent(page, 'intro-shown');
    expect(shown.time).toBeGreaterThanOrEqual(first.intro.start - 0.05);
    const skip = page.getByRole('button', { name: 'Skip intro' });
    await expect.poll(() => skip.isVisible()).toBe(true);
    await screenshot(page, 'demo-skip-intro');
    await skip.click();
    await waitForEvent(page, 'intro-skipped');
    expect((await playerState(page)).time).toBeGreaterThanOrEqual(first.intro.end - 0.05);
    expect(await skip.isVisible()).toBe(false);
    await page.close();
  });
});
