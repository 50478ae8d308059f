/**
 * What the plugin's browser tests share: a rollup build of the plugin, the test page and
 * its files mounted on the EndCue server's app (video.js, hls.js, the built plugin, media
 * with Range support), and Debian's Chromium driven by playwright-core.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { serveStatic } from '@hono/node-server/serve-static';
import type { OpenAPIHono } from '@hono/zod-openapi';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { inject } from 'vitest';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const ARTIFACTS = path.join(ROOT, 'test-results', 'plugin');

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The next episode starts from a timer, not a click: allow play() without a gesture.
  '--autoplay-policy=no-user-gesture-required',
];

let built = false;

/** Whether the e2e global setup (global-setup.ts) has built dist/plugin for this run. */
function builtForThisRun(): boolean {
  try {
    return inject('pluginBuilt') === true;
  } catch {
    return false; // not inside a vitest worker (the global setup itself)
  }
}

/**
 * Builds dist/plugin with rollup: once per test run when the e2e project's global setup did
 * it, else once per test process.
 */
export function buildPlugin(): void {
  if (built || builtForThisRun()) return;
  execFileSync(path.join(ROOT, 'node_modules/.bin/rollup'), ['-c', '--silent'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  built = true;
}

const CONTENT_TYPES: Record<string, string> = {
  m3u8: 'application/vnd.apple.mpegurl',
  ts: 'video/mp2t',
  m4s: 'video/iso.segment',
};

/**
 * Adds the test page and its files to the EndCue server's own Hono app (same origin as
 * the API): /page.html, /vendor/video/* (video.js), /vendor/hls/* (hls.js), /plugin/*
 * (dist/plugin) and /media/* (files under mediaDir, with Range support).
 */
export function mountTestPage(app: OpenAPIHono, mediaDir: string): void {
  const mounts: Record<string, string> = {
    '/vendor/video/': path.join(ROOT, 'node_modules/video.js/dist'),
    '/vendor/hls/': path.join(ROOT, 'node_modules/hls.js/dist'),
    '/plugin/': path.join(ROOT, 'dist/plugin'),
    '/media/': path.resolve(mediaDir),
  };
  app.get('/page.html', (c) => c.html(PAGE));
  for (const [prefix, root] of Object.entries(mounts)) {
    app.use(`${prefix}*`, async (c, next) => {
      await next();
      const type = CONTENT_TYPES[c.req.path.split('.').pop() ?? ''];
      if (type && c.res.ok) c.res.headers.set('content-type', type);
    });
    app.use(
      `${prefix}*`,
      serveStatic({ root, rewriteRequestPath: (p) => p.slice(prefix.length - 1) }),
    );
  }
}

export interface Browser {
  context: BrowserContext;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Debian's Chromium with a fresh profile; `device` overrides the 960x540 desktop. */
export async function launchBrowser(
  device: { viewport?: { width: number; height: number }; hasTouch?: boolean } = {},
): Promise<Browser> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'endcue-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 960, height: 540 },
    ...device,
  });
  return {
    context,
    newPage: () => context.newPage(),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(ARTIFACTS, { recursive: true });
  const file = path.join(ARTIFACTS, `${name}.png`);
  // Let the card's entrance animation and the video's shrink finish first.
  await page.waitForTimeout(600);
  await page.screenshot({ path: file });
  return file;
}

export interface Episode {
  titleId: string;
  src: string;
  type: string;
  title: string;
}

/** What the test page's `window.start()` takes. */
export interface PageConfig {
  engine: 'native' | 'vhs' | 'hlsjs';
  episodes: Episode[];
  /** Start playback of the first episode here, seconds. */
  startAt: number;
  /** Options for player.endcue(); `next` is derived from `episodes` by the page... */
  endcue: Record<string, unknown>;
  /** ...unless the server's `next` (series order) should be used. */
  serverNext?: boolean;
  /** video.js player language (default: the browser's, English here). */
  language?: string;
  /** How the page names the first title: in the source object (default), as the video
   * element's data-title-id, or as the plugin's titleId option. */
  titleIdVia?: 'source' | 'attribute' | 'option';
}

export interface RecordedEvent {
  type: string;
  data: Record<string, unknown>;
  /** currentTime when the event fired. */
  time: number;
  src: string;
}

/** The plugin events the test page has recorded so far. */
export const events = (page: Page) =>
  page.evaluate(() => (window as unknown as { endcueEvents: RecordedEvent[] }).endcueEvents);

/** Waits until the page has recorded an event of this type, and returns the first one. */
export async function waitForEvent(
  page: Page,
  type: string,
  timeout = 15_000,
): Promise<RecordedEvent> {
  await page.waitForFunction(
    (t) =>
      (window as unknown as { endcueEvents: RecordedEvent[] }).endcueEvents.some(
        (e) => e.type === t,
      ),
    type,
    { timeout, polling: 50 },
  );
  const found = (await events(page)).find((e) => e.type === type);
  if (!found) throw new Error(`no ${type}`);
  return found;
}

/** The test page: a player, the plugin, an event log, all driven by `window.start(config)`. */
const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>EndCue plugin test page</title>
<link rel="stylesheet" href="/vendor/video/video-js.min.css">
<link rel="stylesheet" href="/plugin/endcue.css">
<style>body{margin:0;background:#111} .video-js{width:960px;height:540px}</style>
</head>
<body>
<video id="player" class="video-js" controls muted playsinline preload="auto"></video>
<script src="/vendor/video/video.min.js"></script>
<script src="/vendor/hls/hls.min.js"></script>
<script src="/plugin/endcue.umd.min.js"></script>
<script>
window.endcueEvents = [];
window.start = async function (config) {
  if (config.engine === 'hlsjs') window.hlsHandle = endcue.registerHlsJs(Hls);
  const first = config.episodes[0];
  const via = config.titleIdVia || 'source';
  if (via === 'attribute') document.getElementById('player').setAttribute('data-title-id', first.titleId);
  const player = videojs('player', Object.assign(
    { html5: { vhs: { overrideNative: true }, nativeAudioTracks: false, nativeVideoTracks: false } },
    config.language ? { language: config.language } : {},
  ));
  window.player = player;
  for (const type of ['ready', 'shown', 'countdown', 'next', 'dismissed', 'stillwatching', 'error', 'intro', 'intro-shown', 'intro-skipped']) {
    player.on('endcue:' + type, (event, data) => {
      window.endcueEvents.push({ type, data: JSON.parse(JSON.stringify(data || {})), time: player.currentTime(), src: player.currentSrc() });
    });
  }
  const byId = new Map(config.episodes.map((e, i) => [e.titleId, config.episodes[i + 1]]));
  const pageNext = config.serverNext ? {} : { next: (current) => byId.get(current.titleId) || null };
  const named = via === 'option' ? { titleId: first.titleId } : {};
  player.endcue(Object.assign(pageNext, named, config.endcue));
  const source = { src: first.src, type: first.type };
  player.src(via === 'source' ? Object.assign(source, { titleId: first.titleId }) : source);
  await new Promise((resolve) => player.one('loadedmetadata', resolve));
  player.currentTime(config.startAt);
  await player.play();
};
</script>
</body>
</html>`;
