/**
 * The review page in Chromium (issue 21's acceptance): /review with the admin key given
 * once (#key=..., dropped from the address), the titles least sure first, thumbnails that
 * load (naturalWidth > 0), an override set there by keyboard and click that is what
 * GET /v1/titles/:id/credits answers afterwards, also after a forced re-analysis, "no
 * credits", and a title whose media vanished showing its error in the list and the detail.
 * A screenshot goes to test-results/review/review-page.png (docs/review-page.png is a copy).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, unlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DetectionResult, Detector } from '../../server/detector/types.js';
import { EndcueError } from '../../server/errors.js';
import { type RunningServer, startServer } from '../../server/http/start.js';
import { resolveFfmpeg } from '../../server/media/ffmpeg.js';
import { type Browser, launchBrowser, ROOT } from './plugin-harness.js';

const KEY = 'review-e2e-key';
const ARTIFACTS = path.join(ROOT, 'test-results', 'review');
/** Detected answers: least sure first on the page is unsure, gone, middling, sure. */
const TITLES = [
  { id: 'sure', title: 'Sure thing', confidence: 0.97, start: 30 },
  { id: 'unsure', title: 'Unsure one', confidence: 0.41, start: 24 },
  { id: 'middling', title: 'Middling', confidence: 0.7, start: 28 },
  { id: 'gone', title: 'Gone away', confidence: 0.6, start: 26 },
  { id: 'broken', title: 'Broken one', confidence: 0, start: 0 },
];
const DURATION = 40;

let tmp: string;
let server: RunningServer;
let browser: Browser;
let page: Page;

const admin = { Authorization: `Bearer ${KEY}` };

async function credits(id: string) {
  const res = await fetch(`${server.url}/v1/titles/${id}/credits`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function analysed(id: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const { status } = await credits(id);
    if (status === 200 || (id === 'broken' && status === 422)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${id} never analysed`);
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'endcue-review-e2e-'));
  const media = path.join(tmp, 'media');
  mkdirSync(media);
  for (const { id } of TITLES) {
    const made = spawnSync(
      resolveFfmpeg().ffmpeg,
      [
        ...['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=d=${DURATION}:s=320x180:r=10`],
        ...['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-g', '20'],
        path.join(media, `${id}.mp4`),
      ],
      { encoding: 'utf8' },
    );
    if (made.status !== 0) throw new Error(made.stderr);
  }
  const detector: Detector = async (source): Promise<DetectionResult> => {
    const spec = TITLES.find((t) => path.basename(source) === `${t.id}.mp4`);
    if (!spec) throw new Error(`unknown source ${source}`);
    if (spec.id === 'broken') {
      throw new EndcueError('corrupt-media', 'Invalid data found when processing input at 12 s');
    }
    return {
      file: source,
      duration: DURATION,
      fps: 10,
      creditsStart: spec.start,
      creditsEnd: DURATION,
      frame: spec.start * 10,
      confidence: spec.confidence,
      segments: [{ kind: 'credits', start: spec.start, end: DURATION }],
      modelVersion: 'review-e2e',
      backend: 'fake',
      elapsedMs: 1,
    };
  };
  server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir: path.join(tmp, 'data'),
    mediaRoots: [media],
    adminKey: KEY,
    concurrency: 1,
    detector,
    logger: false,
    titles: TITLES.map(({ id, title }) => ({ id, src: `${id}.mp4`, title })),
  });
  for (const { id } of TITLES) await analysed(id);
  unlinkSync(path.join(media, 'gone.mp4'));
  browser = await launchBrowser({ viewport: { width: 1280, height: 800 } });
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const rowNames = () =>
  page.$$eval('#titles tbody tr', (rows) =>
    rows.map((row) => (row as HTMLTableRowElement).cells[1]?.textContent),
  );

async function loadedThumbs(): Promise<number> {
  return page.$$eval(
    '#strip img',
    (imgs) => imgs.filter((img) => (img as HTMLImageElement).naturalWidth > 0).length,
  );
}

async function setTime(seconds: number, action: string): Promise<void> {
  await page.fill('#time', String(seconds));
  await page.click(`[data-set="${action}"]`);
}

describe('the review page', () => {
  it('asks for no key again, and lists the titles least sure first', async () => {
    await page.goto(`${server.url}/review#key=${KEY}`);
    await page.waitForFunction(() => document.querySelectorAll('#titles tbody tr').length === 5);
    // Unanswered (the failed one) last.
    expect(await rowNames()).toEqual([
      'Unsure one',
      'Gone away',
      'Middling',
      'Sure thing',
      'Broken one',
    ]);
    expect(new URL(page.url()).hash).toBe('');
    expect(await page.textContent('#titles tbody tr:first-child')).toContain('24.0 s');
    expect(await page.textContent('#titles tbody tr:first-child')).toContain('0.41');
    // Each row's picture at its start loads; the vanished title says so in the list, unopened.
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('img.row-thumb')].filter(
          (img) => (img as HTMLImageElement).naturalWidth > 0,
        ).length === 4,
    );
    const gone = page.locator('#titles tbody tr', { hasText: 'Gone away' });
    await gone.locator('td.error').waitFor();
    expect(await gone.textContent()).toContain('media error: not-found');
    expect(await gone.locator('td.error').getAttribute('title')).toMatch(
      /^not-found: Media file "gone\.mp4" was not found/,
    );
  });

  it('shows a filmstrip of loaded thumbnails around the start, and plays from 5 s before it', async () => {
    await page.click('#titles tbody tr:first-child button');
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll('#strip img')].filter(
          (img) => (img as HTMLImageElement).naturalWidth > 0,
        ).length === 10,
    );
    expect(await loadedThumbs()).toBe(10);
    const widths = await page.$$eval('#strip img', (imgs) =>
      imgs.map((img) => (img as HTMLImageElement).naturalWidth),
    );
    expect(new Set(widths)).toEqual(new Set([240]));
    expect(await page.textContent('.frame.start')).toContain('24.0 s');

    // Play from 5 s before the start (24 s), through the signed media address.
    await page.waitForFunction(
      () => (document.getElementById('player') as HTMLVideoElement).readyState >= 1,
    );
    expect(await page.$eval('#player', (v) => (v as HTMLVideoElement).duration)).toBeCloseTo(
      DURATION,
      0,
    );
    await page.click('#play-before');
    await page.waitForFunction(() => {
      const video = document.getElementById('player') as HTMLVideoElement;
      return !video.paused && video.currentTime > 19.2;
    });
    await page.$eval('#player', (v) => (v as HTMLVideoElement).pause());
    const playedTo = await page.$eval('#player', (v) => (v as HTMLVideoElement).currentTime);
    expect(playedTo).toBeGreaterThanOrEqual(19);
    expect(playedTo).toBeLessThan(24);
    await page.click('#use-current');
    expect(Number(await page.inputValue('#time'))).toBeCloseTo(playedTo, 1);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-page.png'), fullPage: true });
  });

  it('axe finds no violations on the page with a title open', async () => {
    const axe = await new AxeBuilder({ page }).analyze();
    expect(axe.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(' ')}`)).toEqual(
      [],
    );
  });

  it('saves an override set from a frame (by keyboard) and typed times, shown at once and kept after a re-analysis', async () => {
    // Keyboard: the frame at 22.0 s, then "Set start".
    const frame = page.locator('#strip .frame', { hasText: '22.0 s' });
    await frame.focus();
    await page.keyboard.press('Enter');
    expect(await page.inputValue('#time')).toBe('22');
    await page.locator('[data-set="start"]').focus();
    await page.keyboard.press('Enter');
    // The focused control shows it (a 3 px ring, :focus-visible after keyboard use).
    expect(
      await page.evaluate(() => {
        const el = document.activeElement as HTMLElement;
        const style = getComputedStyle(el);
        return `${el.dataset.set} ${el.matches(':focus-visible')} ${style.outlineStyle} ${style.outlineWidth}`;
      }),
    ).toBe('start true solid 3px');
    await page.waitForFunction(() =>
      document.getElementById('status')?.textContent?.startsWith('Saved'),
    );
    expect(await page.textContent('[data-field="start"]')).toBe('22.0 s');
    expect(await page.textContent('[data-field="source"]')).toBe('manual');

    await setTime(35, 'end');
    await page.waitForFunction(
      () => document.querySelector('[data-field="end"]')?.textContent === '35.0 s',
    );
    await setTime(36, 'post-start');
    await setTime(39.5, 'post-end');
    await page.waitForFunction(
      () =>
        document.querySelector('[data-field="post-credits"]')?.textContent === '36.0 s – 39.5 s',
    );

    const expected = { creditsStart: 22, creditsEnd: 35, source: 'manual' };
    const after = await credits('unsure');
    expect(after.status).toBe(200);
    expect(after.body).toMatchObject(expected);
    expect(after.body.segments).toContainEqual({ kind: 'post-credits', start: 36, end: 39.5 });

    const rescan = await fetch(`${server.url}/v1/titles/unsure/analyze`, {
      method: 'POST',
      headers: admin,
    });
    expect(rescan.status).toBe(202);
    await server.queue.idle();
    const afterRescan = await credits('unsure');
    expect(afterRescan.body).toMatchObject(expected);
    expect(afterRescan.body.segments).toContainEqual({
      kind: 'post-credits',
      start: 36,
      end: 39.5,
    });
  });

  it('sets "no credits", and removes the override', async () => {
    await page.click('#titles tbody tr button >> text=Middling');
    await page.click('[data-set="none"]');
    await page.waitForFunction(
      () => document.querySelector('[data-field="start"]')?.textContent === 'no credits',
    );
    const after = await credits('middling');
    expect(after.body).toMatchObject({ creditsStart: null, source: 'manual' });

    // Remove override: detection answers again, on the page and in the API.
    await page.click('[data-set="clear"]');
    await page.waitForFunction(
      () => document.querySelector('[data-field="source"]')?.textContent === 'detected',
    );
    expect(await page.textContent('[data-field="start"]')).toBe('28.0 s');
    expect((await credits('middling')).body).toMatchObject({
      creditsStart: 28,
      source: 'detected',
    });
  });

  it("shows a vanished title's error in the list and the detail", async () => {
    await page.click('#titles tbody tr button >> text=Gone away');
    await page.waitForFunction(
      () => (document.getElementById('detail-error')?.textContent ?? '') !== '',
    );
    expect(await page.textContent('#detail-error')).toMatch(
      /not-found: Media file "gone\.mp4" was not found/,
    );
    const row = page.locator('#titles tbody tr', { hasText: 'Gone away' });
    expect(await row.textContent()).toContain('media error: not-found');
    expect(await loadedThumbs()).toBe(0);
  });

  it("shows a failed analysis's error in the list and the detail", async () => {
    const row = page.locator('#titles tbody tr', { hasText: 'Broken one' });
    expect(await row.locator('td.error').textContent()).toBe('failed: corrupt-media');
    await page.click('#titles tbody tr button >> text=Broken one');
    await page.waitForFunction(() =>
      (document.getElementById('detail-error')?.textContent ?? '').startsWith('corrupt-media'),
    );
    expect(await page.textContent('#detail-error')).toBe(
      'corrupt-media: Invalid data found when processing input at 12 s',
    );
  });
});
